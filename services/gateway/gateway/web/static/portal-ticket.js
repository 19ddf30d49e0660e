// One request: its whole public history, its status at the top right, the reply form and "solved";
// once finished, how the customer rated it (or the rating form).
import { ApiError, api, el, filePicker, showErrors, submitting, t } from "./atende.js";
import {
  fileLink,
  fill,
  fillNodes,
  gateWhileUploading,
  keepDraft,
  sendOnCtrlEnter,
  loadFailed,
  newKey,
  statusBadge,
  when,
} from "./portal-common.js";
import { ratingForm, ratingSummary } from "./portal-rating.js";

const article = document.getElementById("ticket");
const ticketId = article.dataset.ticketId;
const base = `/api/v1/tickets/${encodeURIComponent(ticketId)}`;
const REFRESH_MS = 30_000;
let shownVersion = 0;
let loading = null;
let shownRating = null;

function author(entry) {
  if (entry.actor_kind === "customer") return [el("strong", {}, t("portal_you"))];
  if (entry.actor_kind === "agent") {
    return [
      el("strong", {}, entry.actor_name || t("portal_support_team")),
      el("span", { class: "role-tag" }, t("portal_support_team")),
    ];
  }
  return [el("strong", {}, t("portal_system"))];
}

function channelTag(entry) {
  if (entry.channel === "email") return el("span", { class: "channel-tag" }, t("portal_by_email"));
  if (entry.channel === "chat") return el("span", { class: "channel-tag" }, t("portal_by_chat"));
  return null;
}

function files(entry, attachments) {
  const links = entry.attachment_ids
    .map((id) => attachments.get(id))
    .filter(Boolean)
    .map((file) => el("li", {}, fileLink(file.filename, file.url, file.size)));
  const refused = (entry.refused_attachments || []).map((file) => {
    const text = fill("portal_file_refused", { name: file.filename, reason: file.message });
    return el("li", { class: "file-refused" }, text);
  });
  if (!links.length && !refused.length) return null;
  return el("ul", { class: "files", "aria-label": t("portal_files") }, links, refused);
}

function message(entry, attachments) {
  const mine = entry.actor_kind === "customer";
  return el(
    "li",
    { class: `entry message ${mine ? "from-customer" : "from-support"}` },
    el("p", { class: "entry-head" }, author(entry), channelTag(entry), when(entry.at)),
    entry.body ? el("p", { class: "entry-body" }, entry.body) : null,
    files(entry, attachments),
  );
}

function statusLine(entry) {
  const badge = entry.status ? statusBadge(entry.status, entry.status_label) : "";
  const words =
    entry.kind === "closed"
      ? [t("portal_status_closed"), " ", badge]
      : entry.kind === "reopened"
        ? [t("portal_status_reopened"), " ", badge]
        : fillNodes("portal_status_set", { status: badge });
  const by =
    entry.actor_kind === "customer"
      ? ` · ${t("portal_you")}`
      : entry.actor_kind === "agent" && entry.actor_name
        ? ` · ${entry.actor_name}`
        : "";
  return el(
    "li",
    { class: "entry status-change" },
    el("span", {}, words),
    el("span", { class: "muted" }, `${by} · `, when(entry.at)),
  );
}

function entryItem(entry, attachments) {
  if (entry.internal) return null; // the API never sends them to customers; never shown regardless
  if (entry.kind === "opened" || entry.kind === "replied") return message(entry, attachments);
  if (["status_changed", "closed", "reopened"].includes(entry.kind)) return statusLine(entry);
  return null;
}

function show(detail) {
  const { ticket } = detail;
  const title = document.getElementById("ticket-title");
  title.replaceChildren(el("span", { class: "ticket-number" }, ticket.reference), " ", ticket.subject);
  document.title = `${ticket.reference} ${ticket.subject} · ${t("brand")}`;
  const meta = fillNodes("portal_opened_at", { when: when(ticket.opened_at) });
  if (ticket.department) meta.push(" · ", fill("portal_department_is", { department: ticket.department }));
  if (ticket.reopens) meta.push(" · ", fill("portal_continues", { number: ticket.reopens }));
  document.getElementById("ticket-meta").replaceChildren(...meta);
  document.getElementById("ticket-status").replaceChildren(statusBadge(ticket.status, ticket.status_label));
  const meaning = `portal_status_meaning_${ticket.status}`;
  document.getElementById("status-meaning").textContent = t(meaning) === meaning ? "" : t(meaning);
  const finished = ticket.status === "finished";
  document.getElementById("solved").hidden = finished;
  document.getElementById("reopen-note").hidden = !finished;
  const attachments = new Map(detail.attachments.map((file) => [file.id, file]));
  document
    .getElementById("history")
    .replaceChildren(...detail.history.map((entry) => entryItem(entry, attachments)).filter(Boolean));
  document.getElementById("reply-section").hidden = false;
  showRating(finished, detail.rating);
  shownVersion = ticket.version;
}

