// Insights (docs/architecture.md "Insights"): the service figures and satisfaction of a period for the
// whole team and by department or agent, its recurring demands and (admins) customers' comments. The
// period, the breakdown and the department live in the address (a reload or Back keeps them); the
// figures come from GET /api/v1/agent/insights/figures, the CSV files from its .csv twin.
import { api, t } from "./atende.js";
import { followConsole, tf } from "./console-live.js";
import { figuresPath, readState as addressState, urlOf } from "./console-insights-address.js";
import { commentsView } from "./console-insights-comments.js";
import { demandsView } from "./console-insights-demands.js";
import { figuresView, isEmpty } from "./console-insights-figures.js";
import { choiceOf, dayOf, describe, iso, parse, presets, rangeLabel, today } from "./console-insights-period.js";
import { satisfactionView } from "./console-insights-satisfaction.js";

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
  satisfaction: satisfactionView({
    cards: byId("satisfaction-cards"),
    none: byId("satisfaction-none"),
    chart: byId("satisfaction-chart"),
    table: byId("satisfaction-table"),
    kinds: document.querySelectorAll("input[name=rating_kind]"),
  }),
});
const more = byId("insights-more");
const demands = demandsView(byId("demands"));
// Customers' comments are for admins: an agent's page has no such section and never asks.
const comments = byId("comments") ? commentsView(byId("comments")) : null;
const departments = [...byId("insights-department").options].map((option) => option.value).filter(Boolean);

/** The period, breakdown and department as the address says them. */
const readState = (search = location.search) => addressState(search, departments);

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
  field("department").value = state.department;
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
    link.href = figuresPath(state, state.by, link.dataset.table);
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
  more.hidden = false;
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
  more.hidden = true;
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
  // Demands and comments load beside the figures, each in its own section; shown once the period holds.
  demands.load(asked);
  comments?.load(asked);
  try {
    const [overall, split] = await Promise.all([
      api("GET", figuresPath(asked, "overall")),
      asked.by === "overall" ? null : api("GET", figuresPath(asked, asked.by)),
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
  else if (name === "department") navigate({ ...state, department: value });
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
