// What every page's script shares: texts, the JSON API, forms, uploads with progress, live sockets.
// Data is always put on the page with textContent / DOM nodes, never as HTML: nothing a customer
// types can become markup.

const texts = JSON.parse(document.getElementById("atende-texts")?.textContent || "{}");
export const lang = document.documentElement.lang || "pt-BR";

/** The page's text for `key` (the key itself if missing, so a gap shows instead of breaking). */
export function t(key) {
  return texts[key] ?? key;
}

/** The value of a cookie, or "". */
export function cookie(name) {
  const found = document.cookie.split("; ").find((part) => part.startsWith(name + "="));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
}

/** An API failure: `status`, `body` ({error, message, fields}) as the gateway answered it. */
export class ApiError extends Error {
  constructor(status, body) {
    super(status === 429 ? tooManyRequests(body?.retry_after_s) : body?.message || t("network_error"));
    this.status = status;
    this.body = body || {};
  }
}

/** A 429's message: when to try again ("Tente de novo em 2 min."). */
function tooManyRequests(seconds) {
  return t("rate_limited_retry").replace("{wait}", formatWait(Math.max(1, Number(seconds) || 60)));
}

/** Headers every API call carries: the page's language and, on unsafe methods, the CSRF token. */
export function apiHeaders(method = "GET", extra = {}) {
  const headers = { "Accept-Language": lang, ...extra };
  if (!["GET", "HEAD"].includes(method)) headers["X-CSRF-Token"] = cookie("atende_csrf");
  return headers;
}

/** Call the gateway's JSON API; resolves to the parsed answer (null for 204), rejects with ApiError. */
export async function api(method, path, { json, headers = {} } = {}) {
  const init = { method, headers: apiHeaders(method, headers), credentials: "same-origin" };
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, null);
  }
  let body = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 429) {
    body = { ...body, retry_after_s: body?.retry_after_s ?? Number(response.headers.get("Retry-After")) };
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

/** Build an element: el("a", {href: "/x", class: "y"}, "text", child…). Strings become text nodes. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const dateTime = new Intl.DateTimeFormat(lang, { dateStyle: "short", timeStyle: "short" });
const timeOnly = new Intl.DateTimeFormat(lang, { timeStyle: "short" });

/** "22/11/2026 10:42" (pt-BR) or "11/22/26, 10:42 AM" (en). */
export function formatDateTime(iso) {
  return iso ? dateTime.format(new Date(iso)) : "";
}

/** "10:42". */
export function formatTime(iso) {
  return iso ? timeOnly.format(new Date(iso)) : "";
}

/** "2 min" / "45 s": a wait in whole units. */
export function formatWait(seconds) {
  const s = Math.max(0, Math.round(seconds || 0));
  return s < 60 ? `${s} s` : `${Math.round(s / 60)} min`;
}

/** "1,2 MB". */
export function formatSize(bytes) {
  const units = ["B", "KB", "MB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toLocaleString(lang, { maximumFractionDigits: unit ? 1 : 0 })} ${units[unit]}`;
}

/** Show an API refusal on a form: each named field gets its message, the rest goes to the alert. */
export function showErrors(form, error) {
  clearErrors(form);
  const alert = form.querySelector(".form-alert");
  let unplaced = [];
  for (const field of error.body?.fields || []) {
    const name = String(field.field || "").split(".").pop();
    const input = name && form.elements.namedItem(name);
    if (input instanceof HTMLElement) {
      const note = el("p", { class: "field-error", id: `${input.id || name}-error` }, field.message || "");
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", note.id);
      input.closest(".field")?.append(note);
    } else {
      unplaced.push(field.message);
    }
  }
  const summary = error.body?.fields?.length ? t("form_has_errors") : error.message;
  if (alert) {
    alert.textContent = [summary, ...unplaced].filter(Boolean).join(" ");
    alert.hidden = false;
  }
  const first = form.querySelector("[aria-invalid=true]");
  (first || alert)?.focus?.();
}

/** Remove a form's error messages. */
export function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((note) => note.remove());
  form.querySelectorAll("[aria-invalid]").forEach((input) => {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
  });
  const alert = form.querySelector(".form-alert");
  if (alert) {
    alert.hidden = true;
    alert.textContent = "";
  }
}

/** The form's fields as an object (empty strings left out, so optional fields stay optional). */
export function formData(form) {
  const data = {};
  for (const [name, value] of new FormData(form)) {
    if (typeof value === "string" && value.trim() !== "") data[name] = value.trim();
  }
  return data;
}

/**
 * Submit `form` through `send(data)`; while it runs the submit button is disabled and says so.
 * Errors land on the form; `send`'s answer is returned (undefined when it failed).
 */
export async function submitting(form, send) {
  const button = form.querySelector("[type=submit]");
  const label = button?.textContent;
  clearErrors(form);
  if (button) {
    button.disabled = true;
    button.textContent = t("saving");
  }
  try {
    return await send(formData(form));
  } catch (error) {
    showErrors(form, error instanceof ApiError ? error : new ApiError(0, null));
    return undefined;
  } finally {
    if (button) {
      button.disabled = false;
      button.textContent = label;
    }
  }
}

/**
 * Upload one file as the raw body (the gateway's attachment endpoints), reporting progress.
 * Resolves to the stored attachment; rejects with ApiError (413/415/422 name the rule).
 */
export function upload(url, file, { onProgress = () => {}, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const target = new URL(url, location.href);
    target.searchParams.set("filename", file.name);
    xhr.open("POST", target);
    for (const [name, value] of Object.entries(apiHeaders("POST", headers))) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    };
    xhr.onload = () => {
      const body = (() => {
        try {
          return JSON.parse(xhr.responseText);
        } catch {
          return null;
        }
      })();
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(file.size, file.size);
        resolve(body);
      } else reject(new ApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(new ApiError(0, null));
    xhr.send(file);
  });
}

