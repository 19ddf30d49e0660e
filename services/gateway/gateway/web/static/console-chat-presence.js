// The agent's presence (online, away, offline) and capacity: chosen here, remembered in the
// browser, sent again after every (re)connect; shown as chat recorded it, with the current load.
import { t } from "./atende.js";
import { fill } from "./console-chat-entries.js";

export class Presence {
  constructor(form, { me, send }) {
    this.form = form;
    this.send = send;
    this.key = `atende.console.presence.${me}`;
    this.state = form.querySelector("#presence-state");
    this.hint = document.getElementById("presence-hint");
    this.recordedState = null;
    this.active = 0;
    const chosen = this.chosen();
    if (chosen) {
      form.elements.namedItem("presence").value = chosen.presence;
      form.elements.namedItem("capacity").value = String(chosen.capacity);
    } else if (this.choice().presence !== "offline") {
      this.remember(); // picked before this script ran
    }
    form.addEventListener("change", () => {
      this.remember();
      this.announce();
    });
    form.addEventListener("submit", (event) => event.preventDefault());
  }

  /** What the form says now. */
  choice() {
    return {
      presence: this.form.elements.namedItem("presence").value || "offline",
      capacity: Number(this.form.elements.namedItem("capacity").value) || 3,
    };
  }

  remember() {
    localStorage.setItem(this.key, JSON.stringify(this.choice()));
  }

  /** The choice remembered in this browser, if any. */
  chosen() {
    try {
      const stored = JSON.parse(localStorage.getItem(this.key) || "null");
      return stored && ["online", "away", "offline"].includes(stored.presence) ? stored : null;
    } catch {
      return null;
    }
  }

  /** Tell chat the remembered choice (on every connect: a new socket starts with no presence). */
  announce() {
    const chosen = this.chosen();
    if (chosen) this.send({ type: "presence", presence: chosen.presence, capacity: chosen.capacity });
    this.render();
  }

  /** What chat recorded (a presence frame). */
  recorded(frame) {
    this.recordedState = frame;
    this.render();
  }

  /** How many chats this agent is serving now. */
  load(active) {
    this.active = active;
    this.render();
  }

  render() {
    const recorded = this.recordedState;
    this.hint.hidden = recorded?.presence === "online";
    if (!recorded) {
      this.state.textContent = t("console_chat_not_recorded");
      return;
    }
    const presence = fill("console_chat_recorded", { presence: t(`console_chat_presence_${recorded.presence}`) });
    const load = fill("console_chat_load", { active: this.active, capacity: recorded.capacity });
    this.state.textContent = `${presence} · ${load}`;
    this.state.dataset.presence = recorded.presence;
  }
}
