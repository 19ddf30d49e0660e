// The console's live channel for ticket pages: the agent socket (docs/chat-protocol.md), which says
// that a ticket changed (never what: pages fetch it over HTTP) and how many chats wait in the
// agent's queues (the nav badge). atende.js's liveSocket shows "reconectando…" and comes back by itself.
import { liveSocket, t } from "./atende.js";

const SOCKET = "/api/v1/agent/chats/socket";

/** Fill "{name}" slots of a text. */
export function fill(text, values = {}) {
  return text.replace(/\{(\w+)\}/g, (slot, name) => (name in values ? String(values[name]) : slot));
}

/** The page's text `key` with its slots filled. */
export function tf(key, values) {
  return fill(t(key), values);
}

/** The nav badge of chats waiting in the agent's queues (hidden when none). */
function queueBadge() {
  const badge = document.querySelector("[data-count=queued-chats]");
  const waiting = new Map(); // department → chats queued
  return {
    hello(frame) {
      waiting.clear();
      for (const department of frame.departments || []) waiting.set(department, 0);
      for (const chat of frame.queue || []) waiting.set(chat.department, (waiting.get(chat.department) || 0) + 1);
      this.show();
    },
    queue(frame) {
      waiting.set(frame.department, (frame.queue || []).length);
      this.show();
    },
    show() {
      if (!badge) return;
      const total = [...waiting.values()].reduce((sum, n) => sum + n, 0);
      badge.textContent = total ? String(total) : "";
      badge.hidden = total === 0;
    },
  };
}

/**
 * Follow the console's socket. `onTicket(frame)` for every `ticket` frame; `onConnected()` after
 * every (re)connection's hello, when the page should fetch again (frames missed while away are
 * not replayed). Returns {close}.
 */
export function followConsole({ onTicket = () => {}, onConnected = () => {} } = {}) {
  const badge = queueBadge();
  let connections = 0;
  return liveSocket({
    url: () => SOCKET,
    onFrame(frame) {
      if (frame.type === "ticket") onTicket(frame);
      else if (frame.type === "hello") {
        badge.hello(frame);
        connections += 1;
        // The first hello follows the page's own first fetch; later ones mean we were away.
        onConnected(connections > 1);
      } else if (frame.type === "queue") badge.queue(frame);
    },
    onRefused() {
      // The session ended (logged out elsewhere, expired): the log-in page brings the agent back.
      location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    },
  });
}

/**
 * Run `work` soon, once however often asked: again `settleMs` later too, because the socket may
 * tell of a change a moment before the inbox's read model shows it.
 */
export function debounced(work, { waitMs = 250, settleMs = 1500 } = {}) {
  let soon = null;
  let settle = null;
  return () => {
    clearTimeout(soon);
    clearTimeout(settle);
    soon = setTimeout(work, waitMs);
    settle = setTimeout(work, waitMs + settleMs);
  };
}

/** Keys typed into a field, or with a modifier, are not shortcuts. */
export function isShortcut(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return false;
  const target = event.target;
  return !(target instanceof HTMLElement && target.closest("input, textarea, select, [contenteditable]"));
}
