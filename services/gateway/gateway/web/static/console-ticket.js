// One ticket in the console: its whole history, a composer for public replies or internal notes,
// status moves and assignment. Every change names the version this page last showed; if someone
// else changed the ticket meanwhile (409) the page says so, shows it as it is now and keeps the text.
import { api, ApiError, clearErrors, el, filePicker, formatDateTime, showErrors, submitting, t } from "./atende.js";
import { historyItems, whatHappened } from "./console-history.js";
import { debounced, followConsole, isShortcut, tf } from "./console-live.js";

const root = document.getElementById("ticket");
const id = root.dataset.ticketId;
const me = root.dataset.me;
const base = `/api/v1/agent/tickets/${encodeURIComponent(id)}`;
const composer = document.getElementById("composer");
const body = document.getElementById("composer-body");
const notice = document.getElementById("ticket-notice");
const alert = document.getElementById("ticket-alert");
const assignForm = document.getElementById("assign-form");
const picker = filePicker(document.getElementById("composer-upload"), document.getElementById("composer-upload-list"), {
  url: () => `${base}/attachments`,
});
// What each status lets an agent do (a public reply is what makes a ticket await the customer).
const MOVES = {
  waiting: [["in_progress", "console_start_work"], ["finished", "console_finish"]],
  in_progress: [["finished", "console_finish"]],
  awaiting_customer: [["in_progress", "console_resume_work"], ["finished", "console_finish"]],
  finished: [["waiting", "console_reopen"]],
};

let ticket = null; // the ticket as last shown
let mine = 0; // the latest version this page's own changes made
let loads = 0;
let idempotencyKey = null; // kept across a failed send, so a retry lands once
const colleagues = new Map(); // department → [{account_id, name}]

function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function field(name) {
  return root.querySelector(`[data-field="${name}"]`);
}

function say(text) {
  alert.hidden = true;
  notice.textContent = text;
  notice.hidden = false;
}

function warn(text) {
  alert.textContent = text;
  alert.hidden = false;
}

function showTicket(shown, customer) {
  ticket = shown;
  document.title = `${shown.reference} ${shown.subject} · ${t("brand")}`;
  field("reference").textContent = shown.reference;
  field("subject").textContent = shown.subject;
  const badge = field("status");
  badge.className = `badge badge-${shown.status}`;
  badge.textContent = shown.status_label;
  if (customer) {
    const email = customer.name ? [el("span", { class: "muted" }, ` ${customer.email}`)] : [];
    field("customer").replaceChildren(el("span", {}, customer.name || customer.email), ...email);
  }
  field("department").textContent = shown.department || t("console_no_department");
  field("assignee").textContent = shown.assignee_name || t("console_nobody");
  field("opened").replaceChildren(el("time", { datetime: shown.opened_at }, formatDateTime(shown.opened_at)));
  const continues = shown.reopens ? [el("span", { class: "muted" }, ` · ${tf("console_reopens", { number: shown.reopens })}`)] : [];
  field("channel").replaceChildren(t(`console_channel_${shown.channel}`), ...continues);
  showMoves();
  showAssignment();
}

function showMoves() {
  const box = document.getElementById("status-actions");
  // Same status, same buttons: a refresh must not swap a button out from under a click.
  if (box.dataset.status === ticket.status) return;
  box.dataset.status = ticket.status;
  const hadFocus = box.contains(document.activeElement);
  box.replaceChildren(
    ...(MOVES[ticket.status] || []).map(([status, label]) =>
      el("button", { type: "button", class: status === "finished" ? "button" : "button button-primary", dataset: { move: status } }, t(label)),
    ),
  );
  if (hadFocus) box.querySelector("button")?.focus();
}

async function showAssignment() {
  const select = document.getElementById("assign-agent");
  const department = ticket.department || "";
  if (!colleagues.has(department)) {
    const query = department ? `?department=${encodeURIComponent(department)}` : "";
    try {
      colleagues.set(department, await api("GET", `/api/v1/agent/colleagues${query}`));
    } catch {
      colleagues.set(department, []);
    }
  }
  const shown = `${department}|${ticket.assignee || ""}`;
  if (select.dataset.shown === shown) return; // unchanged: leave the agent's pick alone
  select.dataset.shown = shown;
  const others = colleagues.get(department).filter((person) => person.account_id !== me);
  const options = [
    el("option", { value: "" }, t("console_nobody")),
    el("option", { value: me }, tf("console_assign_me", { name: root.dataset.meName })),
    ...others.map((person) => el("option", { value: person.account_id }, person.name)),
  ];
  if (ticket.assignee && ticket.assignee !== me && !others.some((p) => p.account_id === ticket.assignee)) {
    options.push(el("option", { value: ticket.assignee }, ticket.assignee_name || ticket.assignee));
  }
  select.replaceChildren(...options);
  select.value = ticket.assignee || "";
  document.getElementById("take-it").hidden = ticket.assignee === me;
}

