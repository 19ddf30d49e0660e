// The pieces the insights page is made of: human durations and numbers, figure cards and tables
// (phone-friendly: each cell names its column), all put on the page as DOM nodes.
import { el, lang, t } from "./atende.js";

const numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
const dayMonth = new Intl.DateTimeFormat(lang, { day: "2-digit", month: "2-digit" });
const hourMinute = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" });

/** "22/11 10:40" ("11/22 10:40 AM"): when something was decided, short (the year is the period's). */
export function moment(iso) {
  if (!iso) return "";
  const at = new Date(iso);
  return `${dayMonth.format(at)} ${hourMinute.format(at)}`;
}

/** A table of the API ({columns, rows}) as objects by column name. */
export function records(answer, name) {
  const table = answer.tables.find((found) => found.name === name);
  if (!table) return [];
  return table.rows.map((row) => Object.fromEntries(table.columns.map((column, at) => [column, row[at]])));
}

/** "2 h 15 min", "1 min 28 s", "45 s", "3 d 4 h": a measured time to the units that matter (null: none). */
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return null;
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return join(Math.floor(s / 60), "min", s % 60, "s");
  const minutes = Math.round(s / 60);
  if (minutes < 24 * 60) return join(Math.floor(minutes / 60), "h", minutes % 60, "min");
  const hours = Math.round(s / 3600);
  return join(Math.floor(hours / 24), "d", hours % 24, "h");
}

function join(big, bigUnit, small, smallUnit) {
  return small ? `${big} ${bigUnit} ${small} ${smallUnit}` : `${big} ${bigUnit}`;
}

/** "1,5" / "1.5"; null for no value. */
export function formatNumber(value) {
  return value === null || value === undefined ? null : numbers.format(value);
}

/** "85,7%"; null for no value. */
export function formatPercent(value) {
  return value === null || value === undefined ? null : `${numbers.format(value)}%`;
}

/** A cell's text: a count, a ratio, a percentage, a duration or text (`kind`), or null when there is nothing. */
export function formatCell(value, kind) {
  if (kind === "text") return value;
  if (kind === "percent") return formatPercent(value);
  return kind === "duration" ? formatDuration(value) : formatNumber(value);
}

/** A dash that screen readers read as "no data". */
export function noData() {
  return el(
    "span",
    { class: "no-data" },
    el("span", { "aria-hidden": "true" }, "—"),
    el("span", { class: "visually-hidden" }, t("console_insights_no_data")),
  );
}

/** Figure cards: [{label, value (text or null), note?, detail?}] as a description list. */
export function showCards(list, cards) {
  list.replaceChildren(
    ...cards.map((card) =>
      el(
        "div",
        { class: "insight-card", dataset: { card: card.name } },
        el("dt", { class: "insight-label" }, card.label),
        el(
          "dd",
          { class: "insight-value" },
          card.value === null ? noData() : card.value,
          card.note && card.value !== null ? el("span", { class: "insight-note" }, ` ${card.note}`) : null,
        ),
        card.detail ? el("dd", { class: "insight-detail" }, card.detail) : null,
      ),
    ),
  );
}

/**
 * A table in `box`: `columns` [{label, kind}] (the first names the row), `rows` lists of values of the
 * same kinds (the first already text). Cells carry their column's name for the phone layout.
 */
export function showTable(box, { caption, columns, rows, name }) {
  const shape = (column) => (column.kind === "text" ? null : "number");
  const head = el("tr", {}, ...columns.map((column) => el("th", { scope: "col", class: shape(column) }, column.label)));
  const body = rows.map((values) =>
    el(
      "tr",
      {},
      ...values.map((value, at) => {
        const column = columns[at];
        if (at === 0) return el("th", { scope: "row", "data-label": column.label }, value);
        const text = formatCell(value, column.kind);
        return el("td", { "data-label": column.label, class: shape(column) }, text === null ? noData() : text);
      }),
    ),
  );
  // A table wider than the screen scrolls; keyboards can then reach it to scroll it too.
  box.tabIndex = 0;
  box.setAttribute("role", "region");
  box.setAttribute("aria-label", caption);
  box.replaceChildren(
    el(
      "table",
      { class: "table insights-table", dataset: { table: name } },
      el("caption", {}, caption),
      el("thead", {}, head),
      el("tbody", {}, ...body),
    ),
  );
}
