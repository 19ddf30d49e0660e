// What the customer sends: messages and files (H4, H5). Every message frame has its own client_id
// and stays in the outbox until its ack, so a dropped connection sends it again (stored once).
import { t, upload } from "./atende.js";
import { uploadCard } from "./widget-files.js";
import { richText } from "./widget-log.js";
import { newId } from "./widget-util.js";

const TYPING_EVERY_MS = 3000; // at most one typing frame per this while the customer types
const RETRYABLE = new Set(["rate_limited", "unavailable", "internal_error"]);

export class Outbox {
  /**
   * `log`: the ChatLog; `socket()`: the live socket or null; `chat()`: {conversationId, token};
   * `fileUrl(id)`: a shared file's link; `uploaded(attachment, file)`: remember what was sent.
   */
  constructor({ log, socket, chat, fileUrl, uploaded }) {
    Object.assign(this, { log, socket, chat, fileUrl, uploaded });
    this.waiting = new Map(); // client_id → frame not acked yet
    this.sent = new Map(); // client_id → every frame sent from this page ("try again")
  }

  clear() {
    this.waiting.clear();
    this.sent.clear();
  }

  send(frame) {
    this.sent.set(frame.client_id, frame);
    this.waiting.set(frame.client_id, frame);
    this.socket()?.send(frame); // if the socket is down, it goes on reconnect
  }

  /** On every (re)connection: what has no ack yet goes again. */
  flush(send) {
    for (const frame of this.waiting.values()) send(frame);
  }

  say(text) {
    const clientId = newId();
    this.log.pending(clientId, [richText(text)]);
    this.send({ type: "message", client_id: clientId, text });
  }

  async share(file) {
    const clientId = newId();
    const card = uploadCard(file);
    this.log.pending(clientId, [card.node], "uploading");
    const { conversationId, token } = this.chat();
    try {
      const attachment = await upload(`/api/v1/chat/conversations/${conversationId}/attachments`, file, {
        headers: { "X-Chat-Token": token },
        onProgress: (loaded, total) => card.progress(loaded, total),
      });
      this.uploaded(attachment, file);
      card.done(attachment, () => this.fileUrl(attachment.id));
      this.log.sending(clientId);
      this.send({ type: "message", client_id: clientId, attachment_id: attachment.id });
    } catch (error) {
      this.log.failed(clientId, error.message, null);
    }
  }

  acked(frame) {
    this.waiting.delete(frame.client_id);
    this.log.acked(frame.client_id, frame.seq, frame.at);
  }

  again(clientId) {
    const frame = this.sent.get(clientId);
    if (!frame) return;
    this.log.sending(clientId);
    this.send(frame);
  }

  /** An error frame about a message of ours: shown on it; false when it is about none. */
  refused(frame) {
    // A frame refused before it was read (too long, empty) names no client_id; frames are answered
    // in order, so it is the oldest message still waiting for its ack.
    const clientId = frame.client_id && this.log.has(frame.client_id) ? frame.client_id : frame.field === "text" ? this.log.oldestSending() : null;
    if (!clientId) return false;
    this.waiting.delete(clientId);
    const retry = frame.client_id && RETRYABLE.has(frame.reason) ? (id) => this.again(id) : null;
    this.log.failed(clientId, frame.message, retry);
    return true;
  }
}

/**
 * The composer: Enter sends, Shift+Enter is a new line, the box grows with the text; the clip,
 * a paste or a drop sends files. `onSay(text)`, `onFiles(files)`, `onTyping()`; `active()` tells
 * whether the chat takes messages now.
 */
export function composer(form, { maxBytes, onSay, onFiles, onTyping, active, dropZone }) {
  const box = form.elements.text;
  const picker = form.querySelector("input[type=file]");
  const alert = form.querySelector(".form-alert");
  let lastTyping = 0;

  const tell = (message) => {
    alert.textContent = message || "";
    alert.hidden = !message;
  };
  const fit = () => {
    box.style.height = "auto";
    box.style.height = `${Math.min(box.scrollHeight, 160)}px`;
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = box.value.trim();
    if (!text) return;
    if (new TextEncoder().encode(text).length > maxBytes) {
      tell(t("widget_too_long"));
      return;
    }
    tell("");
    onSay(text);
    box.value = "";
    fit();
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  box.addEventListener("input", () => {
    fit();
    const now = Date.now();
    if (box.value.trim() && now - lastTyping > TYPING_EVERY_MS && onTyping()) lastTyping = now;
  });

  form.querySelector("[data-action=attach]").addEventListener("click", () => picker.click());
  picker.addEventListener("change", () => {
    onFiles([...picker.files]);
    picker.value = "";
  });
  box.addEventListener("paste", (event) => {
    const files = [...(event.clipboardData?.files || [])];
    if (!files.length) return;
    event.preventDefault();
    onFiles(files);
  });
  dropZone.addEventListener("dragover", (event) => {
    if (active()) event.preventDefault();
  });
  dropZone.addEventListener("drop", (event) => {
    if (!active()) return;
    event.preventDefault();
    onFiles([...(event.dataTransfer?.files || [])]);
  });
  return { tell, focus: () => box.focus() };
}
