// Small helpers of the chat widget: text templates, ids, and the page's storage.

/** "{name} joined" + {name: "Ana"} → "Ana joined". */
export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

/** A random id (client_id, Idempotency-Key); randomUUID needs https, getRandomValues does not. */
export function newId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * One JSON value in localStorage under `key`; storage may be refused (privacy modes, some framed
 * pages), and then the widget still works, only without resuming after a reload.
 */
export function stored(key) {
  return {
    get() {
      try {
        return JSON.parse(localStorage.getItem(key) || "null");
      } catch {
        return null;
      }
    },
    set(value) {
      try {
        localStorage.setItem(key, JSON.stringify(value));
      } catch {
        // Not kept: the conversation lives until the page closes.
      }
    },
    clear() {
      try {
        localStorage.removeItem(key);
      } catch {
        // Nothing was kept.
      }
    },
  };
}
