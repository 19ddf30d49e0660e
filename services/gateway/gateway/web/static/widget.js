// The chat widget (guide 003, docs/chat-protocol.md): start form → queue → conversation → end,
// resumable after a reload (the resume token is kept in localStorage), alone or framed by the
// support button (?embed=1, which talks to support.js with postMessage).
import { api, connectionState, formatWait, lang, liveSocket, t } from "./atende.js";
import { ratingForm } from "./chat-rating.js";
import { Outbox, composer } from "./widget-composer.js";
import { fileCard } from "./widget-files.js";
import { Availability, offlineForm, prefill, startForm } from "./widget-forms.js";
import { ChatLog } from "./widget-log.js";
import { fill, stored } from "./widget-util.js";

const TYPING_SHOWN_MS = 6000; // the agent's "typing…" fades without news for this long

const root = document.getElementById("widget");
const embedded = root.dataset.embedded === "true";
const $ = (selector) => root.querySelector(selector);
const endDialog = $("#chat-end");
const typingLine = $("[data-typing]");
const scroller = $(".chat-log");
const baseTitle = document.title;

const chatStore = stored("atende.chat"); // {token, conversationId, name, email, transcript}
const visitorStore = stored("atende.chat.visitor"); // {name, email}: the next form comes filled
const uploads = new Map(); // attachment id → what this page uploaded (name, type, size, the file)
const availability = new Availability($("#start-department"), $("#start-department-status"));
const log = new ChatLog($(".chat-entries"), (entry) =>
  fileCard(() => fileUrl(entry.attachment_id), uploads.get(entry.attachment_id)),
);
const outbox = new Outbox({
  log,
  socket: () => live,
  chat: () => session,
  fileUrl,
  uploaded: (attachment, file) => uploads.set(attachment.id, { ...attachment, file }),
});
// The ended chat's rating: the resume token proves the chat is this visitor's (it still opens the socket).
const rating = ratingForm($("#chat-rating"), (data) =>
  api("POST", `/api/v1/chat/conversations/${encodeURIComponent(session?.conversationId || "")}/rating`, {
    json: data,
    headers: { "X-Chat-Token": session?.token || "" },
  }),
);
const box = composer($("#chat-composer"), {
  maxBytes: Number(root.dataset.maxBytes) || 4096,
  onSay: (text) => {
    stuck = true;
    outbox.say(text);
  },
  onFiles: (files) => {
    stuck = true;
    files.forEach((file) => outbox.share(file));
  },
  onTyping: () => Boolean(live?.send({ type: "typing" })),
  active: () => status === "active",
  dropZone: $("[data-screen=chat]"),
});

let session = chatStore.get();
let live = null;
let status = null;
let conversation = {};
let screen = "loading";
let leaving = false; // a queued chat turning into a message: its "offline" status is expected
let offlineFrom = null; // the queued chat's token when "leave a message" came from the queue
let panelOpen = true; // framed: whether the support button's panel shows the widget
let lastReadSent = 0;
let unread = 0;
let typingTimer = 0;
let syncAsked = -1;
let stuck = true; // the log follows its newest line unless the reader scrolled back

function show(name, focus = true) {
  screen = name;
  root.dataset.screen = name;
  for (const part of root.querySelectorAll("[data-screen]")) part.hidden = part.dataset.screen !== name;
  $("[data-action=end-chat]").hidden = !(name === "chat" && (status === "queued" || status === "active"));
  if (focus) root.querySelector(`[data-screen=${name}] h2`)?.focus();
}

function showStart(notice = "") {
  prefill($("#chat-start"), visitorStore.get() || {});
  const line = $("[data-notice]");
  line.textContent = notice;
  line.hidden = !notice;
  $("[data-subtitle]").textContent = t("widget_subtitle");
  show("start", screen !== "loading");
  availability.refresh();
}

function fileUrl(attachmentId) {
  const token = encodeURIComponent(session?.token || "");
  return `/api/v1/chat/conversations/${session?.conversationId}/attachments/${attachmentId}?token=${token}`;
}

// --- the conversation's socket ------------------------------------------------------------------

function connect() {
  live = liveSocket({
    // ?lang=: a socket cannot send Accept-Language, and a framed page has no language cookie.
    url: () =>
      `/api/v1/chat/socket?token=${encodeURIComponent(session.token)}&after_seq=${log.contiguous}&lang=${lang}`,
    onOpen: (send) => outbox.flush(send), // a retry is stored once (client_id)
    onFrame: receive,
    onRefused() {
      endSession();
      showStart(t("widget_expired"));
    },
  });
}

