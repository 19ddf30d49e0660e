// The ticket inbox: filters in the URL (a reload or Back keeps them), counts by status and
// department, and live: the agent socket says a ticket changed, the page fetches the inbox again.
import { api, el, formatDateTime, t } from "./atende.js";
import { debounced, followConsole, isShortcut, tf } from "./console-live.js";

const PAGE = 50;
const OPEN = ["waiting", "in_progress", "awaiting_customer"];
const STATUSES = [...OPEN, "finished"];
const TABS = ["open", ...STATUSES, "all"];

const form = document.getElementById("inbox-filters");
const rows = document.getElementById("inbox-rows");
const list = document.getElementById("inbox-list");
const empty = document.getElementById("inbox-empty");
const failure = document.getElementById("inbox-error");
const news = document.getElementById("inbox-news");
const pager = document.getElementById("inbox-pager");
const pageTitle = document.title;

/** The filters as the URL says them. */
function readState(search = location.search) {
  const params = new URLSearchParams(search);
  const status = TABS.includes(params.get("status")) ? params.get("status") : "open";
  const page = Math.max(1, Number.parseInt(params.get("page") || "1", 10) || 1);
  return {
    status,
    department: params.get("department") || "",
    assignee: params.get("assignee") || "",
    q: (params.get("q") || "").trim(),
    page,
  };
}

/** The page's address for `state` (defaults left out: /console is the open tickets of everyone). */
function urlOf(state) {
  const params = new URLSearchParams();
  if (state.status !== "open") params.set("status", state.status);
  for (const name of ["department", "assignee", "q"]) if (state[name]) params.set(name, state[name]);
  if (state.page > 1) params.set("page", String(state.page));
  const query = params.toString();
  return query ? `/console?${query}` : "/console";
}

/** The inbox API call for `state`. */
function apiPath(state) {
  const params = new URLSearchParams();
  const statuses = state.status === "open" ? OPEN : state.status === "all" ? [] : [state.status];
  for (const status of statuses) params.append("status", status);
  if (state.department) params.set("department", state.department);
  if (state.assignee) params.set("assignee", state.assignee === "unassigned" ? "-" : state.assignee);
  if (state.q) params.set("q", state.q);
  params.set("limit", String(PAGE));
  params.set("offset", String((state.page - 1) * PAGE));
  return `/api/v1/agent/tickets?${params}`;
}

let state = readState();
let shown = null; // ticket id → version, as last rendered (null: nothing yet)
const fresh = new Map(); // ticket id → "new" | "updated", marked since the filters last changed
let heard = []; // ticket frames not yet announced
let unseen = 0; // changes heard while the tab was hidden (shown in its title)
let loads = 0;
let signature = ""; // what the rows show, to rebuild them only when it changed

