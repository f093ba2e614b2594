// How Salon's pages talk to the API: the same REST routes and WebSocket as any client, with
// the bearer token this tab signed in with. Where the API is comes from <body data-api>.

const TOKEN_KEY = "salon.token";

export function apiBase() {
  return document.body.dataset.api || "";
}

/** An answer that is not 2xx: its status, the API's sentence (`message`), and for a 429 or
 *  503 the seconds its Retry-After asks to wait (`retryAfter`, else null). */
export class ApiError extends Error {
  constructor(status, body, retryAfter = null) {
    super((body && body.message) || `The server answered ${status}.`);
    this.status = status;
    this.body = body;
    this.retryAfter = retryAfter;
  }
}

/** No answer at all: offline, or the connection dropped. */
export class Unreachable extends Error {}

/** `method path` with an optional JSON body and query: the answer if it is 2xx, else its
 *  ApiError; Unreachable if none came. `accept`: what to ask for (JSON unless said). */
export async function send(method, path, { token = currentToken(), body, query, headers: extra, accept } = {}) {
  const url = new URL(apiBase() + path, window.location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  const headers = { Accept: accept || "application/json", ...(extra || {}) };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit", // the bearer token is the only credential
      cache: "no-store",
    });
  } catch {
    throw new Unreachable("The server could not be reached.");
  }
  if (!response.ok) {
    const seconds = Number.parseInt(response.headers.get("Retry-After") || "", 10);
    throw new ApiError(response.status, await parsed(response), seconds > 0 ? seconds : null);
  }
  return response;
}

/** `send`, resolving to the answer's parsed JSON. */
export async function call(method, path, options = {}) {
  return parsed(await send(method, path, options));
}

async function parsed(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

/** The token this tab uses. A `#token=...` in the address (the demo's links) is removed from
 *  the address at once (the fragment never reaches the server); it signs the tab in only where
 *  the server allows such links (SALON_UI_TOKEN_LINKS, the demo): elsewhere anyone could send
 *  a shopper a link that signs them in as the sender, who would then read their chat. */
export function currentToken() {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const given = fragment.get("token");
  if (given !== null) {
    if (given && document.body.dataset.tokenLinks === "true") sessionStorage.setItem(TOKEN_KEY, given);
    fragment.delete("token");
    const rest = fragment.toString();
    history.replaceState(null, "", window.location.pathname + window.location.search + (rest ? `#${rest}` : ""));
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function signIn(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Sign in with email and password in the brand of `domain` (`POST /auth/login`, which
 *  finds the brand by `X-Popsell-Domain`); returns `{token, user}`. */
export async function login(email, password, domain) {
  const answer = await call("POST", "/auth/login", {
    token: null,
    body: { email, password },
    headers: { "X-Popsell-Domain": domain },
  });
  signIn(answer.token);
  return answer;
}

/** The signed-in person (`GET /widget/me`). */
export function me() {
  return call("GET", "/widget/me");
}

/** A text node: every text from the API goes into the page as text, never as HTML. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** The 0-5 choice as six radio buttons in a fieldset (keyboard: arrows move, space picks). */
export function scoreChoice(name, legend, checked = null) {
  const choices = el("div", { class: "score-choices" });
  for (let value = 0; value <= 5; value += 1) {
    const id = `${name}-${value}`;
    choices.append(
      el("input", { type: "radio", name, id, value: String(value), checked: checked === value, required: true }),
      el("label", { for: id, text: String(value) }),
    );
  }
  return el("fieldset", { class: "score" }, el("legend", { text: legend }), choices);
}

/** A date as the reader's locale writes it. */
export function when(wire) {
  if (!wire) return "";
  return new Date(wire).toLocaleString();
}
