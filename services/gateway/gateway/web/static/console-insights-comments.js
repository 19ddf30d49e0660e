// Customers' comments of a period (admins only: the page has this section only for them, and the API
// refuses agents): each with its score, the customer's words as text, where and by whom it was handled,
// when, and a link to the ticket or the chat's transcript.
import { api, el, formatDateTime, t } from "./atende.js";
import { tf } from "./console-live.js";
import { apiPath } from "./console-insights-address.js";

function stars(score) {
  const n = Math.max(0, Math.min(5, Number(score) || 0));
  return el(
    "p",
    { class: `comment-score comment-score-${n}` },
    el("span", { "aria-hidden": "true", class: "comment-stars" }, "★".repeat(n) + "☆".repeat(5 - n)),
    " ",
    el("span", {}, tf("console_insights_comment_score", { n })),
  );
}

/** Where the comment's ticket or chat opens. */
export function subjectLink(kind, id, number) {
  if (kind === "ticket") {
    return el("a", { href: `/console/tickets/${encodeURIComponent(id)}` }, tf("console_insights_comment_ticket", { number: number ?? "" }));
  }
  return el("a", { href: `/console/chats?${new URLSearchParams({ transcript: id })}` }, t("console_insights_comment_chat"));
}

function item(comment) {
  const meta = [comment.department, comment.agent].filter(Boolean);
  return el(
    "li",
    { class: "comment", dataset: { kind: comment.kind, id: comment.id, score: comment.score } },
    stars(comment.score),
    el("blockquote", { class: "comment-text" }, el("p", {}, comment.comment)),
    el(
      "p",
      { class: "comment-meta muted" },
      ...meta.flatMap((part) => [part, " · "]),
      el("time", { datetime: comment.rated_at }, formatDateTime(comment.rated_at)),
      " · ",
      subjectLink(comment.kind, comment.id, comment.number),
    ),
  );
}

/** The comments section in `root`: `load(state)` asks for the state's period and department. */
export function commentsView(root) {
  const list = root.querySelector("#comment-list");
  const status = root.querySelector("#comments-status");
  let loads = 0;
  return {
    async load(state) {
      const mine = ++loads;
      list.setAttribute("aria-busy", "true");
      status.textContent = t("console_insights_comments_loading");
      try {
        const found = await api("GET", apiPath("comments", state));
        if (mine !== loads) return;
        list.replaceChildren(...found.comments.map(item));
        status.textContent = found.comments.length ? "" : t("console_insights_comments_none");
      } catch (error) {
        if (mine !== loads) return;
        list.replaceChildren();
        status.textContent = error.status >= 400 && error.status < 500 ? error.message : t("console_insights_comments_unavailable");
      } finally {
        if (mine === loads) list.removeAttribute("aria-busy");
      }
    },
  };
}
