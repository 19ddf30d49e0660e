// Insights (docs/architecture.md "Insights"): the service figures of a period for the whole team and
// by department or agent. The period and the breakdown live in the address (a reload or Back keeps
// them); the figures come from GET /api/v1/agent/insights/figures, the CSV files from its .csv twin.
import { api, t } from "./atende.js";
import { followConsole, tf } from "./console-live.js";
import { figuresView, isEmpty } from "./console-insights-figures.js";
import { choiceOf, dayOf, describe, iso, parse, presets, rangeLabel, today } from "./console-insights-period.js";

const BYS = ["department", "agent", "overall"];
const FIGURES = "/api/v1/agent/insights/figures";
const byId = (id) => document.getElementById(id);

const form = byId("insights-filters");
const alert = byId("filters-alert");
const results = byId("insights-results");
const loading = byId("insights-loading");
const empty = byId("insights-empty");
const failure = byId("insights-error");
const periodName = byId("period-name");
const previous = byId("previous-link");
const thisMonth = byId("insights-this-month");
const retry = byId("insights-retry");
const area = (name, title) => ({
  title,
  cards: byId(`${name}-cards`),
  breakdown: byId(`${name}-breakdown`),
  chart: byId(`${name}-chart`),
  table: byId(`${name}-table`),
  metric: byId(`${name}-metric`),
});
const view = figuresView({
  tickets: area("ticket", t("console_insights_tickets")),
  chats: area("chat", t("console_insights_chats")),
  statusTable: byId("status-table"),
});

/** The period and breakdown as the address says them (no period: this month). */
function readState(search = location.search) {
  const params = new URLSearchParams(search);
  const period = (params.get("period") || "").trim() || presets().this_month;
  return { period, by: BYS.includes(params.get("by")) ? params.get("by") : "department" };
}

function urlOf(state) {
  const params = new URLSearchParams({ period: state.period });
  if (state.by !== "department") params.set("by", state.by);
  return `/console/insights?${params}`;
}

/** The figures' address: the JSON answer, or one table of it as a CSV file. */
function figuresPath(period, by, table = null) {
  const params = new URLSearchParams({ period, by });
  if (table) params.set("table", table);
  return `${FIGURES}${table ? ".csv" : ""}?${params}`;
}

let state = readState();
let loads = 0;
let names = null; // agent id → name, asked once the breakdown is by agent

const field = (name) => form.elements.namedItem(name);

function showPickers(choice) {
  byId("pick-month").hidden = choice !== "month";
  byId("pick-range").hidden = choice !== "range";
  byId("insights-apply").hidden = choice !== "month" && choice !== "range";
}

function clearAlert() {
  alert.hidden = true;
  alert.textContent = "";
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
  }
}

function refuse(message, name) {
  clearAlert();
  alert.textContent = message;
  alert.hidden = false;
  field(name).setAttribute("aria-invalid", "true");
  field(name).setAttribute("aria-describedby", alert.id);
  field(name).focus();
}

/** Put `state` on the form, the heading, the download links and the language switch. */
function showState() {
  const choice = choiceOf(state.period);
  form.querySelector(`input[name=choice][value=${choice}]`).checked = true;
  form.querySelector(`input[name=by][value=${state.by}]`).checked = true;
  const period = parse(state.period);
  const first = period?.first || today();
  field("month").value = period?.kind === "month" ? state.period : iso(first).slice(0, 7);
  field("from").value = iso(first);
  field("to").value = iso(period?.last || first);
  showPickers(choice);
  clearAlert();
  periodName.textContent = describe(state.period);
  thisMonth.href = urlOf({ ...state, period: presets().this_month });
  for (const link of document.querySelectorAll("a.csv-link")) {
    link.href = figuresPath(state.period, state.by, link.dataset.table);
  }
  // The language switch comes back to this same period (the layout only knows the path).
  const switcher = document.querySelector("a.language-switch");
  if (switcher) {
    const target = new URL(switcher.href, location.href);
    target.searchParams.set("next", location.pathname + location.search);
    switcher.href = target.pathname + target.search;
  }
}

