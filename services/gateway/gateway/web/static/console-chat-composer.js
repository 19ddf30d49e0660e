// A chat's composer: Enter sends, Shift+Enter starts a new line, typing is signalled (throttled),
// and files upload at once with their progress up to 100% before they are sent as messages.
import { el, formatSize, t, upload } from "./atende.js";

const TYPING_EVERY_MS = 3000; // the agent's typing frames, at most this often
const MAX_TEXT_BYTES = 4096;

export class Composer {
  /**
   * `form`: the panel's composer; `slug` makes its ids unique; `uploadUrl` takes the chat's files;
   * `post({text, attachmentId, fileName})` sends a message; `typing()` tells the customer.
   */
  constructor(form, { slug, uploadUrl, post, typing }) {
    this.form = form;
    this.post = post;
    this.typing = typing;
    this.uploadUrl = uploadUrl;
    const slot = (name) => form.querySelector(`[data-slot=${name}]`);
    this.text = slot("text");
    this.uploads = slot("uploads");
    this.alert = form.querySelector(".form-alert");
    this.text.id = `chat-text-${slug}`;
    slot("text-label").htmlFor = this.text.id;
    slot("hint").id = `chat-hint-${slug}`;
    this.text.setAttribute("aria-describedby", slot("hint").id);
    const file = slot("file");
    file.id = `chat-file-${slug}`;
    this._typingSent = 0;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.text.addEventListener("keydown", (event) => {
      const plain = !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey && !event.isComposing;
      if (event.key === "Enter" && plain) {
        event.preventDefault();
        this.submit();
      }
    });
    this.text.addEventListener("input", () => {
      const now = Date.now();
      if (now - this._typingSent > TYPING_EVERY_MS && this.text.value.trim()) {
        this._typingSent = now;
        this.typing();
      }
    });
    file.addEventListener("change", () => {
      for (const picked of file.files) this.upload(picked);
      file.value = "";
    });
  }

  focus() {
    this.text.focus();
  }

  _say(message) {
    this.alert.textContent = message || "";
    this.alert.hidden = !message;
  }

  submit() {
    const text = this.text.value.trim();
    if (!text) return;
    if (new TextEncoder().encode(text).length > MAX_TEXT_BYTES) {
      this._say(t("console_chat_error_message_too_long"));
      return;
    }
    this._say("");
    this.text.value = "";
    this._clearUploads();
    this._typingSent = 0;
    this.post({ text });
  }

  /** Finished (or failed) uploads stay listed until the next message or file. */
  _clearUploads() {
    this.uploads.querySelectorAll(".upload-done, .upload-failed").forEach((row) => row.remove());
  }

  upload(file) {
    this._clearUploads();
    const progress = el("progress", { max: file.size || 1, value: 0, "aria-label": file.name });
    const percent = el("span", { class: "upload-percent" }, "0%");
    const row = el("li", { class: "upload" }, el("span", {}, `${file.name} (${formatSize(file.size)})`), percent, progress);
    this.uploads.append(row);
    upload(this.uploadUrl, file, {
      onProgress(loaded, total) {
        progress.max = total || 1;
        progress.value = loaded;
        percent.textContent = `${Math.round((100 * loaded) / (total || 1))}%`;
      },
    })
      .then((stored) => {
        row.classList.add("upload-done");
        // The file's name travels as the message's text, so both sides see what it is.
        this.post({ text: stored.filename, attachmentId: stored.id, fileName: stored.filename });
      })
      .catch((error) => {
        row.classList.add("upload-failed");
        row.append(el("p", { class: "upload-error", role: "alert" }, error.message));
      });
  }
}
