// How a chat's entries look in the console: messages, files (images previewed) and what happened.
import { el, formatDateTime, formatSize, t } from "./atende.js";

/** The text `key` with its {placeholders} filled from `values`. */
export function fill(key, values = {}) {
  return t(key).replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** "0:42", "12:05", "1:02:03": a wait that ticks every second. */
export function formatClock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const [h, m, rest] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const pad = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${pad(m)}:${pad(rest)}` : `${m}:${pad(rest)}`;
}

/** A conversation status as a badge. */
export function statusBadge(status) {
  return el("span", { class: `badge badge-chat-${status}` }, t(`console_chat_status_${status}`));
}

export const ENDED = new Set(["closed", "abandoned", "offline"]);

/** Where an agent downloads a file shared in a chat. */
export function fileUrl(conversationId, attachmentId) {
  return `/api/v1/agent/chats/${encodeURIComponent(conversationId)}/attachments/${encodeURIComponent(attachmentId)}`;
}

const described = new Map(); // url → Promise<{name, type, size}>

/**
 * A shared file's name, type and size, read from its download's headers (the entry only names its
 * id); the body is not fetched: the request is cut off as soon as the headers are in.
 */
export function describeFile(url) {
  if (!described.has(url)) {
    const controller = new AbortController();
    const found = fetch(url, { credentials: "same-origin", signal: controller.signal })
      .then((response) => {
        controller.abort();
        if (!response.ok) return null;
        const disposition = response.headers.get("content-disposition") || "";
        const utf8 = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
        const plain = /filename="([^"]*)"/i.exec(disposition);
        const name = utf8 ? decodeURIComponent(utf8[1]) : plain ? plain[1] : "";
        const size = Number(response.headers.get("content-length") || 0);
        return { name, type: response.headers.get("content-type") || "", size };
      })
      .catch(() => null);
    described.set(url, found);
  }
  return described.get(url);
}

/** A file in the log: a link (an image is shown as its preview) once its name and type are known. */
function fileBlock(url, caption) {
  const holder = el("div", { class: "entry-file" });
  const show = (info) => {
    const name = info?.name || caption || t("console_chat_file");
    if (info?.type?.startsWith("image/")) {
      const image = el("img", { src: url, alt: fill("console_chat_image_of", { name }), class: "entry-image" });
      holder.replaceChildren(el("a", { href: url, target: "_blank", rel: "noopener", class: "entry-image-link" }, image));
      holder.append(el("a", { href: url, download: name, class: "entry-file-link" }, name));
    } else {
      const size = info?.size ? ` (${formatSize(info.size)})` : "";
      holder.replaceChildren(
        el("a", { href: url, download: name, class: "entry-file-link", "aria-label": fill("console_chat_open_file", { name }) }, `📎 ${name}${size}`),
      );
    }
  };
  show(null);
  describeFile(url).then((info) => info && show(info));
  return holder;
}

function timeOf(iso) {
  return el("time", { datetime: iso, class: "entry-time" }, formatDateTime(iso));
}

function systemText(entry) {
  const name = entry.author_name || "";
  switch (entry.kind) {
    case "accepted":
      return fill("console_chat_entry_accepted", { name });
    case "transferred":
      return entry.agent_id
        ? fill("console_chat_entry_transferred_agent", { name, to: entry.agent_name || t("console_chat_another_agent") })
        : fill("console_chat_entry_transferred_department", { name, to: entry.department || "" });
    case "closed":
      return entry.author_kind === "customer" ? t("console_chat_entry_closed_customer") : fill("console_chat_entry_closed", { name: name || t("console_chat_customer_word") });
    case "abandoned":
      return t("console_chat_entry_abandoned");
    default:
      return fill("console_chat_entry_other", { kind: entry.kind });
  }
}

/**
 * One entry as a list item; the agent's own messages carry a receipt (sent, then read by the customer).
 */
export function renderEntry(entry, { conversationId, me }) {
  const spoken = ["message", "file", "requested", "offline"].includes(entry.kind);
  if (!spoken) {
    return el("li", { class: `entry entry-system entry-${entry.kind}`, dataset: { seq: entry.seq } }, el("span", {}, systemText(entry)), " · ", timeOf(entry.at));
  }
  const mine = entry.author_kind === "agent" && entry.author_id === me;
  const item = el("li", { class: `entry entry-${entry.author_kind} entry-${entry.kind}${mine ? " entry-mine" : ""}`, dataset: { seq: entry.seq } });
  const author = mine ? t("console_chat_you") : entry.author_name || entry.author_kind;
  item.append(el("p", { class: "entry-meta" }, el("span", { class: "entry-author" }, author), " ", timeOf(entry.at)));
  if (entry.kind === "requested") item.append(el("p", { class: "entry-label" }, fill("console_chat_entry_requested", { name: entry.author_name })));
  if (entry.kind === "offline") item.append(el("p", { class: "entry-label" }, t("console_chat_entry_offline")));
  if (entry.attachment_id) {
    const url = fileUrl(conversationId, entry.attachment_id);
    item.append(fileBlock(url, entry.text));
    if (entry.text) {
      // The text is a caption only when it says more than the file's own name.
      const caption = el("p", { class: "entry-text entry-caption", hidden: true }, entry.text);
      item.append(caption);
      describeFile(url).then((info) => {
        caption.hidden = Boolean(info && info.name === entry.text);
      });
    }
  } else if (entry.text) {
    item.append(el("p", { class: "entry-text" }, entry.text));
  }
  if (mine) item.append(el("p", { class: "entry-receipt", dataset: { state: "sent" } }, t("console_chat_sent")));
  return item;
}

/** A message of the agent's not yet stored: shown at once, replaced by the entry when it is. */
export function renderPending(text, fileName) {
  const item = el("li", { class: "entry entry-agent entry-mine entry-pending" });
  item.append(el("p", { class: "entry-meta" }, el("span", { class: "entry-author" }, t("console_chat_you"))));
  if (fileName) item.append(el("p", { class: "entry-file" }, `📎 ${fileName}`));
  if (text && text !== fileName) item.append(el("p", { class: "entry-text" }, text));
  item.append(el("p", { class: "entry-receipt", dataset: { state: "pending" } }, t("console_chat_pending")));
  return item;
}