function receive(frame) {
  switch (frame.type) {
    case "conversation":
      keep(frame.resume_token);
      apply(frame.conversation);
      add(frame.entries, false);
      break;
    case "token":
      keep(frame.resume_token);
      break;
    case "entry":
      add([frame.entry], true);
      break;
    case "entries":
      add(frame.entries, false);
      break;
    case "ack":
      outbox.acked(frame);
      break;
    case "status":
      apply(frame.conversation);
      break;
    case "queue":
      place(frame.position, frame.estimated_wait_s);
      break;
    case "typing":
      agentTyping();
      break;
    case "read":
      log.markRead(frame.up_to_seq || 0);
      break;
    case "error":
      if (!outbox.refused(frame)) box.tell(frame.message);
      break;
    default:
      break; // pong, and frames of later versions
  }
}

function keep(token) {
  if (!token || !session) return;
  session.token = token;
  chatStore.set(session);
}

/** The conversation as it is now: which part of the chat screen shows. */
function apply(summary) {
  conversation = { ...conversation, ...summary };
  status = summary.status;
  $("[data-subtitle]").textContent =
    status === "active" && conversation.agent_name
      ? fill(t("widget_with"), { agent: conversation.agent_name, department: conversation.department })
      : conversation.department || t("widget_subtitle");
  if (status === "offline") {
    if (!leaving) finishAsMessage(t("widget_left_timeout"));
    return;
  }
  const ended = status === "closed" || status === "abandoned";
  const waiting = $("[data-waiting]");
  const wasWaiting = !waiting.hidden;
  const wasEnded = !$("[data-ended]").hidden;
  waiting.hidden = status !== "queued";
  $("#chat-composer").hidden = status !== "active";
  $("[data-ended]").hidden = !ended;
  if (status === "queued") place(summary.queue_position, summary.estimated_wait_s);
  // Writing a message instead of waiting: a late frame about the same wait must not take them back.
  if (screen === "offline" && status === "queued") return;
  if (ended) {
    stopTyping();
    $("[data-ended-text]").textContent = t(status === "abandoned" ? "widget_abandoned_text" : "widget_closed_text");
    $("[data-action=transcript]").hidden = Boolean(session?.transcript);
    if (summary.rating) rating.show(summary.rating); // rated before a reload, or from the portal
  }
  const first = screen !== "chat";
  show("chat", false);
  if (ended && !wasEnded) $("[data-ended] h2").focus(); // (not again: they may be rating it)
  else if (status === "active" && (first || wasWaiting)) box.focus();
  else if (status === "queued" && first) waiting.querySelector("h2").focus();
  read();
}

function place(position, wait) {
  const parts = [];
  if (position) parts.push(fill(t("widget_waiting_position"), { position }));
  parts.push(wait ? fill(t("widget_waiting_wait"), { wait: formatWait(wait) }) : t("widget_waiting_soon"));
  $("[data-place]").textContent = parts.join(" ");
}

function add(entries, fresh) {
  for (const entry of [...(entries || [])].sort((a, b) => a.seq - b.seq)) {
    if (!log.add(entry)) continue; // shown already: every entry once
    if (entry.author_kind === "agent" && (entry.kind === "message" || entry.kind === "file")) {
      stopTyping();
      if (fresh && !seen()) unread += 1;
    }
    // Handed back to a department's queue: wait again (its place comes as queue frames).
    if (fresh && entry.kind === "transferred" && !entry.agent_id && status === "active") {
      apply({ ...conversation, status: "queued", queue_position: null, estimated_wait_s: null });
    }
  }
  if (log.highest > log.contiguous && syncAsked !== log.contiguous && live) {
    syncAsked = log.contiguous; // a frame went missing: ask for exactly the gap
    live.send({ type: "sync", after_seq: log.contiguous });
  }
  read();
  badge();
}

// The log stays at its newest line while the reader is there (new entries, a picture loading, the
// composer growing), and stays put while they scroll back through the history.
scroller.addEventListener("scroll", () => {
  stuck = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
});
const toNewest = () => {
  if (stuck) scroller.scrollTop = scroller.scrollHeight;
};
new ResizeObserver(toNewest).observe(log.list);
new ResizeObserver(toNewest).observe(scroller);

function seen() {
  return document.visibilityState === "visible" && (!embedded || panelOpen);
}

