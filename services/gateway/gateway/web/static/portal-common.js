// What the portal's pages share: texts with values, status badges, dates, file links, upload gates, drafts.
import { el, formatDateTime, formatSize, t } from "./atende.js";

/** The text for `key` with its `{name}` marks filled from `values`. */
export function fill(key, values) {
  return t(key).replace(/\{(\w+)\}/g, (mark, name) => (name in values ? String(values[name]) : mark));
}

/** Like fill(), but a value may be a DOM node (a badge, a <time>): an array for el() or append(). */
export function fillNodes(key, values) {
  return t(key)
    .split(/(\{\w+\})/)
    .filter(Boolean)
    .map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      return name && name in values ? values[name] : part;
    });
}

/** A status badge: the colour from the wire code, the words from the API (already in the page's language). */
export function statusBadge(code, label) {
  return el("span", { class: `badge badge-${code}` }, label);
}

/** A <time> with the day and the time, machine-readable too. */
export function when(iso) {
  return el("time", { datetime: iso }, formatDateTime(iso));
}

/** A download link: the file's name, then its size. */
export function fileLink(name, url, size) {
  return el(
    "a",
    { href: url, class: "file-link", download: name || "" },
    el("span", { class: "file-name" }, name),
    size === undefined ? null : el("span", { class: "file-size" }, ` (${formatSize(size)})`),
  );
}

/** A fresh Idempotency-Key (random; getRandomValues works on plain http too, unlike randomUUID). */
export function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A link that only ever leads to http(s) pages (a development link from the API, say). */
export function safeHref(url) {
  try {
    const parsed = new URL(url, location.href);
    return ["http:", "https:"].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

/**
 * Keep the form's submit button off while `picker` uploads, saying why beside it.
 * Returns check(), to re-run after anything that may have changed the uploads.
 */
export function gateWhileUploading(form, picker, list) {
  const button = form.querySelector("[type=submit]");
  const wait = form.querySelector("#upload-wait");
  const check = () => {
    const busy = picker.busy();
    button.disabled = busy;
    button.setAttribute("aria-disabled", String(busy));
    if (wait) wait.textContent = busy ? t("portal_uploading") : "";
  };
  // The picker settles its count just after it changes the list: look once the dust has settled.
  new MutationObserver(() => setTimeout(check, 0)).observe(list, {
    childList: true,
    subtree: true,
    attributes: true,
  });
  return check;
}

/** Keep what is typed in `form`'s text fields across a reload (this tab only); returns forget(). */
export function keepDraft(form, key) {
  const fields = [...form.querySelectorAll("input[type=text], textarea, select")];
  try {
    const saved = JSON.parse(sessionStorage.getItem(key) || "{}");
    for (const field of fields) if (saved[field.name] && !field.value) field.value = saved[field.name];
  } catch {
    // A damaged draft is simply not restored.
  }
  const save = () => {
    const draft = Object.fromEntries(fields.map((field) => [field.name, field.value]));
    try {
      sessionStorage.setItem(key, JSON.stringify(draft));
    } catch {
      // Storage full or off: drafts are a comfort, not a need.
    }
  };
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  return () => {
    try {
      sessionStorage.removeItem(key);
    } catch {
      // Nothing to forget.
    }
  };
}

/** Ctrl+Enter (⌘+Enter on a Mac) in the form's text areas sends it, as in mail clients. */
export function sendOnCtrlEnter(form) {
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.matches("textarea")) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}

/** Show a failure to load in `node`, with a button that tries again. */
export function loadFailed(node, error, retry) {
  node.hidden = false;
  node.replaceChildren(
    `${t("portal_load_failed")} ${error?.message || ""} `,
    el("button", { type: "button", class: "button-link", onclick: retry }, t("portal_retry")),
  );
}
