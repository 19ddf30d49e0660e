// One chat in the console: its tab and panel, the conversation in seq order (never a gap, never
// twice), the customer's typing and read receipts, and the agent's messages until they are stored.
import { el, formatDateTime, t } from "./atende.js";
import { Composer } from "./console-chat-composer.js";
import { ENDED, fill, renderEntry, renderPending } from "./console-chat-entries.js";

const TYPING_SHOWN_MS = 6000; // the customer's typing shows this long after their last frame
const LEAVING = new Set(["closed", "abandoned", "transferred"]);

/** A client_id unique enough for a retry to be recognised (crypto.randomUUID needs https). */
function newClientId() {
  const random = crypto.getRandomValues(new Uint32Array(3));
  return `c-${Date.now().toString(36)}-${Array.from(random, (n) => n.toString(36)).join("")}`;
}

export class ChatView {
  /**
   * `summary`: the conversation; `send(frame)` is the socket's (false while it is down);
   * `actions`: {transfer(view), end(view), closeTab(view), changed(view)}; `past`: a read-only transcript.
   */
  constructor(summary, { me, send, actions, past = false }) {
    this.id = summary.conversation_id;
    this.key = past ? `past-${this.id}` : this.id;
    this.me = me;
    this.send = send;
    this.actions = actions;
    this.past = past;
    this.baseline = summary.last_seq || 0; // customer entries after this one are news (unread)
    this.entries = new Map(); // seq → list item
    this.pending = new Map(); // client_id → {item, frame, seq}
    this.lastSeq = 0;
    this.readUpTo = 0; // the customer has seen the agent's messages up to here
    this.readSent = 0; // what this agent told the customer it has seen
    this.unread = 0;
    this.selected = false;
    this.syncing = false;
    this.transferTarget = "";
    this._typingTimer = 0;
    this._seenTimer = 0;
    this._build();
    this.update(summary);
  }

  _build() {
    const slug = this.key.replace(/[^\w-]/g, "");
    this.tab = el(
      "button",
      { type: "button", role: "tab", id: `chat-tab-${slug}`, "aria-controls": `chat-panel-${slug}`, "aria-selected": "false", tabindex: "-1", class: "chat-tab", dataset: { key: this.key } },
      el("span", { class: "tab-name" }),
      " ",
      el("span", { class: "tab-meta" }),
      " ",
      el("span", { class: "tab-unread", hidden: true }, el("span", { class: "nav-count" }), el("span", { class: "visually-hidden" })),
    );
    const template = document.getElementById("chat-panel-template");
    this.panel = template.content.firstElementChild.cloneNode(true);
    this.panel.id = `chat-panel-${slug}`;
    this.panel.setAttribute("aria-labelledby", this.tab.id);
    this.panel.hidden = true;
    const slot = (name) => this.panel.querySelector(`[data-slot=${name}]`);
    this.slots = Object.fromEntries(["name", "email", "department", "status", "question", "started", "state", "log", "entries", "typing", "composer"].map((n) => [n, slot(n)]));
    this.scroller = this.slots.log;
    this.log = this.slots.entries;
    this.composer = new Composer(this.slots.composer, {
      slug,
      uploadUrl: `/api/v1/agent/chats/${encodeURIComponent(this.id)}/attachments`,
      post: (message) => this._post(message),
      typing: () => this.send({ type: "typing", conversation_id: this.id }),
    });
    this.panel.querySelector("[data-action=transfer]").addEventListener("click", () => this.actions.transfer(this));
    this.panel.querySelector("[data-action=end]").addEventListener("click", () => this.actions.end(this));
    this.panel.querySelector("[data-action=close-tab]").addEventListener("click", () => this.actions.closeTab(this));
  }

  /** live: the agent's to answer; ended; away: transferred elsewhere; past: a transcript. */
  get state() {
    const summary = this.summary;
    if (this.past) return "past";
    if (ENDED.has(summary.status)) return "ended";
    if (summary.status !== "active" || summary.agent_id !== this.me) return "away";
    return "live";
  }

