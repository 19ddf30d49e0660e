// Agents' decisions on a recurring demand, each an inline form under it: give it a name, merge it with
// another demand of the list, split a merged one back out, send it to development with a note or
// withdraw it. One form is open at a time per demand; Escape or Cancelar closes it and gives the
// focus back to its button. The API's refusals show on the form (showErrors); a decision taken
// reloads the list (`done(focusId)`), which focuses the demand it left.
import { api, ApiError, el, submitting, t } from "./atende.js";
import { tf } from "./console-live.js";
import { demandPath } from "./console-insights-address.js";
import { moment } from "./console-insights-parts.js";

/** A demand's title: the name agents gave it, else its top words. */
export function titleOf(demand) {
  return demand.name || (demand.terms || []).slice(0, 4).join(", ");
}

function field(id, label, control, hint = null) {
  control.id = id;
  if (hint) control.setAttribute("aria-describedby", `${id}-hint`);
  return el("div", { class: "field" }, el("label", { for: id }, label), control, hint ? el("p", { class: "hint", id: `${id}-hint` }, hint) : null);
}

/** An inline form: `parts` above its buttons; `send(data)` takes the decision and names the demand to
 * focus afterwards; `cancel()` closes it. */
function decisionForm(kind, parts, submitLabel, { send, cancel, done }) {
  const form = el(
    "form",
    { class: "demand-decision stack", dataset: { decision: kind }, novalidate: true },
    el("p", { class: "form-alert", role: "alert", tabindex: "-1", hidden: true }),
    ...parts,
    el(
      "div",
      { class: "demand-decision-buttons" },
      el("button", { type: "submit", class: "button button-primary" }, submitLabel),
      el("button", { type: "button", class: "button", onclick: cancel }, t("cancel")),
    ),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const focusId = await submitting(form, send);
    if (focusId !== undefined) await done(focusId);
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      cancel();
    }
  });
  return form;
}

/** Who merged `id` into the demand and when, from its decisions (the merged demand is not listed). */
function mergedLabel(demand, id, index) {
  const decision = [...(demand.decisions || [])].reverse().find((found) => found.kind === "merged" && found.other_id === id);
  if (decision) return tf("console_insights_split_option", { by: decision.by, at: moment(decision.at) });
  return tf("console_insights_split_option_plain", { n: index + 1 });
}

const forms = {
  name(demand, ids, handlers) {
    const input = el("input", { type: "text", name: "name", maxlength: "120", autocomplete: "off", value: demand.name || "" });
    return decisionForm("name", [field(ids("name"), t("console_insights_demand_name"), input, t("console_insights_demand_name_hint"))], t("console_insights_save_name"), {
      ...handlers,
      async send(data) {
        await api("PUT", demandPath(demand.id, "name"), { json: { name: data.name || "" } });
        return demand.id;
      },
    });
  },
  merge(demand, ids, handlers, others) {
    const select = el("select", { name: "into" }, ...others.map((other) => el("option", { value: other.id }, tf("console_insights_merge_option", { title: titleOf(other), n: other.size }))));
    return decisionForm("merge", [field(ids("into"), t("console_insights_merge_into"), select, t("console_insights_merge_hint"))], t("console_insights_merge_confirm"), {
      ...handlers,
      async send(data) {
        await api("POST", demandPath(demand.id, "merge"), { json: { into: data.into } });
        return data.into; // this one is gone from the list: the one it joined takes the focus
      },
    });
  },
  split(demand, ids, handlers) {
    const merged = demand.merged_from || [];
    const parts = [el("p", {}, t("console_insights_split_text"))];
    if (merged.length > 1) {
      const select = el("select", { name: "merged" }, ...merged.map((id, index) => el("option", { value: id }, mergedLabel(demand, id, index))));
      parts.push(field(ids("merged"), t("console_insights_split_which"), select));
    }
    return decisionForm("split", parts, t("console_insights_split_confirm"), {
      ...handlers,
      async send(data) {
        await api("DELETE", demandPath(data.merged || merged[0], "merge"));
        return demand.id;
      },
    });
  },
  develop(demand, ids, handlers) {
    const note = el("textarea", { name: "note", maxlength: "2000", rows: "3" });
    return decisionForm("develop", [field(ids("note"), t("console_insights_development_note"), note, t("console_insights_development_hint"))], t("console_insights_send_development"), {
      ...handlers,
      async send(data) {
        if (!data.note) {
          const missing = t("console_insights_development_note_missing");
          throw new ApiError(422, { message: missing, fields: [{ field: "note", message: missing }] });
        }
        await api("PUT", demandPath(demand.id, "development"), { json: { note: data.note } });
        return demand.id;
      },
    });
  },
  withdraw(demand, ids, handlers) {
    return decisionForm("withdraw", [el("p", {}, t("console_insights_withdraw_text"))], t("console_insights_withdraw_confirm"), {
      ...handlers,
      async send() {
        await api("DELETE", demandPath(demand.id, "development"));
        return demand.id;
      },
    });
  },
};

/** The buttons of a demand's decisions and the place their forms open in. */
export function decisionActions(demand, { headingId, others, done }) {
  const slot = el("div", { class: "demand-form", id: `${headingId}-decision` });
  const ids = (name) => `${headingId}-${name}`;
  let opened = null; // the button whose form is open

  function close(refocus = true) {
    slot.replaceChildren();
    opened?.setAttribute("aria-expanded", "false");
    if (refocus) opened?.focus();
    opened = null;
  }

  function button(kind, label) {
    const made = el("button", { type: "button", class: "button", "aria-expanded": "false", "aria-controls": slot.id, dataset: { action: kind } }, label);
    made.addEventListener("click", () => {
      if (opened === made) return close();
      close(false);
      opened = made;
      made.setAttribute("aria-expanded", "true");
      const form = forms[kind](demand, ids, { cancel: () => close(), done }, others);
      slot.replaceChildren(form);
      form.querySelector("input, select, textarea, button[type=submit]")?.focus();
    });
    return made;
  }

  const buttons = [
    button("name", demand.name ? t("console_insights_rename") : t("console_insights_name_it")),
    others.length ? button("merge", t("console_insights_merge")) : null,
    (demand.merged_from || []).length ? button("split", t("console_insights_split")) : null,
    demand.development ? button("withdraw", t("console_insights_withdraw_development")) : button("develop", t("console_insights_send_development")),
  ];
  return el(
    "div",
    { class: "demand-decisions" },
    el("div", { class: "demand-actions", role: "group", "aria-label": `${t("console_insights_demand_actions")}: ${titleOf(demand)}` }, ...buttons),
    slot,
  );
}
