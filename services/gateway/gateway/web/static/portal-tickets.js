// Solicitações: the customer's requests (newest activity first, 50 a page) and their past chats.
import { api, el, t } from "./atende.js";
import { fill, loadFailed, statusBadge, when } from "./portal-common.js";

const PAGE_SIZE = 50;
const asked = Number.parseInt(new URLSearchParams(location.search).get("page") || "1", 10);
const page = Number.isFinite(asked) && asked > 0 ? asked : 1;

function ticketRow(ticket) {
  const href = `/tickets/${encodeURIComponent(ticket.id)}`;
  const cell = (label, ...content) => el("td", { "data-label": t(label) }, ...content);
  const plain = (...content) => el("td", { class: "cell-plain" }, ...content); // a card's title needs no label
  const row = el(
    "tr",
    { class: "ticket-row", dataset: { href } },
    plain(el("span", { class: "ticket-number" }, ticket.reference)),
    plain(el("a", { href, class: "ticket-subject" }, ticket.subject)),
    cell("portal_col_status", statusBadge(ticket.status, ticket.status_label)),
    cell("portal_col_opened", when(ticket.opened_at)),
    cell("portal_col_activity", when(ticket.last_activity_at)),
  );
  return row;
}

function pager(total) {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const nav = document.getElementById("pager");
  nav.hidden = pages <= 1 && page === 1;
  if (nav.hidden) return;
  const link = (id, target) => {
    const anchor = document.getElementById(id);
    anchor.hidden = target < 1 || target > pages;
    anchor.href = `/tickets?page=${target}`;
  };
  link("pager-previous", Math.min(page - 1, pages));
  link("pager-next", page + 1);
  document.getElementById("pager-where").textContent = fill("portal_page_of", { page, pages });
}

async function loadTickets() {
  const state = document.getElementById("tickets-state");
  let found;
  try {
    found = await api("GET", `/api/v1/tickets?limit=${PAGE_SIZE}&offset=${(page - 1) * PAGE_SIZE}`);
  } catch (error) {
    loadFailed(state, error, loadTickets);
    return;
  }
  const table = document.getElementById("tickets");
  table.querySelector("tbody").replaceChildren(...found.tickets.map(ticketRow));
  table.hidden = found.tickets.length === 0;
  document.getElementById("no-tickets").hidden = found.total > 0;
  const count = found.total === 1 ? t("portal_count_one") : fill("portal_count", { count: found.total });
  state.textContent = found.total === 0 ? "" : count;
  state.hidden = found.total === 0;
  pager(found.total);
}

const CHAT_STATUSES = new Set(["queued", "active", "closed", "abandoned", "offline"]);

function chatItem(chat) {
  const status = CHAT_STATUSES.has(chat.status) ? t(`portal_chat_status_${chat.status}`) : chat.status;
  const href = `/chats/${encodeURIComponent(chat.conversation_id)}`;
  return el(
    "li",
    { class: "chat-item" },
    el("a", { href, class: "chat-question" }, chat.question),
    el("span", { class: "chat-meta muted" }, when(chat.requested_at), ` · ${chat.department} · ${status}`),
  );
}

async function loadChats() {
  const state = document.getElementById("chats-state");
  let found;
  try {
    found = await api("GET", "/api/v1/chat/conversations?limit=20");
  } catch (error) {
    loadFailed(state, error, loadChats);
    return;
  }
  document.getElementById("chats").replaceChildren(...found.conversations.map(chatItem));
  state.textContent = found.verify_email
    ? t("portal_chats_unverified")
    : found.conversations.length
      ? ""
      : t("portal_no_chats");
  state.hidden = !state.textContent;
}

// A click anywhere on a request's row opens it, as the guide says; the subject stays the keyboard's link.
document.getElementById("tickets").addEventListener("click", (event) => {
  const row = event.target.closest?.("tr[data-href]");
  if (!row || event.target.closest("a") || getSelection()?.toString()) return;
  location.assign(row.dataset.href);
});

// Coming back to the tab shows what changed meanwhile (an answer, a new status).
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") {
    loadTickets();
    loadChats();
  }
});

loadTickets();
loadChats();