  /** The conversation as it is now (status, agent…). */
  update(summary) {
    this.summary = { ...this.summary, ...summary };
    const s = this.summary;
    const state = this.state;
    this.slots.name.textContent = s.customer_name;
    this.slots.email.textContent = s.customer_email || "";
    this.slots.department.textContent = s.department;
    this.slots.status.className = `badge badge-chat-${s.status}`;
    this.slots.status.textContent = t(`console_chat_status_${s.status}`);
    this.slots.question.textContent = s.question;
    this.slots.started.textContent = formatDateTime(s.requested_at);
    this.scroller.setAttribute("aria-label", fill("console_chat_conversation_log", { name: s.customer_name }));
    const notice = {
      past: t("console_chat_past_notice"),
      ended: t("console_chat_ended_notice"),
      away: fill("console_chat_transferred_notice", { to: s.agent_name || this.transferTarget || s.department }),
    }[state];
    this.slots.state.hidden = !notice;
    this.slots.state.textContent = notice || "";
    const live = state === "live";
    this.panel.dataset.state = state;
    this.slots.composer.hidden = !live;
    this.panel.querySelector("[data-action=transfer]").hidden = !live;
    this.panel.querySelector("[data-action=end]").hidden = !live;
    this.panel.querySelector("[data-action=close-tab]").hidden = live;
    if (!live) this.slots.typing.textContent = "";
    this.tab.classList.toggle("chat-tab-ended", !live);
    this._renderTab();
    this.actions.changed(this);
  }

  _renderTab() {
    const meta = { past: t("console_chat_tab_past"), ended: t("console_chat_tab_ended"), away: t("console_chat_tab_ended") }[this.state];
    this.tab.querySelector(".tab-name").textContent = this.summary.customer_name;
    this.tab.querySelector(".tab-meta").textContent = meta ? `${this.summary.department} · ${meta}` : this.summary.department;
    // The count shows as a badge; screen readers hear "2 unread".
    const unread = this.tab.querySelector(".tab-unread");
    unread.hidden = this.unread === 0;
    unread.firstElementChild.textContent = this.unread ? String(this.unread) : "";
    unread.lastElementChild.textContent = this.unread ? ` ${t(this.unread === 1 ? "console_chat_unread_one" : "console_chat_unread")}` : "";
  }

  /** The highest seq with nothing missing before it: what a sync asks to continue from. */
  contiguous() {
    let seq = 0;
    while (this.entries.has(seq + 1)) seq += 1;
    return seq;
  }

  /** Add a stored entry (once, in seq order); true when something before the last one is missing. */
  add(entry) {
    if (this.entries.has(entry.seq)) return false;
    const waiting = entry.client_id && this.pending.get(entry.client_id);
    if (waiting) {
      waiting.item.remove();
      this.pending.delete(entry.client_id);
    }
    const item = renderEntry(entry, { conversationId: this.id, me: this.me });
    this.entries.set(entry.seq, item);
    const later = [...this.log.children].find((child) => child.classList.contains("entry-pending") || Number(child.dataset.seq) > entry.seq);
    const box = this.scroller;
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    this.log.insertBefore(item, later || null);
    this.lastSeq = Math.max(this.lastSeq, entry.seq);
    if (entry.author_kind === "agent" && entry.author_id === this.me && entry.seq <= this.readUpTo) this._markRead(item);
    if (entry.author_kind === "customer") {
      this.slots.typing.textContent = "";
      if (entry.seq > this.baseline && !this.past && !this._inView()) {
        this.unread += 1;
        this._renderTab();
      }
    }
    if (atBottom || !later) box.scrollTop = box.scrollHeight;
    // A receipt for a chat that is leaving (closed, handed over) would only be refused.
    if (!LEAVING.has(entry.kind)) this._seenSoon();
    return this.contiguous() < this.lastSeq;
  }

  _inView() {
    return this.selected && document.visibilityState === "visible";
  }