/** Tell the visitor the live connection is down (or back); one banner per page. */
export function connectionState(state) {
  const banner = document.querySelector(".connection");
  if (!banner) return;
  banner.dataset.state = state;
  banner.hidden = state === "open";
  if (state === "reconnecting") banner.textContent = t("reconnecting");
}

/**
 * A WebSocket that comes back by itself: `url()` is asked again on every (re)connect, `onOpen(send)`
 * runs on each connection, `onFrame(frame)` for every JSON frame. Closed for good on 1008/4404
 * (`onRefused(code)`). Returns {send, close}.
 */
export function liveSocket({ url, onOpen = () => {}, onFrame, onRefused = () => {}, showState = true }) {
  let socket = null;
  let delay = 500;
  let stopped = false;
  const send = (frame) => {
    if (socket?.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  };
  const connect = () => {
    if (stopped) return;
    const address = new URL(url(), location.href);
    address.protocol = address.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(address);
    socket.onopen = () => {
      delay = 500;
      if (showState) connectionState("open");
      onOpen(send);
    };
    socket.onmessage = (event) => {
      try {
        onFrame(JSON.parse(event.data));
      } catch (error) {
        console.error(error);
      }
    };
    socket.onclose = (event) => {
      if (stopped) return;
      if (event.code === 1008 || event.code === 4404) {
        stopped = true;
        onRefused(event.code);
        return;
      }
      if (showState) connectionState("reconnecting");
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10000);
    };
  };
  connect();
  return {
    send,
    close() {
      stopped = true;
      socket?.close(1000);
    },
  };
}

// The language switch keeps the page's fragment (a verification or reset link carries its token there).
document.addEventListener("click", (event) => {
  const link = event.target.closest?.("a.language-switch");
  if (link && location.hash) {
    const next = new URL(link.href, location.href);
    next.searchParams.set("next", location.pathname + location.search + location.hash);
    link.href = next.toString();
  }
});

// Log-out buttons, wherever the layout shows one.
document.addEventListener("click", async (event) => {
  const button = event.target.closest?.("[data-action=log-out]");
  if (!button) return;
  button.disabled = true;
  try {
    await api("DELETE", "/api/v1/session");
  } catch {
    // Already gone (expired session): going home is still right.
  }
  location.assign("/");
});

/**
 * A file input whose picks upload at once, each with its own progress bar reaching 100%, in `list`.
 * `url()` names the upload endpoint, `headers()` extra headers (e.g. the Idempotency-Key of a new
 * ticket). Returns {ids() of the stored files, busy() while any is uploading, clear()}.
 */
export function filePicker(input, list, { url, headers = () => ({}) }) {
  const stored = new Map(); // item → attachment id
  let uploading = 0;
  input.addEventListener("change", () => {
    for (const file of input.files) send(file);
    input.value = "";
  });
  function send(file) {
    const progress = el("progress", { max: file.size || 1, value: 0, "aria-label": file.name });
    const percent = el("span", { class: "upload-percent" }, "0%");
    const remove = el("button", { type: "button", class: "button-link", "aria-label": `${t("remove_file")} ${file.name}` }, t("remove_file"));
    const item = el("li", { class: "upload" }, el("span", {}, `${file.name} (${formatSize(file.size)})`), percent, progress);
    list.append(item);
    uploading += 1;
    upload(url(), file, {
      headers: headers(),
      onProgress(loaded, total) {
        progress.max = total || 1;
        progress.value = loaded;
        percent.textContent = `${Math.round((100 * loaded) / (total || 1))}%`;
      },
    })
      .then((attachment) => {
        stored.set(item, attachment.id);
        item.dataset.attachmentId = attachment.id;
        item.append(remove);
      })
      .catch((error) => {
        item.classList.add("upload-failed");
        item.append(el("p", { class: "upload-error", role: "alert" }, error.message), remove);
      })
      .finally(() => {
        uploading -= 1;
      });
    remove.addEventListener("click", () => {
      stored.delete(item);
      item.remove();
      input.focus();
    });
  }
  return {
    ids: () => [...stored.values()],
    busy: () => uploading > 0,
    clear() {
      stored.clear();
      list.replaceChildren();
    },
  };
}

/** The file types Atende accepts (guide 003), for a file input's `accept`. */
export const ACCEPTED_FILES = ".gif,.jpeg,.jpg,.png,.zip,.rar,.xls,.xlsx,.doc,.docx,.sql,.pdf";
