// The conversation as the customer sees it: entries in sequence order, each shown once (the seq
// is the key), the customer's own messages marked sending → sent (ack) → read (receipt).
import { el, formatDateTime, formatTime, lang, t } from "./atende.js";
import { fill } from "./widget-util.js";

const dayFormat = new Intl.DateTimeFormat(lang, { dateStyle: "full" });
const LINK = /\bhttps?:\/\/[^\s<>"']+/g;
const STATES = { uploading: "widget_sending", sending: "widget_sending", sent: "widget_sent", read: "widget_read", failed: "widget_failed" };

/** Text with its web addresses as links (remote-access details often are); never as HTML. */
export function richText(text) {
  const parts = [];
  let last = 0;
  for (const found of text.matchAll(LINK)) {
    const address = found[0].replace(/[.,;:!?)\]]+$/, "");
    parts.push(text.slice(last, found.index), el("a", { href: address, target: "_blank", rel: "noopener noreferrer" }, address));
    last = found.index + address.length;
  }
  parts.push(text.slice(last));
  return el("p", { class: "chat-text" }, ...parts);
}

function timeOf(at) {
  return el("time", { datetime: at, title: formatDateTime(at) }, formatTime(at));
}

export class ChatLog {
  /** `list`: the <ol role=log>; `fileCard(entry)`: a shared file's node. */
  constructor(list, fileCard) {
    this.list = list;
    this.fileCard = fileCard;
    this.reset();
  }

  reset() {
    this.list.replaceChildren();
    this.bySeq = new Map(); // seq → node: what is shown, once
    this.mine = new Map(); // client_id → {node, state}: messages sent from this page
    this.contiguous = 0; // every seq up to this one is shown: where a reconnect asks to resume
    this.highest = 0;
    this.agentRead = 0;
    this.lastFromAgent = 0;
  }

  /** Show an entry unless it is shown already; returns its new node (null: seen before). */
  add(entry) {
    if (this.bySeq.has(entry.seq)) return null;
    const sent = entry.author_kind === "customer" && entry.client_id ? this.mine.get(entry.client_id) : null;
    const node = sent ? sent.node : this.render(entry);
    if (sent) this.settle(sent, entry.seq, entry.at);
    else this.place(node, entry.seq, entry.at);
    if (entry.author_kind === "agent" && ["message", "file"].includes(entry.kind)) {
      this.lastFromAgent = Math.max(this.lastFromAgent, entry.seq);
    }
    return node;
  }

  render(entry) {
    const mine = entry.author_kind === "customer";
    const name = entry.agent_name || entry.author_name || t("widget_agent");
    switch (entry.kind) {
      case "requested":
      case "message":
        return this.bubble(mine, entry.author_name, [richText(entry.text || "")], entry.at);
      case "file": {
        const card = this.fileCard(entry);
        const caption = entry.text ? richText(entry.text) : null;
        // The text is a caption only when it says more than the file's own name.
        const hideEcho = () => caption && (caption.hidden = card.dataset.name === entry.text);
        card.addEventListener("named", hideEcho);
        hideEcho();
        return this.bubble(mine, entry.author_name, [card, caption], entry.at);
      }
      case "accepted":
        return this.event(fill(t("widget_entry_accepted"), { name }), entry.at);
      case "transferred":
        return this.event(
          entry.agent_id
            ? fill(t("widget_entry_transferred_agent"), { name })
            : fill(t("widget_entry_transferred_department"), { department: entry.department || "" }),
          entry.at,
        );
      case "closed":
      case "abandoned":
      case "offline":
        return this.event(t(`widget_entry_${entry.kind}`), entry.at);
      default:
        return el("li", { class: "chat-unknown", hidden: true }); // a kind this page does not know
    }
  }

  bubble(mine, author, body, at) {
    const meta = el("p", { class: "chat-meta" }, at ? timeOf(at) : el("time"));
    if (mine) meta.append(el("span", { class: "chat-state" }));
    const node = el(
      "li",
      { class: `chat-entry ${mine ? "chat-mine" : "chat-theirs"}` },
      el("p", { class: mine ? "chat-author visually-hidden" : "chat-author" }, mine ? t("widget_you") : author || t("widget_agent")),
      el("div", { class: "chat-bubble" }, ...body),
      meta,
    );
    if (mine && at) this.mark(node, "sent");
    return node;
  }

