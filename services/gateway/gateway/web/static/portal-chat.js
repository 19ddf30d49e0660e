// A past chat's transcript: every message and file, who said it and when; an ended one can be rated.
import { api, el, t } from "./atende.js";
import { ratingForm } from "./chat-rating.js";
import { fileLink, fill, fillNodes, loadFailed, when } from "./portal-common.js";

const article = document.getElementById("transcript");
const conversationId = article.dataset.conversationId;
const base = `/api/v1/chat/conversations/${encodeURIComponent(conversationId)}`;
const STATUSES = new Set(["queued", "active", "closed", "abandoned", "offline"]);
const RATED = new Set(["closed", "abandoned"]); // (an offline message was never a chat)
const rating = ratingForm(document.getElementById("chat-rating"), (data) =>
  api("POST", `${base}/rating`, { json: data }),
);

function who(entry) {
  if (entry.author_kind === "customer") return t("portal_you");
  if (entry.author_kind === "agent") return entry.author_name || t("portal_support_team");
  return t("portal_system");
}

function said(entry, ...content) {
  const side = entry.author_kind === "customer" ? "from-customer" : "from-support";
  return el(
    "li",
    { class: `entry message ${side}` },
    el("p", { class: "entry-head" }, el("strong", {}, who(entry)), when(entry.at)),
    ...content,
  );
}

function happened(entry, text) {
  return el(
    "li",
    { class: "entry status-change" },
    el("span", {}, text),
    el("span", { class: "muted" }, " · ", when(entry.at)),
  );
}

function body(text) {
  return text ? el("p", { class: "entry-body" }, text) : null;
}

function entryItem(entry) {
  const name = entry.agent_name || t("portal_support_team");
  switch (entry.kind) {
    case "requested":
    case "message":
      return said(entry, body(entry.text));
    case "offline":
      return said(entry, body(entry.text), el("p", { class: "muted" }, t("portal_chat_offline")));
    case "file": {
      // The transcript names no file: the download carries its name.
      const url = `${base}/attachments/${encodeURIComponent(entry.attachment_id)}`;
      const link = el("ul", { class: "files" }, el("li", {}, fileLink(t("portal_chat_file"), url)));
      return said(entry, body(entry.text), link);
    }
    case "accepted":
      return happened(entry, fill("portal_chat_accepted", { name }));
    case "transferred": {
      const where = entry.department ? `${name} (${entry.department})` : name;
      return happened(entry, fill("portal_chat_transferred", { name: where }));
    }
    case "closed":
      return happened(entry, t("portal_chat_closed"));
    case "abandoned":
      return happened(entry, t("portal_chat_abandoned"));
    default:
      return null;
  }
}

function show({ conversation: chat, entries }) {
  const heading = fillNodes("portal_chat_heading", { when: when(chat.requested_at) });
  document.getElementById("chat-title").replaceChildren(...heading);
  const meta = [chat.department];
  if (chat.agent_name) meta.push(" · ", fill("portal_chat_with", { name: chat.agent_name }));
  document.getElementById("chat-meta").replaceChildren(...meta);
  const status = STATUSES.has(chat.status) ? t(`portal_chat_status_${chat.status}`) : chat.status;
  const badge = el("span", { class: `badge chat-${chat.status}` }, status);
  document.getElementById("chat-status").replaceChildren(badge);
  document.getElementById("entries").replaceChildren(...entries.map(entryItem).filter(Boolean));
  document.getElementById("rating").hidden = !RATED.has(chat.status);
  if (chat.rating) rating.show(chat.rating);
}

async function load() {
  const state = document.getElementById("chat-state");
  try {
    show(await api("GET", base));
    state.hidden = true;
  } catch (error) {
    loadFailed(state, error, load);
  } finally {
    article.setAttribute("aria-busy", "false");
  }
}

load();
