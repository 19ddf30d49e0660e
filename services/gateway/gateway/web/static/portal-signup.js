// Sign up: errors on the fields; then "check your email" (with the link itself in development mode).
import { api, submitting } from "./atende.js";
import { fill, safeHref } from "./portal-common.js";

const form = document.getElementById("sign-up");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const email = form.elements.namedItem("email").value.trim();
  const accepted = await submitting(form, (data) => api("POST", "/api/v1/accounts", { json: data }));
  if (!accepted) return;
  document.getElementById("sign-up-section").hidden = true;
  document.getElementById("signed-up-text").textContent = fill("portal_check_email_text", { email });
  const href = accepted.dev_verification_url && safeHref(accepted.dev_verification_url);
  if (href) {
    const aid = document.getElementById("dev-link");
    aid.querySelector("a").href = href;
    aid.hidden = false;
  }
  const done = document.getElementById("signed-up");
  done.hidden = false;
  done.focus();
});
