// The rating of an ended chat (templates/chat_rating.html), for the widget's ended screen and the
// portal's past chat. Its words come rendered in the form, so either page's texts serve.
import { ApiError } from "./atende.js";

/**
 * Wire a rating form: `send({score, comment})` records it and resolves to the rating as recorded.
 * Then the form thanks the customer and keeps their choice on view; changing it offers to send
 * again (a new rating replaces the last). Returns {show(rating), reset()}.
 */
export function ratingForm(form, send) {
  const button = form.querySelector("[type=submit]");
  const alert = form.querySelector(".form-alert");
  const status = form.querySelector("[data-rating-status]");
  const words = (name) => form.querySelector(`[data-rating-text=${name}]`).textContent;
  const comment = form.elements.namedItem("comment");
  let sent = null; // {score, comment} as recorded

  const chosen = () => ({ score: Number(form.elements.namedItem("score").value) || 0, comment: comment.value.trim() });
  const same = () => sent !== null && chosen().score === sent.score && chosen().comment === sent.comment;

  function tell(message) {
    alert.textContent = message;
    alert.hidden = !message;
  }

  function show(rating) {
    sent = { score: rating.score, comment: rating.comment || "" };
    for (const choice of form.querySelectorAll("[name=score]")) choice.checked = Number(choice.value) === sent.score;
    comment.value = sent.comment;
    button.hidden = true;
    tell("");
    status.textContent = words("thanks");
  }

  form.addEventListener("input", () => {
    button.hidden = same();
    if (!same()) status.textContent = "";
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const rating = chosen();
    if (!rating.score) {
      tell(words("pick"));
      form.querySelector("[name=score]").focus();
      return;
    }
    tell("");
    button.disabled = true;
    try {
      show(await send(rating));
      form.querySelector("[name=score]:checked")?.focus(); // (the button it was on is gone)
    } catch (error) {
      const refusal = error instanceof ApiError ? error : new ApiError(0, null);
      tell([refusal.message, ...(refusal.body.fields || []).map((field) => field.message)].join(" "));
      alert.focus();
    } finally {
      button.disabled = false;
    }
  });

  return {
    show,
    reset() {
      sent = null;
      form.reset();
      button.hidden = false;
      tell("");
      status.textContent = "";
    },
  };
}
