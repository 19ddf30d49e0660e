// A ticket's history as the console shows it: messages (the customer's and the team's public
// replies), internal notes set apart (colour, label, icon, and said in words for screen readers),
// and the moves between them (status, assignment), each with day and time.
import { el, formatDateTime, formatSize, t } from "./atende.js";
import { tf } from "./console-live.js";

const SVG = "http://www.w3.org/2000/svg";

/** A small padlock: internal things wear it (beside words; the icon alone says nothing). */
export function lockIcon() {
  const icon = document.createElementNS(SVG, "svg");
  icon.setAttribute("viewBox", "0 0 16 16");
  icon.setAttribute("width", "16");
  icon.setAttribute("height", "16");
  icon.setAttribute("aria-hidden", "true");
  icon.setAttribute("focusable", "false");
  icon.classList.add("icon-lock");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute(
    "d",
    "M4 7V5a4 4 0 0 1 8 0v2h.5A1.5 1.5 0 0 1 14 8.5v5a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 2 13.5v-5A1.5 1.5 0 0 1 3.5 7H4zm2 0h4V5a2 2 0 0 0-4 0v2z",
  );
  icon.append(path);
  return icon;
}

/** Who did it, as people read it. */
function who(entry) {
  if (entry.actor_name) return entry.actor_name;
  if (entry.actor_kind === "agent") return t("console_someone");
  if (entry.actor_kind === "system") return t("console_system");
  return entry.actor;
}

function when(entry) {
  return el("time", { class: "entry-time", datetime: entry.at }, formatDateTime(entry.at));
}

function files(entry, attachments) {
  if (!entry.attachment_ids?.length && !entry.refused_attachments?.length) return null;
  const items = entry.attachment_ids.map((id) => {
    const file = attachments.get(id);
    if (!file) return null;
    return el(
      "li",
      { class: "entry-file" },
      el("a", { href: file.url }, file.filename),
      el("span", { class: "muted" }, ` (${formatSize(file.size)})`),
    );
  });
  const refused = (entry.refused_attachments || []).map((file) =>
    el("li", { class: "entry-refused" }, tf("console_refused_file", { name: file.filename, reason: file.message })),
  );
  return el("ul", { class: "entry-files", "aria-label": t("console_files") }, ...items, ...refused);
}

function message(entry, attachments) {
  const note = entry.kind === "note";
  const fromCustomer = entry.actor_kind === "customer";
  const title = note
    ? tf("console_entry_note", { who: who(entry) })
    : tf(entry.kind === "opened" ? "console_entry_opened" : "console_entry_replied", { who: who(entry) });
  const side = note ? "entry-note" : fromCustomer ? "entry-customer" : "entry-team";
  const channel = entry.channel && entry.channel !== "portal" ? tf("console_via", { channel: t(`console_channel_${entry.channel}`) }) : null;
  return el(
    "article",
    { class: `entry entry-message ${side}` },
    el(
      "header",
      { class: "entry-head" },
      note
        ? el("span", { class: "note-label" }, lockIcon(), t("console_internal_note"))
        : el("span", { class: fromCustomer ? "role-label role-customer" : "role-label role-team" }, t(fromCustomer ? "console_from_customer" : "console_from_team")),
      el("h3", { class: "entry-title" }, title),
      when(entry),
      channel ? el("span", { class: "entry-channel muted" }, channel) : null,
    ),
    entry.body ? el("div", { class: "entry-body" }, entry.body) : null,
    files(entry, attachments),
  );
}

function move(entry) {
  const name = entry.assignee_name || t("console_someone");
  const texts = {
    status_changed: () => tf("console_entry_status", { who: who(entry) }),
    closed: () => tf(entry.actor_kind === "customer" ? "console_entry_closed_customer" : "console_entry_closed", { who: who(entry) }),
    reopened: () => tf("console_entry_reopened", { who: who(entry) }),
    assigned: () => tf(entry.assignee ? "console_entry_assigned" : "console_entry_unassigned", { who: who(entry), name }),
    delivery_failed: () => t("console_entry_delivery_failed"),
    rated: () => tf("console_entry_rated", { score: entry.score }),
  };
  const text = (texts[entry.kind] || (() => entry.kind))();
  return el(
    "div",
    { class: `entry entry-event${entry.internal ? " entry-internal" : ""}` },
    entry.internal ? el("span", { class: "internal-tag" }, lockIcon(), t("console_internal")) : null,
    el(
      "p",
      { class: "entry-text" },
      text,
      entry.kind === "status_changed" ? [" ", el("span", { class: `badge badge-${entry.status}` }, entry.status_label)] : null,
    ),
    ["delivery_failed", "rated"].includes(entry.kind) && entry.body ? el("p", { class: "entry-detail muted" }, entry.body) : null,
    when(entry),
  );
}

/** The history's list items; entries after version `newerThan` are marked as just arrived. */
export function historyItems(detail, newerThan = null) {
  const attachments = new Map((detail.attachments || []).map((file) => [file.id, file]));
  return detail.history.map((entry) => {
    const content = ["opened", "replied", "note"].includes(entry.kind) ? message(entry, attachments) : move(entry);
    const fresh = newerThan !== null && entry.version > newerThan;
    return el("li", { class: fresh ? "history-item entry-fresh" : "history-item", dataset: { version: entry.version } }, content);
  });
}

/** In a few words, what the entries after `version` did (for the "new activity" notice). */
export function whatHappened(detail, version) {
  const said = new Set();
  for (const entry of detail.history.filter((e) => e.version > version)) {
    if (entry.kind === "replied" || entry.kind === "opened") said.add(tf("console_news_replied", { who: who(entry) }));
    else if (entry.kind === "note") said.add(tf("console_news_note", { who: who(entry) }));
    else if (entry.status_label) said.add(tf("console_news_status", { status: entry.status_label }));
    else if (entry.kind === "assigned") said.add(tf("console_news_assigned", { name: entry.assignee_name || t("console_nobody") }));
  }
  return said.size ? [...said].join(", ") : t("console_news_other");
}
