// The rating form both the mailed link's page and the request's page show: five choices, 1 "Muito
// ruim" to 5 "Excelente" (real radio buttons: arrow keys move between them), an optional comment.
import { ApiError, clearErrors, el, showErrors, t } from "./atende.js";
import { fill } from "./portal-common.js";

const WORDS = [t("portal_rate_1"), t("portal_rate_2"), t("portal_rate_3"), t("portal_rate_4"), t("portal_rate_5")];

/** The words for a score (1–5). */
export function scoreWord(score) {
  return WORDS[score - 1] || "";
}

/** "Sua avaliação: 4/5 (Bom)". */
export function ratingSummary(rating) {
  return fill("portal_rate_yours", { score: rating.score, word: scoreWord(rating.score) });
}

/**
 * A rating form; `send(score, comment)` posts it and resolves to the rating, then `onRated(rating)`.
 * `rating`: what to preselect. Refusals (a wrong link, a reopened request) go to the form's alert,
 * or to `onRefused(error)` when that handles them (returns true).
 */
export function ratingForm({ id, rating = null, send, onRated, onRefused = () => false }) {
  const choices = WORDS.map((word, index) => {
    const score = index + 1;
    const input = el("input", {
      type: "radio",
      name: "score",
      value: String(score),
      id: `${id}-score-${score}`,
      class: "rating-input",
      checked: rating?.score === score,
    });
    const label = el(
      "label",
      { for: input.id, class: "rating-choice" },
      el("span", { class: "rating-number" }, String(score)),
      " ", // the radio's name reads "4 Bom"
      el("span", { class: "rating-word" }, word),
    );
    return [input, label];
  });
  const comment = el("textarea", { id: `${id}-comment`, name: "comment", rows: "3", maxlength: "2000" });
  comment.value = rating?.comment || "";
  const button = el("button", { type: "submit", class: "button button-primary" }, t("portal_rate_send"));
  const form = el(
    "form",
    { class: "stack rating-form", id, novalidate: true },
    el("div", { class: "form-alert", role: "alert", tabindex: "-1", hidden: true }),
    el("fieldset", { class: "rating-scale" }, el("legend", {}, t("portal_rate_legend")), ...choices.flat()),
    el("div", { class: "field" }, el("label", { for: comment.id }, t("portal_rate_comment")), comment),
    el("div", { class: "form-actions" }, button),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const score = Number(new FormData(form).get("score"));
    if (!score) {
      showErrors(form, new ApiError(422, { message: t("portal_rate_pick") }));
      return;
    }
    button.disabled = true;
    try {
      // The comment is always sent (even empty): what the box shows is what the team reads.
      onRated(await send(score, comment.value.trim()));
    } catch (error) {
      const refusal = error instanceof ApiError ? error : new ApiError(0, null);
      if (!onRefused(refusal)) showErrors(form, refusal);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
