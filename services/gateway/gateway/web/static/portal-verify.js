// Confirm the address with the token in the link's fragment (never sent to the server in the URL).
import { api } from "./atende.js";

const token = new URLSearchParams(location.hash.slice(1)).get("token");
// The token is single use: keep it out of the history and of anything copied from the address bar.
history.replaceState(null, "", location.pathname);
// Opening a link while on this page only changes the fragment: start again with the new token.
addEventListener("hashchange", () => location.reload());

async function verify() {
  if (!token) return false;
  try {
    await api("POST", "/api/v1/accounts/verify", { json: { token } });
    return true;
  } catch (error) {
    // 422 is the bad link the page already explains; anything else (the server away) says itself.
    if (error.status !== 422) document.getElementById("verify-failed-text").textContent = error.message;
    return false;
  }
}

const verified = await verify();
document.getElementById("verify-working").hidden = true;
const shown = document.getElementById(verified ? "verify-done" : "verify-failed");
shown.hidden = false;
shown.focus();
