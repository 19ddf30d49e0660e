// The widget's forms: who is online per department (GET availability), the start form (H1) and
// "leave a message" (H3). The conversation itself is widget.js's.
import { api, ApiError, formatWait, formData, submitting, t } from "./atende.js";
import { fill, newId } from "./widget-util.js";

const AVAILABILITY_EVERY_MS = 30_000;

/** Per department: agents online and the expected wait, on the options and under the select. */
export class Availability {
  constructor(select, status) {
    this.select = select;
    this.status = status;
    this.known = new Map();
    this.names = new Map([...select.options].map((option) => [option.value, option.textContent]));
    select.addEventListener("change", () => this.describe());
    setInterval(() => {
      if (!select.closest("[hidden]")) this.refresh();
    }, AVAILABILITY_EVERY_MS);
  }

  async refresh() {
    try {
      const found = await api("GET", "/api/v1/chat/availability");
      this.known = new Map(found.departments.map((d) => [d.department, d]));
    } catch {
      this.known = new Map();
      this.status.textContent = t("widget_availability_failed");
      return;
    }
    for (const option of this.select.options) {
      const state = this.known.get(option.value);
      const name = this.names.get(option.value);
      option.textContent = state ? `${name} — ${this.short(state)}` : name;
    }
    this.describe();
  }

  short(state) {
    if (!state.agents_online) return t("widget_offline_short");
    const online =
      state.agents_online === 1
        ? t("widget_online_one")
        : fill(t("widget_online_many"), { count: state.agents_online });
    const wait = state.estimated_wait_s
      ? fill(t("widget_wait_about"), { wait: formatWait(state.estimated_wait_s) })
      : t("widget_no_wait");
    return `${online} · ${wait}`;
  }

  describe() {
    const department = this.select.value;
    const state = this.known.get(department);
    if (!state) return;
    this.status.textContent = state.agents_online
      ? this.short(state)
      : fill(t("widget_offline_hint"), { department });
    this.status.dataset.online = state.agents_online ? "yes" : "no";
  }
}

/**
 * The start form: starts a chat (`onStarted(answer, data)`), or, when nobody can answer in the
 * department (409 no_agent_available), hands over to the leave-a-message form (`onNobody(data)`).
 */
export function startForm(form, availability, { onStarted, onNobody }) {
  let attempt = newId(); // one Idempotency-Key per chat: a double click or a retry starts it once
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = formData(form);
    let nobody = false; // chat decides, not the availability shown a moment ago
    const started = await submitting(form, async (fields) => {
      try {
        return await api("POST", "/api/v1/chat/conversations", {
          json: fields,
          headers: { "Idempotency-Key": attempt },
        });
      } catch (error) {
        if (error instanceof ApiError && error.status === 409 && error.body.error === "no_agent_available") {
          nobody = true;
          return null;
        }
        throw error;
      }
    });
    if (nobody) {
      availability.refresh();
      onNobody(data);
    } else if (started) {
      attempt = newId();
      form.elements.question.value = "";
      onStarted(started, data);
    }
  });
}

/** "Leave a message": it becomes a request (`resumeToken()`: the queued chat it replaces, if any). */
export function offlineForm(form, { resumeToken, onLeft, onFailed }) {
  let attempt = newId();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = resumeToken();
    const left = await submitting(form, (fields) =>
      api("POST", "/api/v1/chat/offline-messages", {
        json: token ? { ...fields, resume_token: token } : fields,
        headers: { "Idempotency-Key": attempt },
      }),
    );
    if (!left) return onFailed();
    attempt = newId();
    onLeft(formData(form));
  });
}

/** Put `values` in the form's fields of the same names (only those given). */
export function prefill(form, values) {
  for (const [name, value] of Object.entries(values)) {
    const field = form.elements.namedItem(name);
    if (field && value !== undefined && value !== null) field.value = value;
  }
}
