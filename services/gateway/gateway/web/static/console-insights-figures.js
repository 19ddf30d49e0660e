// What the figures say: cards for the whole team, and per department or agent a bar chart with the
// same numbers in a table under it, for tickets, time in each status and chats (satisfaction has its
// own module, console-insights-satisfaction.js, drawn from the same answers). Column names are the
// API's (services/insights/insights/figures/*.py, flattened: first_response_median_s…).
import { el, t } from "./atende.js";
import { tf } from "./console-live.js";
import { barChart } from "./console-insights-chart.js";
import { formatCell, formatDuration, formatNumber, records, showCards, showTable } from "./console-insights-parts.js";

const TICKET_COLUMNS = [
  { key: "opened", label: t("console_insights_opened"), kind: "count" },
  { key: "finished", label: t("console_insights_finished"), kind: "count" },
  { key: "backlog", label: t("console_insights_backlog"), kind: "count" },
  { key: "unanswered", label: t("console_insights_unanswered"), kind: "count" },
  { key: "first_response_median_s", label: t("console_insights_first_response_median"), kind: "duration" },
  { key: "first_response_p90_s", label: t("console_insights_first_response_p90"), kind: "duration" },
  { key: "resolution_median_s", label: t("console_insights_resolution_median"), kind: "duration" },
  { key: "resolution_p90_s", label: t("console_insights_resolution_p90"), kind: "duration" },
];
const CHAT_COLUMNS = [
  { key: "requested", label: t("console_insights_requested"), kind: "count" },
  { key: "accepted", label: t("console_insights_accepted"), kind: "count" },
  { key: "abandoned", label: t("console_insights_abandoned"), kind: "count" },
  { key: "wait_median_s", label: t("console_insights_wait_median"), kind: "duration" },
  { key: "wait_p90_s", label: t("console_insights_wait_p90"), kind: "duration" },
  { key: "offline_messages", label: t("console_insights_offline"), kind: "count" },
  { key: "agents", label: t("console_insights_agents"), kind: "count" },
  { key: "chats_per_agent", label: t("console_insights_chats_per_agent"), kind: "ratio" },
];
const STATUS = {
  waiting: t("console_insights_status_waiting"),
  in_progress: t("console_insights_status_in_progress"),
  awaiting_customer: t("console_insights_status_awaiting_customer"),
  finished: t("console_insights_status_finished"),
};

/** Whether nothing happened in the period (the whole team's answer): no tickets, chats, backlog or ratings. */
export function isEmpty(overall) {
  const [tickets = {}] = records(overall, "tickets");
  const [chats = {}] = records(overall, "chats");
  const rated = records(overall, "satisfaction").some((row) => row.count);
  return !rated && ![tickets.opened, tickets.finished, tickets.backlog, chats.requested, chats.offline_messages].some(Boolean);
}

/** The name of a row's key: a department, an agent (their name when known), nobody or everyone. */
function keyLabel(key, by, names) {
  if (by === "overall") return t("console_insights_whole_team");
  if (key === null || key === undefined) {
    return by === "agent" ? t("console_insights_nobody") : t("console_insights_no_department");
  }
  return by === "agent" ? names.get(key) || key : key;
}

/** A breakdown's rows with their names, by name (an agent's key is an id), the row of nobody last. */
export function named(rows, by, names) {
  const key = by === "agent" ? "agent" : "department";
  const labelled = rows.map((row) => ({ ...row, label: keyLabel(row[key], by, names), nobody: row[key] === null }));
  return labelled.sort((a, b) => a.nobody - b.nobody || a.label.localeCompare(b.label));
}

/** The median with its 90th percentile and how many times were measured, as a card. */
function timeCard(name, label, row, prefix, measured) {
  const count = row[`${prefix}_count`] || 0;
  const p90 = formatDuration(row[`${prefix}_p90_s`]);
  return {
    name,
    label,
    value: formatDuration(row[`${prefix}_median_s`]),
    note: t("console_insights_median_is"),
    detail: count ? `${tf("console_insights_p90_is", { time: p90 })} · ${tf(measured, { n: count })}` : null,
  };
}

function ticketCards(row) {
  const count = (name, label) => ({ name, label, value: formatNumber(row[name] ?? 0) });
  return [
    count("opened", t("console_insights_opened")),
    count("finished", t("console_insights_finished")),
    count("backlog", t("console_insights_backlog")),
    count("unanswered", t("console_insights_unanswered")),
    timeCard("first_response", t("console_insights_first_response"), row, "first_response", "console_insights_measured"),
    timeCard("resolution", t("console_insights_resolution"), row, "resolution", "console_insights_measured"),
  ];
}

