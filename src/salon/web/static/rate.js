// The rater's page, /r/{token}: a shopper who left the chat rates it from the link the brand
// sent them, without signing in (GET and PUT /public/ratings/{token}). The token is the last
// segment of the page's address. Every text from the API goes into the page as text (el).
//
// States, each with its own heading and document title: loading; the form (brand, who asks,
// the 0-5 choice, an optional comment); thanks; and a page for each way it can fail: 410 (the
// link no longer works: the API's sentence says why), 404 or 422 (not a valid link), 429 (too
// many attempts, with Retry-After's seconds), the server out of reach, anything else.

import { ApiError, Unreachable, call, el, scoreChoice } from "./api.js";

const MAX_COMMENT = 2000;
const SCORE = "score";
const main = document.getElementById("main");

function linkToken() {
  const last = window.location.pathname.split("/").filter(Boolean).pop() || "";
  try {
    return decodeURIComponent(last);
  } catch {
    return last; // not decodable: the API refuses it (422), the page says "not valid"
  }
}

const linkPath = `/public/ratings/${encodeURIComponent(linkToken())}`;

/** `method` on the link's route, with no credential but the link. */
function onLink(method, body) {
  return call(method, linkPath, { token: null, body });
}

// ---- Showing a state ----------------------------------------------------------------------

/** Replace the page's content; `focus`: move focus to `target` (after the reader acted, so
 *  that a screen reader says what happened). */
function show(title, content, { focus = null } = {}) {
  document.title = `${title} - Salon`;
  main.replaceChildren(content);
  if (focus) focus.focus();
}

function heading(text, id = "title") {
  return el("h1", { id, tabindex: "-1", text });
}

function initial(firstname) {
  const first = (firstname || "").trim();
  return first ? Array.from(first)[0].toUpperCase() : "";
}

function until(wire) {
  const date = new Date(wire);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleString(undefined, { dateStyle: "long", timeStyle: "short" });
}

/** "Try again in N seconds." from a 429's Retry-After (a minute when it has none). */
function tryAgainIn(seconds) {
  return seconds ? `Try again in ${seconds} second${seconds === 1 ? "" : "s"}.` : "Try again in a minute.";
}

function showLoading() {
  show(
    "Loading",
    el("section", { class: "card", "aria-busy": "true" }, el("p", { role: "status", text: "Loading your rating…" })),
  );
}

/** The form: the brand, who asks, the 0-5 choice, the comment. Already rated: preselected,
 *  and the button says Update. */
function showForm(linked, { focus = false } = {}) {
  const { rating, rated, brand } = linked;
  const already = rating.value !== null && rating.value !== undefined;
  const asker = (rated.firstname || "").trim() || "Your adviser";
  const action = already ? "Update" : "Send";

  const title = heading(brand.label, "rate-title");
  const letter = initial(rated.firstname);
  const who = el(
    "div",
    { class: "asker" },
    letter ? el("span", { class: "initials", "aria-hidden": "true", text: letter }) : null,
    el("p", { text: `${asker} asks how your conversation went.` }),
  );
  const current = already
    ? el("p", { class: "current", text: `You gave ${rating.value} out of 5. You can change your score or comment below.` })
    : null;

  const choice = scoreChoice(SCORE, "Your score, from 0 to 5", already ? rating.value : null);
  choice.setAttribute("aria-describedby", "score-hint score-error");
  const scoreError = el("p", { id: "score-error", class: "error field-error", role: "alert" });
  choice.querySelector("legend").after(
    el("p", { id: "score-hint", class: "muted hint", text: "0 means very poor, 5 means excellent." }),
  );
  choice.append(scoreError);

  const comment = el("textarea", {
    id: "comment",
    name: "content",
    rows: "5",
    maxlength: String(MAX_COMMENT),
    "aria-describedby": "comment-count comment-error",
  });
  comment.value = rating.content || "";
  const count = el("p", { id: "comment-count", class: "muted count" });
  const counted = () => {
    count.textContent = `${comment.value.length} of ${MAX_COMMENT} characters`;
  };
  counted();
  comment.addEventListener("input", counted);
  const commentError = el("p", { id: "comment-error", class: "error field-error", role: "alert" });

  const formError = el("p", { id: "form-error", class: "error field-error", role: "alert" });
  const button = el("button", { type: "submit", class: "send", text: action });
  const form = el(
    "form",
    { class: "stack", novalidate: true, "aria-labelledby": "rate-title" },
    choice,
    el("div", { class: "field" }, el("label", { for: "comment", text: "Your comment (optional)" }), comment, count, commentError),
    formError,
    button,
  );

  const radios = () => Array.from(form.querySelectorAll(`input[name="${SCORE}"]`));
  const clearErrors = () => {
    for (const node of [scoreError, commentError, formError]) node.textContent = "";
    comment.removeAttribute("aria-invalid");
  };
  let sending = false;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (sending) return;
    clearErrors();
    const picked = radios().find((radio) => radio.checked);
    if (!picked) {
      scoreError.textContent = "Pick a score from 0 to 5.";
      radios()[0].focus();
      return;
    }
    const body = { value: Number(picked.value), content: comment.value.trim() === "" ? null : comment.value };
    // aria-disabled, not disabled: the button keeps focus while the answer comes.
    sending = true;
    button.setAttribute("aria-disabled", "true");
    button.textContent = "Sending…";
    form.setAttribute("aria-busy", "true");
    try {
      showThanks(await onLink("PUT", body));
      return;
    } catch (error) {
      sending = false;
      button.removeAttribute("aria-disabled");
      button.textContent = action;
      form.removeAttribute("aria-busy");
      if (error instanceof ApiError && error.status === 422 && error.body && error.body.errors) {
        const errors = error.body.errors;
        const said = (field) => (errors[field] || []).join(" ");
        scoreError.textContent = said("value");
        commentError.textContent = said("content");
        if (said("content")) comment.setAttribute("aria-invalid", "true");
        formError.textContent = Object.keys(errors)
          .filter((field) => field !== "value" && field !== "content")
          .map(said)
          .join(" ");
        if (said("value")) (picked || radios()[0]).focus();
        else if (said("content")) comment.focus();
      } else if (error instanceof ApiError && [404, 410].includes(error.status)) {
        showFailure(error, { focus: true });
      } else if (error instanceof ApiError && error.status === 429) {
        formError.textContent = `Your rating was not sent: too many attempts. ${tryAgainIn(error.retryAfter)}`;
      } else if (error instanceof Unreachable) {
        formError.textContent = "Your rating was not sent: the server could not be reached. Check your connection, then send again.";
      } else {
        formError.textContent = `Your rating was not sent: something went wrong on our side (${error.message}). Please send again in a moment.`;
        if (!(error instanceof ApiError)) throw error;
      }
    }
  });

  const expires = until(linked.link_expires_at);
  show(
    `Rate your conversation with ${brand.label}`,
    el(
      "section",
      { class: "card stack", "aria-labelledby": "rate-title" },
      title,
      who,
      current,
      form,
      expires ? el("p", { class: "muted small", text: `This link works until ${expires}.` }) : null,
    ),
    { focus: focus ? radios().find((radio) => radio.checked) || radios()[0] : null },
  );
}