async function load({ live = false } = {}) {
  const mineNow = ++loads;
  let detail;
  try {
    detail = await api("GET", base);
  } catch (error) {
    if (mineNow !== loads) return;
    if (error.status === 404) {
      field("subject").textContent = t("console_not_found");
      composer.hidden = true;
      root.querySelector(".ticket-side").hidden = true;
    } else warn(error.status ? error.message : t("console_loading_failed"));
    return;
  }
  if (mineNow !== loads) return;
  const seen = ticket?.version ?? null;
  const opened = detail.history.find((entry) => entry.kind === "opened");
  // Someone else's change: newer than what was shown and than anything this page did itself.
  const theirs = live && seen !== null && detail.ticket.version > Math.max(seen, mine) ? Math.max(seen, mine) : null;
  showTicket(detail.ticket, opened && { name: opened.actor_name, email: opened.actor });
  const history = document.getElementById("history");
  if (history.dataset.version !== String(detail.ticket.version)) {
    history.dataset.version = String(detail.ticket.version);
    history.replaceChildren(...historyItems(detail, theirs));
  }
  root.setAttribute("aria-busy", "false");
  if (theirs !== null) {
    const time = formatDateTime(new Date().toISOString());
    say(tf("console_live_ticket", { time, what: whatHappened(detail, theirs) }));
  }
}

/** A 409: someone else changed the ticket first. Show it as it is now; the agent decides again. */
async function outdated(error) {
  warn(t("console_stale"));
  const current = error.body?.current;
  if (current) showTicket(current, null);
  await load();
}

/** Send a change with the version last shown; the answer (or a 409) updates the page. */
async function change(method, path, json, options = {}) {
  try {
    const answer = await api(method, path, { json: { ...json, expected_version: ticket.version }, ...options });
    mine = Math.max(mine, answer.version);
    return answer;
  } catch (error) {
    if (error instanceof ApiError && error.status === 409 && error.body?.error === "stale_version") {
      await outdated(error);
      return null;
    }
    throw error;
  }
}

function mode() {
  return composer.elements.namedItem("mode").value;
}

function setMode(value) {
  const note = value === "note";
  composer.elements.namedItem("mode").value = value;
  composer.classList.toggle("composer-note", note);
  composer.classList.toggle("composer-public", !note);
  document.getElementById("composer-label").textContent = t(note ? "console_note_label" : "console_reply_label");
  document.getElementById("composer-hint").textContent = t(note ? "console_note_hint" : "console_public_hint");
  document.getElementById("composer-files").hidden = note;
  document.getElementById("composer-no-files").hidden = !note;
  document.getElementById("composer-send").textContent = t(note ? "console_add_note" : "console_send_reply");
}

composer.addEventListener("change", (event) => {
  if (event.target.name === "mode") setMode(event.target.value);
});

composer.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!ticket) return;
  const note = mode() === "note";
  if (!note && picker.busy()) {
    showErrors(composer, new ApiError(0, { message: t("wait_for_uploads") }));
    return;
  }
  idempotencyKey ||= newKey();
  const headers = { "Idempotency-Key": idempotencyKey };
  const sent = await submitting(composer, async (data) => {
    try {
      const json = note ? { body: data.body } : { body: data.body, attachment_ids: picker.ids() };
      return await change("POST", `${base}/${note ? "notes" : "replies"}`, json, { headers });
    } catch (error) {
      if (error instanceof ApiError && error.status) idempotencyKey = null; // refused: a new try is a new message
      throw error;
    }
  });
  if (!sent) {
    if (sent === null) idempotencyKey = null;
    return;
  }
  idempotencyKey = null;
  body.value = "";
  picker.clear();
  say(t(note ? "console_note_added" : "console_reply_sent"));
  await load();
  body.focus();
});

body.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    composer.requestSubmit();
  }
});

document.getElementById("status-actions").addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-move]");
  if (!button || !ticket) return;
  button.disabled = true;
  try {
    const moved = await change("PUT", `${base}/status`, { status: button.dataset.move });
    if (moved) {
      say(tf("console_status_changed_to", { status: moved.status_label }));
      await load();
    }
  } catch (error) {
    warn(error.message);
  } finally {
    button.disabled = false;
  }
});

async function assign(agentId) {
  clearErrors(assignForm);
  try {
    const assigned = await change("PUT", `${base}/assignee`, { agent_id: agentId || null });
    if (assigned) {
      say(assigned.assignee_name ? tf("console_assigned_to", { name: assigned.assignee_name }) : t("console_unassigned_done"));
      await load();
    }
  } catch (error) {
    showErrors(assignForm, error instanceof ApiError ? error : new ApiError(0, null));
  }
}

assignForm.addEventListener("submit", (event) => {
  event.preventDefault();
  if (ticket) assign(document.getElementById("assign-agent").value);
});
document.getElementById("take-it").addEventListener("click", () => ticket && assign(me));

document.addEventListener("keydown", (event) => {
  if (!isShortcut(event) || !ticket) return;
  if (event.key === "r" || event.key === "n") {
    event.preventDefault();
    setMode(event.key === "n" ? "note" : "public");
    body.focus();
  }
});

// Back to the inbox as the agent left it (its filters are in its address).
if (document.referrer) {
  const from = new URL(document.referrer);
  if (from.origin === location.origin && from.pathname === "/console") {
    document.getElementById("back-link").href = from.pathname + from.search;
  }
}

setMode("public");
load();
const refresh = debounced(() => load({ live: true }));
followConsole({
  onTicket(frame) {
    if (frame.ticket_id === id) refresh();
  },
  onConnected: refresh,
});
