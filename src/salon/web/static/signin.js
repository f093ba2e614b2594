// The sign-in form the pages share: email, password and the brand's domain (POST /auth/login),
// or a token (the demo's links carry one in #token=..., which signs in without this form).
import { ApiError, el, login, me, signIn, signOut } from "./api.js";

/** Resolves to the signed-in person (`GET /widget/me`), showing the form in `container` until
 *  someone signs in. A token that no longer works is forgotten and the form shown. */
export async function signedIn(container, { heading = "Sign in" } = {}) {
  try {
    return await me();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    signOut();
  }
  return new Promise((resolve) => {
    const status = el("p", { role: "status", class: "error", id: "signin-status" });
    const email = el("input", { type: "email", id: "signin-email", autocomplete: "username", required: true });
    const password = el("input", { type: "password", id: "signin-password", autocomplete: "current-password", required: true });
    const domain = el("input", { type: "text", id: "signin-domain", required: true, placeholder: "shop.example.com" });
    const token = el("input", { type: "password", id: "signin-token", required: true, autocomplete: "off" });
    const finish = async () => {
      const person = await me();
      container.replaceChildren();
      resolve(person);
    };
    const attempt = (work) => async (event) => {
      event.preventDefault();
      status.textContent = "";
      try {
        await work();
        await finish();
      } catch (error) {
        signOut();
        status.textContent = error instanceof ApiError ? error.message : "The server could not be reached.";
      }
    };
    const byPassword = el(
      "form",
      { class: "card stack", "aria-labelledby": "signin-password-heading", onsubmit: attempt(() => login(email.value, password.value, domain.value)) },
      el("h2", { id: "signin-password-heading", text: "With your email and password" }),
      el("div", {}, el("label", { for: "signin-email", text: "Email" }), email),
      el("div", {}, el("label", { for: "signin-password", text: "Password" }), password),
      el("div", {}, el("label", { for: "signin-domain", text: "Brand domain" }), domain),
      el("button", { type: "submit", text: "Sign in" }),
    );
    const byToken = el(
      "form",
      { class: "card stack", "aria-labelledby": "signin-token-heading", onsubmit: attempt(async () => signIn(token.value.trim())) },
      el("h2", { id: "signin-token-heading", text: "With an API token" }),
      el("div", {}, el("label", { for: "signin-token", text: "Token" }), token),
      el("button", { type: "submit", text: "Use this token" }),
    );
    container.replaceChildren(
      el("section", { class: "signin stack", "aria-labelledby": "signin-heading" },
        el("h2", { id: "signin-heading", text: heading }),
        el("p", { class: "muted", text: "make serve prints links that sign in as each demo person; their passwords are in var/demo.json." }),
        status,
        el("div", { class: "signin-ways" }, byPassword, byToken),
      ),
    );
    email.focus();
  });
}

/** A "Sign out" button for the header: forgets the token (it stays valid until revoked). */
export function signOutButton() {
  return el("button", {
    type: "button",
    class: "secondary",
    text: "Sign out",
    onclick: () => {
      signOut();
      window.location.reload();
    },
  });
}
