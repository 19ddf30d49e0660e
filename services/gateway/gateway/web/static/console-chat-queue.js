// The queues of the agent's departments, live: who waits, for how long (ticking), and Accept.
import { el, formatDateTime, t } from "./atende.js";
import { fill, formatClock } from "./console-chat-entries.js";

export class Queues {
  /** `onAccept(conversation)` sends the accept; `announce(text)` tells screen readers of arrivals. */
  constructor(root, { departments, onAccept, announce }) {
    this.root = root;
    this.departments = departments;
    this.onAccept = onAccept;
    this.announce = announce;
    this.waiting = new Map(departments.map((d) => [d, []])); // department → summaries, in order
    this.accepting = new Set();
    this.known = null; // ids seen so far (null: nothing yet, so the first list is not "new")
    this.online = true;
    this.title = document.title;
    setInterval(() => this.tick(), 1000);
  }

  /** Everything waiting in the agent's departments (the hello frame). */
  replaceAll(queue) {
    this.waiting = new Map(this.departments.map((d) => [d, []]));
    for (const summary of queue) {
      if (!this.waiting.has(summary.department)) this.waiting.set(summary.department, []);
      this.waiting.get(summary.department).push(summary);
    }
    this.render();
  }

  /** One department's whole queue (a queue frame). */
  set(department, queue) {
    this.waiting.set(department, queue);
    this.render();
  }

  /** Gone from the queue (taken by this agent or another). */
  drop(conversationId) {
    for (const [department, queue] of this.waiting) {
      this.waiting.set(department, queue.filter((c) => c.conversation_id !== conversationId));
    }
    this.accepting.delete(conversationId);
    this.render();
  }

  /** An accept that did not go through: its button works again. */
  failed() {
    this.accepting.clear();
    this.render();
  }

  /** While the socket is down nothing can be accepted. */
  connected(online) {
    this.online = online;
    this.render();
  }

  count() {
    let total = 0;
    for (const queue of this.waiting.values()) total += queue.length;
    return total;
  }

  render() {
    // Rebuilt whole (queues are short); the focus follows its conversation, or stays nearby if it left.
    const hadFocus = this.root.contains(document.activeElement);
    const focusedId = hadFocus ? document.activeElement.dataset?.id : undefined;
    const ids = new Set();
    const sections = [];
    for (const [department, queue] of this.waiting) {
      const list = el("ul", { class: "queue-list" });
      for (const summary of queue) {
        ids.add(summary.conversation_id);
        list.append(this._item(summary));
      }
      const heading = el("h3", { class: "queue-department" }, department, " ", el("span", { class: "muted" }, `(${fill("console_chat_waiting_count", { count: queue.length })})`));
      const body = queue.length ? list : el("p", { class: "muted queue-empty" }, t("console_chat_queue_empty"));
      sections.push(el("section", { class: "queue", "aria-label": department }, heading, body));
    }
    this.root.replaceChildren(...sections);
    if (hadFocus) {
      const same = focusedId && this.root.querySelector(`.queue-accept[data-id="${CSS.escape(focusedId)}"]:not(:disabled)`);
      (same || this.root.querySelector(".queue-accept:not(:disabled)") || document.getElementById("queues-title"))?.focus();
    }
    this._announceArrivals(ids);
    this._total();
    this.tick();
  }

  _item(summary) {
    const id = summary.conversation_id;
    const busy = this.accepting.has(id);
    const button = el(
      "button",
      { type: "button", class: "button button-primary queue-accept", disabled: busy || !this.online, "aria-label": fill("console_chat_accept_named", { name: summary.customer_name }), dataset: { id } },
      busy ? t("console_chat_accepting") : t("console_chat_accept"),
    );
    button.addEventListener("click", () => {
      this.accepting.add(id);
      this.render();
      this.onAccept(summary);
    });
    const wait = el("span", { class: "queue-wait", dataset: { since: Date.parse(summary.requested_at) } });
    return el(
      "li",
      { class: "queue-item", dataset: { id } },
      el("p", { class: "queue-who" }, el("strong", {}, summary.customer_name), " ", el("span", { class: "badge" }, summary.department)),
      el("p", { class: "queue-question" }, summary.question),
      el("p", { class: "queue-when muted" }, wait, " · ", el("time", { datetime: summary.requested_at }, fill("console_chat_requested_at", { when: formatDateTime(summary.requested_at) }))),
      button,
    );
  }

  /** Every waiting time, one second on. */
  tick() {
    const now = Date.now();
    for (const wait of this.root.querySelectorAll(".queue-wait")) {
      wait.textContent = fill("console_chat_waiting_for", { wait: formatClock((now - Number(wait.dataset.since)) / 1000) });
    }
  }

  _announceArrivals(ids) {
    if (this.known) {
      for (const queue of this.waiting.values()) {
        for (const c of queue) {
          if (!this.known.has(c.conversation_id)) this.announce(fill("console_chat_new_in_queue", { name: c.customer_name, department: c.department }));
        }
      }
    }
    this.known = ids;
  }

  /** The count beside the menu's "Chats", on this section's heading and in the window's title. */
  _total() {
    const total = this.count();
    for (const badge of document.querySelectorAll("[data-count=queued-chats], #queue-total")) {
      badge.textContent = String(total);
      badge.hidden = total === 0;
    }
    document.title = total ? `(${total}) ${this.title}` : this.title;
  }
}
