// Past chats: search the ended chats of the agent's departments and open one's transcript.
import { api, ApiError, el, formatDateTime, showErrors, clearErrors, t } from "./atende.js";
import { ENDED, fill, statusBadge } from "./console-chat-entries.js";

/** Wire the search form; `open(conversation_id)` shows a transcript. Lists the latest chats at once, and
 * opens the transcript the address names (/console/chats?transcript=<conversation id>). */
export function pastChats({ form, results, summary, open }) {
  const search = async () => {
    clearErrors(form);
    const query = new URLSearchParams({ limit: "50" });
    for (const name of ["q", "department", "customer_email"]) {
      const value = form.elements.namedItem(name).value.trim();
      if (value) query.set(name, value);
    }
    summary.textContent = t("console_chat_searching");
    results.setAttribute("aria-busy", "true");
    try {
      const found = await api("GET", `/api/v1/agent/chats?${query}`);
      const ended = found.conversations.filter((c) => ENDED.has(c.status));
      results.replaceChildren(...ended.map((c) => row(c, open)));
      summary.textContent = !ended.length ? t("console_chat_found_none") : ended.length === 1 ? t("console_chat_found_one") : fill("console_chat_found", { count: ended.length });
    } catch (error) {
      summary.textContent = "";
      showErrors(form, error instanceof ApiError ? error : new ApiError(0, null));
    } finally {
      results.removeAttribute("aria-busy");
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
  search();
  // A link from elsewhere in the console (insights' demands and comments) names a transcript to open.
  const linked = new URLSearchParams(location.search).get("transcript");
  if (linked) open(linked);
  return { refresh: search };
}

function row(conversation, open) {
  const when = conversation.closed_at || conversation.requested_at;
  const button = el(
    "button",
    { type: "button", class: "button-link past-open", "aria-label": fill("console_chat_open_transcript", { name: conversation.customer_name }) },
    conversation.customer_name,
  );
  button.addEventListener("click", () => open(conversation.conversation_id));
  return el(
    "li",
    { class: "past-item", dataset: { id: conversation.conversation_id } },
    el("p", { class: "past-who" }, button, " ", el("span", { class: "muted" }, conversation.customer_email)),
    el("p", { class: "past-meta" }, el("time", { datetime: when }, formatDateTime(when)), " · ", conversation.department, " ", statusBadge(conversation.status)),
    el("p", { class: "past-question muted" }, conversation.question),
  );
}