/** Go to `next`: the address changes (Back returns), the figures are fetched. */
function navigate(next) {
  state = next;
  history.pushState(null, "", urlOf(state));
  showState();
  load();
}

async function colleagues() {
  if (names) return;
  try {
    const found = await api("GET", "/api/v1/agent/colleagues");
    names = new Map(found.map((colleague) => [colleague.account_id, colleague.name]));
  } catch {
    // Without names the agents' ids still tell them apart; asked again next time.
  }
}

function show(overall, split, asked) {
  periodName.textContent = describe(overall.period);
  previous.href = urlOf({ ...asked, period: overall.previous_period });
  previous.textContent = tf("console_insights_previous", { name: describe(overall.previous_period) });
  previous.hidden = false;
  failure.hidden = true;
  const nothing = isEmpty(overall);
  empty.hidden = !nothing;
  results.hidden = nothing; // shown before drawing: the charts take the width they are given
  if (!nothing) view.show(overall, split, asked.by, names || new Map());
}

function fail(error) {
  const badPeriod = error.status === 422;
  results.hidden = true;
  empty.hidden = true;
  previous.hidden = true;
  let message = t("console_insights_unavailable");
  if (badPeriod) message = t("console_insights_bad_period");
  else if (error.status >= 400 && error.status < 500) message = error.message;
  byId("insights-error-text").textContent = message;
  thisMonth.hidden = !badPeriod;
  retry.hidden = badPeriod;
  failure.hidden = false;
}

async function load() {
  const mine = ++loads;
  const asked = state;
  results.setAttribute("aria-busy", "true");
  loading.textContent = t("console_insights_loading");
  try {
    const [overall, split] = await Promise.all([
      api("GET", figuresPath(asked.period, "overall")),
      asked.by === "overall" ? null : api("GET", figuresPath(asked.period, asked.by)),
      asked.by === "agent" ? colleagues() : null,
    ]);
    if (mine !== loads) return; // a later choice answers instead
    show(overall, split || overall, asked);
  } catch (error) {
    if (mine === loads) fail(error);
  } finally {
    if (mine === loads) {
      results.setAttribute("aria-busy", "false");
      loading.textContent = "";
    }
  }
}

// One choice applies at once; a month or a range of days waits for "Mostrar" (or Enter).
form.addEventListener("change", (event) => {
  const { name, value } = event.target;
  if (name === "by") navigate({ ...state, by: value });
  else if (name === "choice" && value in presets()) navigate({ ...state, period: presets()[value] });
  else if (name === "choice") showPickers(value);
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const choice = field("choice").value;
  if (choice in presets()) {
    navigate({ ...state, period: presets()[choice] });
  } else if (choice === "month") {
    const month = field("month").value.trim();
    if (parse(month)?.kind !== "month") refuse(t("console_insights_month_missing"), "month");
    else navigate({ ...state, period: month });
  } else {
    const [from, to] = [field("from").value, field("to").value];
    if (!dayOf(from) || !dayOf(to)) refuse(t("console_insights_range_missing"), dayOf(from) ? "to" : "from");
    else if (to < from) refuse(t("console_insights_range_order"), "to");
    else navigate({ ...state, period: rangeLabel(from, to) });
  }
});

document.addEventListener("click", (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const link = event.target.closest("#previous-link, #insights-this-month");
  if (!link) return;
  event.preventDefault();
  navigate(readState(new URL(link.href).search));
  periodName.focus(); // keyboards land on the period now shown
});

retry.addEventListener("click", () => load());
for (const select of document.querySelectorAll(".chart-metric select")) select.addEventListener("change", () => view.redraw());

// Charts are drawn to the width they have: draw them again when it changes (a phone turned).
let width = results.clientWidth;
let resizing = 0;
window.addEventListener("resize", () => {
  clearTimeout(resizing);
  resizing = setTimeout(() => {
    if (results.clientWidth !== width) {
      width = results.clientWidth;
      view.redraw();
    }
  }, 150);
});

window.addEventListener("popstate", () => {
  state = readState();
  showState();
  load();
});

showState();
load();
followConsole(); // the nav's count of chats waiting, as on every console page
