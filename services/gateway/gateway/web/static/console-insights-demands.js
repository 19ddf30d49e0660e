// Recurring demands of a period (GET /api/v1/agent/insights/demands), biggest first: each with its
// name (or its top words), size and trend against the period before, tickets and chats, how customers
// put it, whether it went to development, its members as links and the agents' decisions on it. The
// decisions themselves (name, merge, split, development) are console-insights-decisions.js.
import { api, el, formatTime, lang, t } from "./atende.js";
import { tf } from "./console-live.js";
import { apiPath } from "./console-insights-address.js";
import { subjectLink } from "./console-insights-comments.js";
import { decisionActions, titleOf } from "./console-insights-decisions.js";
import { formatNumber, moment } from "./console-insights-parts.js";

const TYPICAL = 3;
const QUOTE = 240; // characters of a typical wording shown; the members hold the whole texts
const dayMonth = new Intl.DateTimeFormat(lang, { day: "2-digit", month: "2-digit" });

/** The change against the period before: "novo", "+40%", "−20%" or "0%", as a badge. */
function trend(size, before) {
  if (!before) {
    return el("span", { class: "trend trend-new", dataset: { trend: "new" } }, t("console_insights_demand_new"),
      el("span", { class: "visually-hidden" }, `: ${t("console_insights_demand_new_hint")}`));
  }
  const change = Math.round((100 * (size - before)) / before);
  const [arrow, shape, text] = change > 0 ? ["↑", "up", `+${change}%`] : change < 0 ? ["↓", "down", `−${-change}%`] : ["→", "same", "0%"];
  return el(
    "span",
    { class: `trend trend-${shape}`, dataset: { trend: text } },
    el("span", { "aria-hidden": "true" }, `${arrow} `),
    text,
    el("span", { class: "trend-before" }, ` ${tf("console_insights_demand_vs_previous", { n: formatNumber(before) })}`),
  );
}

function typical(demand, headingId) {
  const quotes = (demand.typical || []).slice(0, TYPICAL).filter((text) => text.trim());
  if (!quotes.length) return null;
  const clip = (text) => (text.length > QUOTE ? `${text.slice(0, QUOTE - 1)}…` : text);
  const label = `${headingId}-typical`;
  return el(
    "div",
    { class: "demand-typical" },
    el("p", { id: label, class: "demand-typical-label" }, t("console_insights_demand_typical")),
    el("ul", { "aria-labelledby": label }, ...quotes.map((text) => el("li", {}, el("q", {}, clip(text.replace(/\s+/g, " ").trim()))))),
  );
}

function members(demand) {
  const list = demand.members || [];
  if (!list.length) return null;
  const summary = list.length < demand.size
    ? tf("console_insights_demand_members_some", { shown: list.length, n: demand.size })
    : tf("console_insights_demand_members", { n: list.length });
  const link = (member) => {
    if (member.kind !== "ticket") {
      const chat = subjectLink("chat", member.id);
      chat.textContent = tf("console_insights_demand_chat", { title: member.title || "" });
      return chat;
    }
    const ticket = subjectLink("ticket", member.id, member.number);
    ticket.textContent = `#${member.number ?? ""} ${member.title || ""}`.trim();
    return ticket;
  };
  return el(
    "details",
    { class: "demand-members" },
    el("summary", {}, summary),
    el("ul", {}, ...list.map((member) => el("li", { dataset: { kind: member.kind, id: member.id } }, link(member)))),
  );
}

function development(demand) {
  const sent = demand.development;
  if (!sent) return null;
  return el(
    "div",
    { class: "demand-development" },
    el("span", { class: "badge badge-development" }, t("console_insights_demand_development")),
    " ",
    el("q", { class: "demand-development-note" }, sent.note),
    " ",
    el("span", { class: "muted" }, `— ${tf("console_insights_demand_development_by", { by: sent.by, at: moment(sent.at) })}`),
  );
}

/** One decision of the history, in words: "Ana deu o nome “Boleto” em 22/11 10:40". A merge or split
 * names the other demand when the list shows it (either side of the pair reads the same). */
function decisionText(decision, titles) {
  const by = decision.by || "";
  const other = titles.get(decision.other_id);
  const what = {
    named: () => (decision.name ? tf("console_insights_decision_named", { by, name: decision.name }) : tf("console_insights_decision_unnamed", { by })),
    merged: () => (other ? tf("console_insights_decision_merged_with", { by, other }) : tf("console_insights_decision_merged", { by })),
    split: () => (other ? tf("console_insights_decision_split_from", { by, other }) : tf("console_insights_decision_split", { by })),
    sent_to_development: () => tf("console_insights_decision_sent", { by, note: decision.note || "" }),
    development_withdrawn: () => tf("console_insights_decision_withdrawn", { by }),
  }[decision.kind];
  const text = what ? what() : tf("console_insights_decision_other", { by, kind: decision.kind });
  return tf("console_insights_decided_at", { what: text, at: moment(decision.at) });
}