/** Read receipts: the agent learns what the customer has seen. */
function read() {
  if (!seen() || !live || status !== "active") return;
  unread = 0;
  badge();
  if (log.lastFromAgent > lastReadSent && live.send({ type: "read", up_to_seq: log.highest })) {
    lastReadSent = log.highest;
  }
}

function badge() {
  document.title = (unread ? fill(t("widget_new_messages"), { count: unread }) : "") + baseTitle;
  // Only a count crosses to the company's page, so any parent may hear it.
  if (embedded && window.parent !== window) window.parent.postMessage({ atende: "unread", count: unread }, "*");
}

function agentTyping() {
  typingLine.textContent = fill(t("widget_typing"), { name: conversation.agent_name || t("widget_agent") });
  clearTimeout(typingTimer);
  typingTimer = setTimeout(stopTyping, TYPING_SHOWN_MS);
}

function stopTyping() {
  clearTimeout(typingTimer);
  typingLine.textContent = "";
}

// --- starting, ending ---------------------------------------------------------------------------

function remember(data) {
  visitorStore.set({ name: data.name, email: data.email });
}

function begin(started, data) {
  remember(data);
  session = {
    token: started.resume_token,
    conversationId: started.conversation.conversation_id,
    name: data.name,
    email: data.email,
  };
  chatStore.set(session);
  stuck = true;
  apply(started.conversation);
  connect();
}

function endSession() {
  live?.close();
  live = null;
  session = null;
  status = null;
  conversation = {};
  chatStore.clear();
  log.reset();
  outbox.clear();
  rating.reset();
  stopTyping();
  connectionState("open");
  lastReadSent = 0;
  syncAsked = -1;
  unread = 0;
  badge();
}

function offerMessage(data, fromQueue) {
  offlineFrom = fromQueue ? session?.token : null;
  prefill($("#chat-offline"), { ...data, message: data.question || data.message || "" });
  $("[data-offline-lead]").textContent = t(fromQueue ? "widget_offline_waited_lead" : "widget_offline_lead");
  show("offline");
}

function finishAsMessage(message) {
  endSession();
  $("[data-left-text]").textContent = message;
  show("left");
}

function tellEnded(message) {
  const note = $("[data-transcript-sent]");
  note.textContent = message;
  note.hidden = false;
}

function askTranscript() {
  if (!live?.send({ type: "close", send_transcript: true })) return tellEnded(t("widget_not_connected"));
  session.transcript = true;
  chatStore.set(session);
  $("[data-action=transcript]").hidden = true;
  tellEnded(fill(t("widget_transcript_sent"), { email: session.email || "" }));
}

startForm($("#chat-start"), availability, { onStarted: begin, onNobody: (data) => offerMessage(data, false) });
offlineForm($("#chat-offline"), {
  resumeToken: () => {
    leaving = Boolean(offlineFrom);
    return offlineFrom;
  },
  onFailed: () => {
    leaving = false;
  },
  onLeft(data) {
    remember(data);
    leaving = false;
    finishAsMessage(fill(t("widget_left_text"), { email: data.email }));
  },
});

root.addEventListener("click", (event) => {
  const action = event.target.closest?.("[data-action]")?.dataset.action;
  if (action === "restart") {
    endSession();
    showStart();
  } else if (action === "back") {
    show(offlineFrom && session ? "chat" : "start");
  } else if (action === "leave-message") {
    const { name, email } = session || {};
    offerMessage({ name, email, department: conversation.department, question: conversation.question }, true);
  } else if (action === "end-chat") {
    endDialog.querySelector("[name=transcript]").checked = false;
    endDialog.showModal();
  } else if (action === "transcript" && session) {
    askTranscript();
  }
});

endDialog.querySelector("form").addEventListener("submit", (event) => {
  event.preventDefault();
  endDialog.close();
  if (event.submitter?.value !== "end") return box.focus();
  const transcript = endDialog.querySelector("[name=transcript]").checked;
  if (!live?.send({ type: "close", send_transcript: transcript })) return box.tell(t("widget_not_connected"));
  if (session && transcript) {
    session.transcript = true;
    chatStore.set(session);
  }
});

// --- framed by the support button ---------------------------------------------------------------

window.addEventListener("message", (event) => {
  if (!embedded || event.source !== window.parent || event.data?.atende !== "panel") return;
  panelOpen = Boolean(event.data.open);
  read();
});
document.addEventListener("visibilitychange", read);
document.addEventListener("keydown", (event) => {
  if (embedded && event.key === "Escape" && !endDialog.open) window.parent.postMessage({ atende: "minimize" }, "*");
});

if (session?.token && session.conversationId) connect();
else showStart();
