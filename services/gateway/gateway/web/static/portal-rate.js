// The mailed rating link's page: a click on a score in the mail already counts (the score is posted
// as the page opens); the customer may then add a comment. The link's key is the only proof needed.
import { ApiError, api } from "./atende.js";
import { ratingForm } from "./portal-rating.js";

const page = document.getElementById("rate");
const slot = document.getElementById("rate-form-slot");
const query = new URLSearchParams(location.search);
const key = query.get("key") || "";
const clicked = Number(query.get("score"));
const url = `/api/v1/ratings/tickets/${encodeURIComponent(page.dataset.ticketId)}`;
let last = null;

/** Show one of the page's messages (none: ""), hiding the others. */
function reveal(id) {
  for (const part of page.querySelectorAll("[data-part]")) part.hidden = part.id !== id;
  const shown = id && document.getElementById(id);
  shown?.focus();
}

/** A wrong key and a reopened request say so in place of the form. */
function refused(error) {
  const message =
    error.status === 404
      ? "rate-invalid"
      : error.status === 409 && error.body?.error === "ticket_not_finished"
        ? "rate-not-finished"
        : null;
  if (!message) return false;
  slot.replaceChildren();
  reveal(message);
  return true;
}

// Without a comment, the gateway keeps the one given before: opening the mail's link again wipes nothing.
function send(score, comment) {
  return api("POST", url, { json: comment === undefined ? { key, score } : { key, score, comment } });
}

function showForm(rating) {
  const thanks = (saved) => {
    last = saved;
    slot.replaceChildren();
    reveal("rate-thanks");
  };
  slot.replaceChildren(ratingForm({ id: "rating", rating, send, onRated: thanks, onRefused: refused }));
}

// Once counted, the score leaves the address: a reload or the language switch never posts it again.
function keepOnlyKey() {
  const here = `${location.pathname}?key=${encodeURIComponent(key)}`;
  history.replaceState(null, "", here);
  for (const link of document.querySelectorAll("a.language-switch")) {
    const target = new URL(link.href, location.origin);
    target.searchParams.set("next", here);
    link.href = target.pathname + target.search;
  }
}

document.getElementById("rate-again").addEventListener("click", () => {
  reveal("");
  showForm(last);
  (slot.querySelector("input:checked") || slot.querySelector("input"))?.focus();
});

if (!key) {
  reveal("rate-invalid");
} else if (Number.isInteger(clicked) && clicked >= 1 && clicked <= 5) {
  try {
    last = await send(clicked);
    keepOnlyKey();
    showForm(last);
    reveal("rate-recorded");
  } catch (error) {
    const refusal = error instanceof ApiError ? error : new ApiError(0, null);
    if (!refused(refusal)) {
      showForm({ score: clicked, comment: "" }); // the server away: the form lets them try again
      document.getElementById("rate-failed").textContent = refusal.message;
      reveal("rate-failed");
    }
  }
} else {
  keepOnlyKey();
  showForm(null);
}
page.setAttribute("aria-busy", "false");
