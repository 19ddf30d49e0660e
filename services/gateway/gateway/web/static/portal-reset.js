// Password reset: ask for the link by email; with the link's token, choose the new password.
import { ApiError, api, showErrors, submitting } from "./atende.js";
import { fill, safeHref } from "./portal-common.js";

const token = new URLSearchParams(location.hash.slice(1)).get("token");
// A link to this same page (the development aid) only changes the fragment: start again with it.
addEventListener("hashchange", () => location.reload());

function show(id) {
  const section = document.getElementById(id);
  section.hidden = false;
  section.focus?.();
}

if (token) {
  history.replaceState(null, "", location.pathname); // the token is a secret: not in the history
  document.getElementById("ask-link").hidden = true;
  document.getElementById("choose-password").hidden = false;
  const form = document.getElementById("reset-confirm");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const password = form.elements.namedItem("password").value;
    if (password !== form.elements.namedItem("repeat").value) {
      const reason = { field: "repeat", reason: "differ", message: fill("portal_passwords_differ", {}) };
      showErrors(form, new ApiError(422, { fields: [reason] }));
      return;
    }
    let spent = null; // the link's own refusal: no password will make it work
    const saved = await submitting(form, () =>
      api("POST", "/api/v1/password-resets/confirm", { json: { token, password } }).then(
        () => true,
        (error) => {
          spent = error.body?.fields?.find((field) => field.field === "token") || null;
          throw error;
        },
      ),
    );
    if (spent) {
      document.getElementById("choose-password").hidden = true;
      document.getElementById("link-spent-text").textContent = spent.message;
      show("link-spent");
      return;
    }
    if (!saved) return;
    document.getElementById("choose-password").hidden = true;
    show("password-saved");
  });
} else {
  const form = document.getElementById("reset-request");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = form.elements.namedItem("email").value.trim();
    const accepted = await submitting(form, (data) => api("POST", "/api/v1/password-resets", { json: data }));
    if (!accepted) return;
    form.hidden = true;
    document.getElementById("link-sent-text").textContent = fill("portal_reset_sent", { email });
    const href = accepted.dev_reset_url && safeHref(accepted.dev_reset_url);
    if (href) {
      const aid = document.getElementById("dev-link");
      aid.querySelector("a").href = href;
      aid.hidden = false;
    }
    show("link-sent");
  });
}