  event(text, at) {
    return el("li", { class: "chat-event" }, el("span", {}, text), " ", timeOf(at));
  }

  mark(node, state) {
    node.dataset.state = state;
    const label = node.querySelector(".chat-state");
    if (label) label.textContent = t(STATES[state]);
  }

  /** Put `node` in sequence order (unsent messages stay last) and keep the counters. */
  place(node, seq, at) {
    node.dataset.seq = seq;
    if (at) node.dataset.at = at;
    delete node.dataset.pending;
    const later = [...this.list.children].find((c) => c.dataset.pending !== undefined || Number(c.dataset.seq) > seq);
    this.list.insertBefore(node, later || null);
    this.bySeq.set(seq, node);
    this.highest = Math.max(this.highest, seq);
    while (this.bySeq.has(this.contiguous + 1)) this.contiguous += 1;
    if (node.classList.contains("chat-mine") && seq <= this.agentRead) this.mark(node, "read");
    this.days();
  }

  /** A day line wherever the day changes, so every time shown has its day. */
  days() {
    this.list.querySelectorAll(".chat-day").forEach((line) => line.remove());
    let previous = "";
    for (const node of [...this.list.children]) {
      if (!node.dataset.at) continue;
      const day = dayFormat.format(new Date(node.dataset.at));
      if (day !== previous) node.before(el("li", { class: "chat-day" }, el("span", {}, day)));
      previous = day;
    }
  }

  /** A message sent from this page, shown at once as "sending" (or "uploading": a file on its way). */
  pending(clientId, body, state = "sending") {
    const node = this.bubble(true, "", body, null);
    node.dataset.pending = "";
    this.mark(node, state);
    this.list.append(node);
    this.mine.set(clientId, { node, state });
    return node;
  }

  has(clientId) {
    return this.mine.has(clientId);
  }

  /** Stored: the message gets its number and time (from the ack or its entry, whichever is first). */
  settle(sent, seq, at) {
    if (sent.node.dataset.seq) return;
    sent.node.querySelector(".chat-meta time")?.replaceWith(timeOf(at));
    sent.node.querySelector(".chat-failure")?.remove();
    sent.state = "sent";
    this.mark(sent.node, "sent");
    this.place(sent.node, seq, at);
  }

  acked(clientId, seq, at) {
    const sent = this.mine.get(clientId);
    if (sent) this.settle(sent, seq, at);
  }

  /** The agent has seen everything up to `upTo`. */
  markRead(upTo) {
    this.agentRead = Math.max(this.agentRead, upTo);
    for (const node of this.list.querySelectorAll(".chat-mine[data-seq]")) {
      if (Number(node.dataset.seq) <= this.agentRead) this.mark(node, "read");
    }
  }

  /** Not stored: say why, and offer to send it again when that can help. */
  failed(clientId, message, retry) {
    const sent = this.mine.get(clientId);
    if (!sent || sent.node.dataset.seq) return;
    sent.state = "failed";
    this.mark(sent.node, "failed");
    sent.node.querySelector(".chat-failure")?.remove();
    const note = el("p", { class: "chat-failure", role: "alert" }, message || t("widget_failed"));
    if (retry) {
      note.append(" ", el("button", { type: "button", class: "button-link", onclick: () => retry(clientId) }, t("widget_retry")));
    }
    sent.node.append(note);
  }

  /** The oldest message still waiting for its ack (frames are answered in order). */
  oldestSending() {
    for (const [clientId, sent] of this.mine) if (sent.state === "sending") return clientId;
    return null;
  }

  /** Sent (again) on the socket: waiting for its ack. */
  sending(clientId) {
    const sent = this.mine.get(clientId);
    if (!sent) return;
    sent.state = "sending";
    sent.node.querySelector(".chat-failure")?.remove();
    this.mark(sent.node, "sending");
  }
}