  /** The message with `client_id` is stored as `seq`. */
  ack({ client_id: clientId, seq }) {
    const waiting = this.pending.get(clientId);
    if (!waiting) return;
    if (this.entries.has(seq)) {
      waiting.item.remove();
      this.pending.delete(clientId);
      return;
    }
    waiting.seq = seq;
    const receipt = waiting.item.querySelector(".entry-receipt");
    receipt.dataset.state = "sent";
    receipt.textContent = t("console_chat_sent");
  }

  /** The message with `client_id` was refused: say why, and offer to send it again. */
  refused(clientId, message) {
    const waiting = this.pending.get(clientId);
    if (!waiting) return false;
    const receipt = waiting.item.querySelector(".entry-receipt");
    receipt.dataset.state = "failed";
    const retry = el("button", { type: "button", class: "button-link" }, t("console_chat_send"));
    retry.addEventListener("click", () => {
      receipt.dataset.state = "pending";
      receipt.textContent = t("console_chat_pending");
      this.send(waiting.frame);
    });
    receipt.replaceChildren(`${t("console_chat_not_sent")}: ${message} `, retry);
    return true;
  }

  /** Send again what was not acknowledged (after a reconnect: the client_id makes a retry harmless). */
  flush() {
    for (const waiting of this.pending.values()) {
      if (waiting.seq === undefined && waiting.item.querySelector("[data-state=pending]")) this.send(waiting.frame);
    }
  }

  customerTyping() {
    if (this.state !== "live") return;
    this.slots.typing.textContent = fill("console_chat_typing", { name: this.summary.customer_name });
    clearTimeout(this._typingTimer);
    this._typingTimer = setTimeout(() => {
      this.slots.typing.textContent = "";
    }, TYPING_SHOWN_MS);
  }

  customerRead(upTo) {
    this.readUpTo = Math.max(this.readUpTo, upTo || 0);
    for (const [seq, item] of this.entries) {
      if (seq <= this.readUpTo && item.classList.contains("entry-mine")) this._markRead(item);
    }
  }

  _markRead(item) {
    const receipt = item.querySelector(".entry-receipt");
    if (receipt && receipt.dataset.state !== "read") {
      receipt.dataset.state = "read";
      receipt.textContent = t("console_chat_read");
    }
  }

  setSelected(selected) {
    this.selected = selected;
    this.tab.setAttribute("aria-selected", String(selected));
    this.tab.tabIndex = selected ? 0 : -1;
    this.panel.hidden = !selected;
    if (selected) {
      this.scroller.scrollTop = this.scroller.scrollHeight;
      this.seen();
    }
  }

  /** seen() once for a burst of entries (a sync brings many at once). */
  _seenSoon() {
    clearTimeout(this._seenTimer);
    this._seenTimer = setTimeout(() => this.seen(), 150);
  }

  /** The agent is looking: the tab's count goes and the customer gets a read receipt. */
  seen() {
    if (!this._inView()) return;
    if (this.unread) {
      this.unread = 0;
      this._renderTab();
    }
    if (this.state === "live" && this.lastSeq > this.readSent) {
      if (this.send({ type: "read", conversation_id: this.id, up_to_seq: this.lastSeq })) this.readSent = this.lastSeq;
    }
  }

  /** Show the message at once as pending, and send it (again after a reconnect if need be). */
  _post({ text, attachmentId, fileName }) {
    const clientId = newClientId();
    const frame = { type: "message", client_id: clientId, conversation_id: this.id };
    if (text) frame.text = text;
    if (attachmentId) frame.attachment_id = attachmentId;
    const item = renderPending(text, fileName);
    this.pending.set(clientId, { item, frame, seq: undefined });
    this.log.append(item);
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.send(frame); // while the socket is down it waits here; flush() sends it on reconnect
  }

  /** Put the keyboard in the composer (after accepting a chat, or choosing its tab). */
  focusComposer() {
    if (this.state === "live") this.composer.focus();
  }
}
