// Satisfaction (CSAT) of a period, from the figures' `satisfaction` table: cards for the whole team
// (the share of 4s and 5s, the average score, how many ratings), a bar chart of the scores 1 to 5 and,
// by department or agent, the same numbers in a table. A switch chooses tickets, chats or both.
import { t } from "./atende.js";
import { tf } from "./console-live.js";
import { barChart } from "./console-insights-chart.js";
import { keyColumn, named, per } from "./console-insights-figures.js";
import { formatNumber, formatPercent, records, showCards, showTable } from "./console-insights-parts.js";

const SCORES = [1, 2, 3, 4, 5];
const COLUMNS = [
  { key: "count", label: t("console_insights_ratings"), kind: "count" },
  { key: "average", label: t("console_insights_average"), kind: "ratio" },
  { key: "csat_pct", label: t("console_insights_csat"), kind: "percent" },
  ...SCORES.map((n) => ({ key: `score_${n}`, label: tf("console_insights_score", { n }), kind: "count" })),
];

function cards(row) {
  return [
    { name: "csat", label: t("console_insights_csat"), value: formatPercent(row.csat_pct), note: t("console_insights_csat_note") },
    { name: "average", label: t("console_insights_average"), value: formatNumber(row.average), note: t("console_insights_average_of") },
    { name: "ratings", label: t("console_insights_ratings"), value: formatNumber(row.count ?? 0) },
  ];
}

function distribution(box, row) {
  const count = row.count || 0;
  barChart(box, {
    title: t("console_insights_distribution"),
    desc: t("console_insights_distribution_desc"),
    bars: SCORES.map((n) => {
      const value = row[`score_${n}`] || 0;
      const share = count ? formatPercent(Math.round((1000 * value) / count) / 10) : null;
      return { label: tf("console_insights_score", { n }), value, text: share ? `${formatNumber(value)} (${share})` : formatNumber(value) };
    }),
  });
}

/**
 * The satisfaction section: `show(overall, split, by, names)` keeps the answers and draws them,
 * `redraw()` draws again (another kind chosen, another width).
 */
export function satisfactionView(nodes) {
  let last = null;
  const chosenKind = () => [...nodes.kinds].find((input) => input.checked)?.value || "all";

  function redraw() {
    if (!last) return;
    const kind = chosenKind();
    const row = last.overall.find((found) => found.kind === kind) || { count: 0 };
    showCards(nodes.cards, cards(row));
    const rated = (row.count || 0) > 0;
    nodes.none.hidden = rated;
    nodes.chart.hidden = !rated;
    if (rated) distribution(nodes.chart, row);
    else nodes.chart.replaceChildren();
    const rows = last.split.filter((found) => found.kind === kind);
    nodes.table.hidden = last.by === "overall" || !rows.length;
    if (nodes.table.hidden) return;
    showTable(nodes.table, {
      name: "satisfaction",
      caption: tf("console_insights_satisfaction_table", { by: per(last.by) }),
      columns: [keyColumn(last.by), ...COLUMNS],
      rows: rows.map((found) => [found.label, ...COLUMNS.map((column) => found[column.key])]),
    });
  }

  for (const input of nodes.kinds) input.addEventListener("change", redraw);
  return {
    show(overall, split, by, names) {
      last = { by, overall: records(overall, "satisfaction"), split: named(records(split, "satisfaction"), by, names) };
      redraw();
    },
    redraw,
  };
}