function chatCards(row) {
  const count = (name, label) => ({ name, label, value: formatNumber(row[name] ?? 0) });
  return [
    count("requested", t("console_insights_requested")),
    count("accepted", t("console_insights_accepted")),
    count("abandoned", t("console_insights_abandoned")),
    timeCard("wait", t("console_insights_wait"), row, "wait", "console_insights_waits_measured"),
    count("offline_messages", t("console_insights_offline")),
    {
      name: "chats_per_agent",
      label: t("console_insights_chats_per_agent"),
      value: formatNumber(row.chats_per_agent),
      detail: `${t("console_insights_agents")}: ${formatNumber(row.agents ?? 0)}`,
    },
  ];
}

export function per(by) {
  return by === "agent" ? t("console_insights_per_agent") : t("console_insights_per_department");
}

export function keyColumn(by) {
  return { label: by === "agent" ? t("console_insights_by_agent") : t("console_insights_by_department"), kind: "text" };
}

/** One area's breakdown: the chart of the chosen column and the table of every column. */
function breakdown(nodes, { rows, by, columns, what, metric }) {
  const chosen = columns.find((column) => column.key === metric) || columns[0];
  barChart(nodes.chart, {
    title: tf("console_insights_chart_title", { metric: chosen.label, by: per(by) }),
    desc: t("console_insights_chart_desc"),
    bars: rows.map((row) => ({
      label: row.label,
      value: row[chosen.key],
      text: formatCell(row[chosen.key], chosen.kind) ?? t("console_insights_no_data"),
    })),
  });
  showTable(nodes.table, {
    name: what,
    caption: tf("console_insights_table_of", { what: nodes.title, by: per(by) }),
    columns: [keyColumn(by), ...columns],
    rows: rows.map((row) => [row.label, ...columns.map((column) => row[column.key])]),
  });
}

function statusTimes(box, rows, by) {
  if (!rows.length) {
    for (const name of ["tabindex", "role", "aria-label"]) box.removeAttribute(name);
    box.replaceChildren(el("p", { class: "muted" }, t("console_insights_no_status_times")));
    return;
  }
  const columns = [
    { label: t("console_insights_status"), kind: "text" },
    { label: t("console_insights_status_tickets"), kind: "count" },
    { label: t("console_insights_status_median"), kind: "duration" },
    { label: t("console_insights_status_total"), kind: "duration" },
  ];
  const cells = (row) => [STATUS[row.status] || row.status, row.tickets, row.median_s, row.total_s];
  const overall = by === "overall";
  showTable(box, {
    name: "status_times",
    caption: overall ? t("console_insights_status_times") : tf("console_insights_table_of", { what: t("console_insights_status_times"), by: per(by) }),
    columns: overall ? columns : [keyColumn(by), ...columns],
    rows: rows.map((row) => (overall ? cells(row) : [row.label, ...cells(row)])),
  });
}

/**
 * The page's figures: `show(overall, split, by, names)` draws them (split: the answer by `by`; names:
 * agent id → name), `redraw()` draws the charts again (another column chosen, another width).
 */
export function figuresView(nodes) {
  let last = null;
  function breakdowns() {
    if (!last || last.by === "overall") return;
    const { tickets, chats, by } = last;
    breakdown(nodes.tickets, { rows: tickets, by, columns: TICKET_COLUMNS, what: "tickets", metric: nodes.tickets.metric.value });
    breakdown(nodes.chats, { rows: chats, by, columns: CHAT_COLUMNS, what: "chats", metric: nodes.chats.metric.value });
  }
  function redraw() {
    nodes.satisfaction.redraw();
    breakdowns();
  }
  return {
    show(overall, split, by, names) {
      const [ticketsRow = {}] = records(overall, "tickets");
      const [chatsRow = {}] = records(overall, "chats");
      showCards(nodes.tickets.cards, ticketCards(ticketsRow));
      showCards(nodes.chats.cards, chatCards(chatsRow));
      last = { by, tickets: named(records(split, "tickets"), by, names), chats: named(records(split, "chats"), by, names) };
      nodes.tickets.breakdown.hidden = by === "overall";
      nodes.chats.breakdown.hidden = by === "overall";
      statusTimes(nodes.statusTable, named(records(split, "status_times"), by, names), by);
      nodes.satisfaction.show(overall, split, by, names);
      breakdowns();
    },
    redraw,
  };
}