/** Put the filters of `state` on the form and the tabs. */
function showState() {
  form.elements.namedItem("q").value = state.q;
  form.elements.namedItem("department").value = state.department;
  const assignee = ["", "me", "unassigned"].includes(state.assignee) ? state.assignee : "";
  form.querySelector(`input[name=assignee][value="${assignee}"]`).checked = true;
  for (const tab of document.querySelectorAll("#status-tabs a")) {
    const key = tab.dataset.status;
    tab.href = urlOf({ ...state, status: key, page: 1 });
    if (key === state.status) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
}

/** Go to `next` filters: the address changes (Back returns), the list is fetched. */
function navigate(next) {
  state = next;
  fresh.clear();
  history.pushState(null, "", urlOf(state));
  showState();
  load();
}

/** Show a count; one that moved while the agent watched is highlighted for a moment. */
function showCount(key, count) {
  const node = document.querySelector(`[data-count-of="${key}"]`);
  if (!node) return;
  const before = node.textContent;
  node.textContent = String(count);
  if (shown !== null && before !== "" && before !== String(count)) {
    node.classList.remove("count-changed");
    void node.offsetWidth; // restart the highlight
    node.classList.add("count-changed");
  }
}

/** Counts by status (the tabs) and by department (the select), as the API gives them. */
function showCounts(page) {
  const byStatus = new Map(page.by_status.map((count) => [count.key, count]));
  for (const status of STATUSES) {
    const count = byStatus.get(status);
    if (count?.label) document.querySelector(`[data-status="${status}"] .tab-label`).textContent = count.label;
    showCount(status, count?.count || 0);
  }
  const sum = (keys) => keys.reduce((total, key) => total + (byStatus.get(key)?.count || 0), 0);
  showCount("open", sum(OPEN));
  showCount("all", sum(STATUSES));
  const byDepartment = new Map(page.by_department.map((count) => [count.key, count.count]));
  for (const option of form.querySelectorAll("option[data-department]")) {
    option.textContent = `${option.dataset.department} (${byDepartment.get(option.dataset.department) || 0})`;
  }
}

function cell(label, ...children) {
  return el("td", { "data-label": label }, ...children);
}

function row(ticket) {
  const href = `/console/tickets/${encodeURIComponent(ticket.id)}`;
  const mark = fresh.get(ticket.id);
  const channel = t(`console_channel_${ticket.channel}`);
  return el(
    "tr",
    { class: mark ? `inbox-row row-${mark}` : "inbox-row", dataset: { ticketId: ticket.id } },
    cell(t("console_col_number"), el("span", { class: "ticket-ref" }, ticket.reference)),
    cell(
      t("console_col_subject"),
      el("a", { href, class: "ticket-link", dataset: { ticketId: ticket.id } }, ticket.subject),
      mark ? el("span", { class: "row-tag" }, t(mark === "new" ? "console_row_new" : "console_row_updated")) : null,
      el("span", { class: "row-channel muted" }, channel),
    ),
    cell(t("console_col_customer"), customerCell(ticket)),
    cell(t("console_col_department"), ticket.department || el("span", { class: "muted" }, t("console_no_department"))),
    cell(t("console_col_status"), el("span", { class: `badge badge-${ticket.status}` }, ticket.status_label)),
    cell(t("console_col_assignee"), ticket.assignee_name || el("span", { class: "muted" }, t("console_nobody"))),
    cell(
      t("console_col_activity"),
      el("time", { datetime: ticket.last_activity_at }, formatDateTime(ticket.last_activity_at)),
    ),
  );
}

function showPager(page) {
  pager.hidden = page.total <= PAGE && state.page === 1;
  const first = page.total ? page.offset + 1 : 0;
  const last = page.offset + page.tickets.length;
  document.getElementById("pager-range").textContent = tf("console_showing", { from: first, to: last, total: page.total });
  const previous = document.getElementById("pager-previous");
  const next = document.getElementById("pager-next");
  previous.href = urlOf({ ...state, page: state.page - 1 });
  next.href = urlOf({ ...state, page: state.page + 1 });
  previous.hidden = state.page <= 1;
  next.hidden = last >= page.total;
}

function render(page, live) {
  if (live && shown !== null) {
    for (const ticket of page.tickets) {
      if (!shown.has(ticket.id)) fresh.set(ticket.id, "new");
      else if (shown.get(ticket.id) !== ticket.version && !fresh.has(ticket.id)) fresh.set(ticket.id, "updated");
    }
  }
  // Rows are rebuilt only when something in them changed: never under a click for nothing.
  const now = JSON.stringify(page.tickets.map((ticket) => [ticket, fresh.get(ticket.id)]));
  if (now !== signature) {
    signature = now;
    const focused = document.activeElement?.closest?.("#inbox-rows [data-ticket-id]")?.dataset.ticketId;
    rows.replaceChildren(...page.tickets.map(row));
    if (focused) rows.querySelector(`a[data-ticket-id="${CSS.escape(focused)}"]`)?.focus();
  }
  shown = new Map(page.tickets.map((ticket) => [ticket.id, ticket.version]));
  empty.hidden = page.tickets.length > 0;
  showCounts(page);
  showPager(page);
}

/** Who asked: the name, with the address beneath it. */
function customerCell(ticket) {
  const email = ticket.customer_name ? el("span", { class: "customer-email muted" }, ticket.customer_email) : null;
  return el("span", { class: "customer" }, el("span", { class: "customer-name" }, ticket.customer_name || ticket.customer_email), email);
}

/** What the frames heard since the last announcement say, politely, once. */
function announce() {
  if (!heard.length) return;
  const numbers = new Map();
  for (const frame of heard) numbers.set(frame.number, numbers.get(frame.number) === "opened" ? "opened" : frame.event);
  heard = [];
  const items = [...numbers].map(([number, event]) =>
    tf(event === "opened" ? "console_live_opened" : "console_live_changed", { number }),
  );
  const more = items.length > 3 ? [tf("console_live_more", { n: items.length - 3 })] : [];
  const time = formatDateTime(new Date().toISOString());
  news.textContent = tf("console_live_news", { time, what: [...items.slice(0, 3), ...more].join(", ") });
}

async function load({ live = false } = {}) {
  const mine = ++loads;
  list.setAttribute("aria-busy", "true");
  try {
    const page = await api("GET", apiPath(state));
    if (mine !== loads) return; // a later load (other filters) answers instead
    failure.hidden = true;
    render(page, live);
    if (live) announce();
  } catch (error) {
    if (mine !== loads) return;
    failure.textContent = error.status ? error.message : t("console_loading_failed");
    failure.hidden = false;
  } finally {
    if (mine === loads) list.setAttribute("aria-busy", "false");
  }
}

const refresh = debounced(() => load({ live: true }));

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const data = new FormData(form);
  navigate({
    ...state,
    q: String(data.get("q") || "").trim(),
    department: String(data.get("department") || ""),
    assignee: String(data.get("assignee") || ""),
    page: 1,
  });
});
// Filters that are one choice apply at once; the search box waits for Enter or the button.
form.addEventListener("change", (event) => {
  if (event.target.name === "department" || event.target.name === "assignee") form.requestSubmit();
});

document.addEventListener("click", (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const link = event.target.closest("#status-tabs a, #inbox-pager a, #inbox-clear");
  if (link) {
    event.preventDefault();
    navigate(readState(new URL(link.href).search));
    return;
  }
  // A click anywhere on a row opens its ticket (the subject is the row's link for keyboards).
  const line = event.target.closest("#inbox-rows tr");
  if (line && !event.target.closest("a, button")) line.querySelector("a.ticket-link")?.click();
});

window.addEventListener("popstate", () => {
  state = readState();
  fresh.clear();
  showState();
  load();
});

document.addEventListener("keydown", (event) => {
  if (!isShortcut(event)) return;
  if (event.key === "/") {
    event.preventDefault();
    form.elements.namedItem("q").focus();
  } else if (event.key === "j" || event.key === "k") {
    const links = [...rows.querySelectorAll("a.ticket-link")];
    if (!links.length) return;
    const at = links.indexOf(document.activeElement);
    const next = at < 0 ? 0 : Math.min(links.length - 1, Math.max(0, at + (event.key === "j" ? 1 : -1)));
    links[next].focus();
    event.preventDefault();
  }
});

document.addEventListener("visibilitychange", () => {
  if (!document.hidden) {
    unseen = 0;
    document.title = pageTitle;
  }
});

showState();
load();
followConsole({
  onTicket(frame) {
    heard.push(frame);
    if (document.hidden) {
      unseen += 1;
      document.title = `(${unseen}) ${pageTitle}`;
    }
    refresh();
  },
  onConnected: refresh,
});
