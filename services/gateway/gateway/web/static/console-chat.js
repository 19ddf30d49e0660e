// The agent's chats (docs/chat-protocol.md): one socket carries presence, the queues and every
// chat held; after any reconnect each open chat asks for exactly what it missed (sync after_seq).
import { api, connectionState, el, liveSocket, t } from "./atende.js";
import { askEnd, askTransfer } from "./console-chat-dialogs.js";
import { fill } from "./console-chat-entries.js";
import { ChatView } from "./console-chat-panel.js";
import { pastChats } from "./console-chat-past.js";
import { Presence } from "./console-chat-presence.js";
import { Queues } from "./console-chat-queue.js";
import { Tabs } from "./console-chat-tabs.js";

const PING_EVERY_MS = 20000;
const SILENT_FOR_MS = 45000; // no frame (not even a pong) for this long: the connection is dead
const OWN_ERRORS = new Set(["already_accepted", "at_capacity", "same_agent", "message_too_long"]);
const QUIET_ERRORS = new Set(["not_your_chat", "conversation_closed", "not_active"]);

const root = document.getElementById("chat-console");
const me = root.dataset.me;
const departments = JSON.parse(root.dataset.departments);
let link = null;
let lastHeard = Date.now();
const accepting = new Set(); // accepts sent, not yet answered

const send = (frame) => (link ? link.send(frame) : false);

const noticeBox = document.getElementById("chat-notice");
const dismiss = noticeBox.querySelector("[data-action=dismiss]");
let noticeTimer = 0;
function notify(...content) {
  noticeBox.querySelector(".chat-notice-text").replaceChildren(...content);
  noticeBox.classList.add("is-shown");
  dismiss.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(clearNotice, 20000);
}
function clearNotice() {
  noticeBox.querySelector(".chat-notice-text").replaceChildren();
  noticeBox.classList.remove("is-shown");
  dismiss.hidden = true;
}
dismiss.addEventListener("click", clearNotice);

const announcer = document.getElementById("queue-announcer");
const queues = new Queues(document.getElementById("queues"), {
  departments,
  onAccept(conversation) {
    accepting.add(conversation.conversation_id);
    if (!send({ type: "accept", conversation_id: conversation.conversation_id })) {
      accepting.delete(conversation.conversation_id);
      queues.failed();
    }
  },
  announce(text) {
    announcer.textContent = text;
  },
});
const tabs = new Tabs(document.getElementById("chat-tablist"), document.getElementById("chat-panels"), document.getElementById("chat-no-tabs"));
const presence = new Presence(document.getElementById("presence"), { me, send });

const actions = {
  transfer(view) {
    askTransfer(view, me, (target) => {
      view.transferTarget = target.to_name || target.to_department;
      const frame = { type: "transfer", conversation_id: view.id };
      if (target.to_agent_id) frame.to_agent_id = target.to_agent_id;
      else frame.to_department = target.to_department;
      send(frame);
    });
  },
  end(view) {
    askEnd(view, () => send({ type: "close", conversation_id: view.id }));
  },
  closeTab(view) {
    tabs.remove(view.key);
  },
  changed() {
    presence.load(tabs.all().filter((view) => view.state === "live").length);
  },
};

/** The tab of a chat this agent holds (made if new). */
function chatOf(summary, options = {}) {
  let view = tabs.get(summary.conversation_id);
  if (!view) {
    view = new ChatView(summary, { me, send, actions });
    tabs.add(view, options);
  }
  return view;
}

/** Ask for what came after the last entry shown without a gap (one request at a time per chat). */
function sync(view) {
  if (!view.syncing) view.syncing = send({ type: "sync", conversation_id: view.id, after_seq: view.contiguous() });
}

/** A chat that ended or left while the socket was down: its transcript says how. */
async function refresh(view) {
  try {
    const found = await api("GET", `/api/v1/agent/chats/${encodeURIComponent(view.id)}`);
    found.entries.forEach((entry) => view.add(entry));
    view.update(found.conversation);
  } catch {
    // It stays as it was; the next reconnect tries again.
  }
}

let chatAway = false;

function hello(frame) {
  if (frame.chat_available === false) {
    // Chat did not answer: what is shown stays (nothing is known to have changed) until a second hello.
    chatAway = true;
    queues.connected(false);
    notify(t("console_chat_unavailable"));
    return;
  }
  if (chatAway) {
    chatAway = false;
    clearNotice();
  }
  queues.connected(true);
  queues.replaceAll(frame.queue);
  const held = new Set();
  for (const summary of frame.chats) {
    held.add(summary.conversation_id);
    const view = chatOf(summary);
    view.update(summary);
    view.syncing = false;
    sync(view);
    view.flush();
  }
  for (const view of tabs.all()) {
    if (!view.past && view.state === "live" && !held.has(view.id)) refresh(view);
  }
}