/** The rating given (with "Alterar avaliação"), or the form; rebuilt only when it changed. */
function showRating(finished, rating, editing = false) {
  const section = document.getElementById("rating-section");
  const state = JSON.stringify([finished, rating, editing]);
  section.hidden = !finished;
  if (state === shownRating) return; // a refresh keeps a half-written comment
  shownRating = state;
  const slot = document.getElementById("rating-slot");
  if (!finished) {
    slot.replaceChildren();
  } else if (rating && !editing) {
    slot.replaceChildren(
      el("p", { class: "rating-given", id: "rating-given" }, ratingSummary(rating)),
      rating.comment ? el("p", { class: "rating-comment" }, rating.comment) : null,
      el("button", { type: "button", class: "button", onclick: () => showRating(true, rating, true) }, t("portal_rate_change")),
    );
  } else {
    const form = ratingForm({
      id: "rating-form",
      rating,
      send: (score, comment) => api("POST", `${base}/rating`, { json: { score, comment } }),
      onRated: async (saved) => {
        showRating(true, saved);
        notify(t("portal_rate_thanks"));
        await refresh();
      },
    });
    slot.replaceChildren(form);
    if (editing) (form.querySelector("input:checked") || form.querySelector("input"))?.focus();
  }
}

async function load() {
  const state = document.getElementById("ticket-state");
  try {
    const detail = await api("GET", base);
    state.hidden = true;
    if (detail.ticket.version !== shownVersion) show(detail);
  } catch (error) {
    if (error.status === 401) location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
    else if (error.status === 404) location.reload(); // gone for this visitor: the page says so itself
    else loadFailed(state, error, refresh);
  } finally {
    article.setAttribute("aria-busy", "false");
  }
}

function refresh() {
  loading ??= load().finally(() => {
    loading = null;
  });
  return loading;
}

function notify(text, failed = false) {
  const notice = document.getElementById("ticket-notice");
  notice.className = failed ? "form-alert" : "notice";
  notice.textContent = text;
  notice.hidden = false;
}

// Reply: files go to this ticket first, then the reply names them; a retry reuses its key.
const form = document.getElementById("reply");
const list = document.getElementById("reply-files-list");
const picker = filePicker(document.getElementById("reply-files"), list, { url: () => `${base}/attachments` });
const gate = gateWhileUploading(form, picker, list);
const forgetDraft = keepDraft(form, `atende-portal-reply-${ticketId}`);
sendOnCtrlEnter(form);
let replyKey = newKey();

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (picker.busy()) {
    showErrors(form, new ApiError(0, { message: t("wait_for_uploads") }));
    return;
  }
  const answered = await submitting(form, (data) =>
    api("POST", `${base}/replies`, {
      json: { ...data, attachment_ids: picker.ids() },
      headers: { "Idempotency-Key": replyKey },
    }),
  );
  gate();
  if (!answered) return;
  replyKey = newKey();
  forgetDraft();
  form.reset();
  picker.clear();
  if (answered.id !== ticketId) {
    // Too long after it was finished: the reply opened a new request that continues this one.
    location.assign(`/tickets/${encodeURIComponent(answered.id)}`);
    return;
  }
  notify(t("portal_reply_sent"));
  await refresh();
});

document.getElementById("solved").addEventListener("click", async (event) => {
  const button = event.currentTarget;
  button.disabled = true;
  try {
    await api("POST", `${base}/solved`);
    notify(t("portal_solved_done"));
    await refresh();
    document.getElementById("ticket-notice").focus();
  } catch (error) {
    notify(error.message, true);
  } finally {
    button.disabled = false;
  }
});

// An answer from support shows up without a reload: on coming back to the tab, and now and then.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") refresh();
});
setInterval(() => {
  if (document.visibilityState === "visible") refresh();
}, REFRESH_MS);

refresh();