/** After a PUT: thanks, with the score given; focus on the heading for screen readers. */
function showThanks(linked) {
  const { rating, rated } = linked;
  const asker = (rated.firstname || "").trim();
  const title = heading("Thank you!", "thanks-title");
  show(
    "Thank you",
    el(
      "section",
      { class: "card stack thanks", "aria-labelledby": "thanks-title" },
      title,
      el("p", { class: "given", text: `You gave ${asker ? `${asker} ` : ""}a score of ${rating.value} out of 5.` }),
      rating.content
        ? el("div", { class: "said" }, el("p", { class: "muted", text: "Your comment:" }), el("blockquote", { text: rating.content }))
        : null,
      el("p", { text: "Changed your mind? You can change your rating." }),
      el("button", { type: "button", class: "secondary", onclick: () => showForm(linked, { focus: true }) }, "Change my rating"),
    ),
    { focus: title },
  );
}

function failure(title, sentences, { retry = false, focus = false } = {}) {
  const top = heading(title);
  show(
    title,
    el(
      "section",
      { class: "card stack failure", "aria-labelledby": "title" },
      top,
      ...sentences.map((sentence) => el("p", { text: sentence })),
      retry ? el("button", { type: "button", onclick: () => load({ focus: true }) }, "Try again") : null,
    ),
    { focus: focus ? top : null },
  );
}

/** The page for an answer that is not the rating. */
function showFailure(error, { focus = false } = {}) {
  const ask = "If you still want to rate your conversation, ask the shop that sent you this link for a new one.";
  if (error instanceof Unreachable) {
    failure("We could not reach the server", ["Check your internet connection, then try again."], { retry: true, focus });
  } else if (error.status === 410) {
    failure("This link no longer works", [error.message, ask], { focus });
  } else if (error.status === 404 || error.status === 422) {
    failure(
      "This link is not valid",
      ["Check that you opened the whole link from your message: it may have been cut.", ask],
      { focus },
    );
  } else if (error.status === 429) {
    failure("Too many attempts", [tryAgainIn(error.retryAfter)], { retry: true, focus });
  } else {
    failure("Something went wrong", [`The server could not answer (${error.message}). Please try again in a moment.`], {
      retry: true,
      focus,
    });
  }
}

async function load({ focus = false } = {}) {
  showLoading();
  let linked;
  try {
    linked = await onLink("GET");
  } catch (error) {
    showFailure(error, { focus });
    if (!(error instanceof ApiError || error instanceof Unreachable)) throw error;
    return;
  }
  showForm(linked, { focus });
}

load();