function accepted(frame) {
  const id = frame.conversation.conversation_id;
  accepting.delete(id);
  queues.drop(id);
  const view = chatOf(frame.conversation, { select: true });
  view.update(frame.conversation);
  // The accepted frame brings what the accept added; the question before it comes by sync.
  if (frame.entries.map((entry) => view.add(entry)).some(Boolean) || view.contiguous() < frame.conversation.last_seq) sync(view);
  view.focusComposer();
}

function status(conversation) {
  const id = conversation.conversation_id;
  const view = tabs.get(id);
  if (view) {
    view.update(conversation);
    return;
  }
  if (conversation.status === "active" && conversation.agent_id === me) {
    // Given to this agent without asking (a colleague's transfer, auto-assignment): history first.
    const given = chatOf(conversation);
    sync(given);
    if (!accepting.has(id)) notify(fill("console_chat_given_to_you", { name: conversation.customer_name }));
  }
}

function refused(frame) {
  if (frame.client_id && tabs.all().some((view) => view.refused(frame.client_id, frame.message))) return;
  for (const view of tabs.all()) view.syncing = false;
  if (accepting.size && ["already_accepted", "at_capacity", "not_your_chat", "conversation_closed"].includes(frame.reason)) {
    // First accept wins: the one taken by someone else leaves the list at once (the queue frame follows).
    if (frame.reason !== "at_capacity") accepting.forEach((id) => queues.drop(id));
    accepting.clear();
    queues.failed();
  }
  // A receipt, typing or sync for a chat that just left this agent is refused: nothing to tell.
  if (QUIET_ERRORS.has(frame.reason) && !frame.client_id && !accepting.size) return;
  notify(OWN_ERRORS.has(frame.reason) ? t(`console_chat_error_${frame.reason}`) : frame.message);
}

function handle(frame) {
  const view = frame.conversation_id ? tabs.get(frame.conversation_id) : undefined;
  switch (frame.type) {
    case "hello":
      return hello(frame);
    case "queue":
      return queues.set(frame.department, frame.queue);
    case "accepted":
      return accepted(frame);
    case "entry":
      if (view && view.add(frame.entry)) sync(view);
      return;
    case "entries":
      if (view) {
        view.syncing = false;
        const before = view.contiguous();
        frame.entries.forEach((entry) => view.add(entry));
        // Still a hole after progress: ask again (never in a loop for a hole that does not fill).
        if (view.contiguous() < view.lastSeq && view.contiguous() > before) sync(view);
      }
      return;
    case "ack":
      return tabs.all().forEach((one) => one.ack(frame));
    case "status":
      return status(frame.conversation);
    case "typing":
      return view?.customerTyping();
    case "read":
      return view?.customerRead(frame.up_to_seq);
    case "presence":
      return presence.recorded(frame);
    case "error":
      return refused(frame);
    default:
      return undefined; // pong, and frames this page does not know (newer servers may send more)
  }
}

function connect() {
  link = liveSocket({
    url: () => "/api/v1/agent/chats/socket",
    onOpen() {
      lastHeard = Date.now();
      queues.connected(true);
      presence.announce();
    },
    onFrame(frame) {
      lastHeard = Date.now();
      handle(frame);
    },
    onRefused() {
      link = null;
      queues.connected(false);
      const login = el("a", { href: `/login?next=${encodeURIComponent(location.pathname)}` }, t("log_in"));
      notify(t("console_chat_session_over"), " ", login);
    },
  });
}

/** Drop the connection now and show it (the network went away, or the socket went silent). */
function lost() {
  link?.close();
  link = null;
  queues.connected(false);
  connectionState("reconnecting");
}

// A dropped network often leaves the socket looking open for minutes: the browser's offline event
// and a silent socket both count as lost, so the page says so at once and comes back by itself.
window.addEventListener("offline", lost);
window.addEventListener("online", () => {
  if (!link) connect();
});
setInterval(() => {
  if (!link) return;
  if (Date.now() - lastHeard > SILENT_FOR_MS) {
    lost();
    if (navigator.onLine) connect();
  } else {
    send({ type: "ping" });
  }
}, PING_EVERY_MS);

pastChats({
  form: document.getElementById("past-search"),
  results: document.getElementById("past-results"),
  summary: document.getElementById("past-summary"),
  async open(conversationId) {
    const open = tabs.get(conversationId) || tabs.get(`past-${conversationId}`);
    if (open) return tabs.select(open.key, { focus: true });
    try {
      const found = await api("GET", `/api/v1/agent/chats/${encodeURIComponent(conversationId)}`);
      const view = new ChatView(found.conversation, { me, send, actions, past: true });
      found.entries.forEach((entry) => view.add(entry));
      tabs.add(view, { select: true });
      view.tab.focus();
    } catch (error) {
      notify(error.message);
    }
  },
});

connect();