function history(demand, titles) {
  const decisions = demand.decisions || [];
  if (!decisions.length) return null;
  return el(
    "details",
    { class: "demand-history" },
    el("summary", {}, tf("console_insights_demand_history", { n: decisions.length })),
    el("ol", {}, ...decisions.map((decision) => el("li", { dataset: { kind: decision.kind } }, decisionText(decision, titles)))),
  );
}

function demandItem(demand, index, all, done) {
  const headingId = `demand-${index + 1}`;
  const merged = (demand.merged_from || []).length;
  return el(
    "li",
    { class: "demand", dataset: { demandId: demand.id }, "aria-labelledby": headingId },
    el(
      "div",
      { class: "demand-head" },
      el("h3", { id: headingId, class: `demand-name${demand.name ? "" : " demand-terms"}`, tabindex: "-1" }, titleOf(demand)),
      demand.name ? null : el("span", { class: "badge demand-unnamed" }, t("console_insights_demand_unnamed")),
    ),
    el(
      "p",
      { class: "demand-figures" },
      el("strong", { class: "demand-size", dataset: { size: demand.size } }, tf("console_insights_demand_size", { n: formatNumber(demand.size) })),
      " ",
      trend(demand.size, demand.previous_size),
      el("span", { class: "demand-split muted" }, ` · ${tf("console_insights_demand_split", { tickets: formatNumber(demand.tickets), chats: formatNumber(demand.chats) })}`),
    ),
    merged ? el("p", { class: "demand-merged muted" }, merged === 1 ? t("console_insights_demand_merged_one") : tf("console_insights_demand_merged", { n: merged })) : null,
    development(demand),
    typical(demand, headingId),
    members(demand),
    history(demand, new Map(all.map((other) => [other.id, titleOf(other)]))),
    decisionActions(demand, { headingId, others: all.filter((other) => other.id !== demand.id), done }),
  );
}

/** "Atualizado às 10:32" today, "Atualizado em 21/11 às 18:02" another day. */
function updated(iso) {
  if (!iso) return "";
  const at = new Date(iso);
  const time = formatTime(iso);
  return at.toDateString() === new Date().toDateString()
    ? tf("console_insights_demands_updated", { time })
    : tf("console_insights_demands_updated_on", { date: dayMonth.format(at), time });
}

/** The demands section in `root`: `load(state)` asks for the state's period and department. */
export function demandsView(root) {
  const list = root.querySelector("#demand-list");
  const status = root.querySelector("#demands-status");
  const stamp = root.querySelector("#demands-updated");
  const empty = root.querySelector("#demands-empty");
  let loads = 0;
  let shown = null; // the state last asked for: decisions reload it

  function emptyState(text, hint) {
    root.querySelector("#demands-empty-text").textContent = text;
    root.querySelector("#demands-empty-hint").textContent = hint;
    empty.hidden = false;
  }

  /** After a decision: the list again, then focus on the demand it left (`focusId`) and say so. */
  async function done(focusId, said = t("console_insights_decision_saved")) {
    await load(shown, { quiet: true });
    const item = focusId && [...list.children].find((found) => found.dataset.demandId === focusId);
    item?.querySelector("h3")?.focus();
    status.textContent = said;
  }

  async function load(state, { quiet = false } = {}) {
    const mine = ++loads;
    shown = state;
    list.setAttribute("aria-busy", "true");
    if (!quiet) status.textContent = t("console_insights_demands_loading");
    try {
      const found = await api("GET", apiPath("demands", state));
      if (mine !== loads) return;
      status.textContent = "";
      stamp.textContent = updated(found.computed_at);
      empty.hidden = true;
      const demands = found.demands || [];
      list.replaceChildren(...demands.map((demand, index) => demandItem(demand, index, demands, done)));
      if (!found.computed_at) emptyState(t("console_insights_demands_not_yet"), "");
      else if (!demands.length) emptyState(t("console_insights_demands_none"), t("console_insights_demands_none_hint"));
    } catch (error) {
      if (mine !== loads) return;
      list.replaceChildren();
      stamp.textContent = "";
      empty.hidden = true;
      status.textContent = error.status >= 400 && error.status < 500 ? error.message : t("console_insights_demands_unavailable");
    } finally {
      if (mine === loads) list.removeAttribute("aria-busy");
    }
  }
  return { load };
}
