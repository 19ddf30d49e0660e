// Periods as the insights API names them — 2026-11 (a month), 2026-W45 (an ISO week), 2026-11-02 (a
// day), 2026-11-01..2026-11-15 (days) — and their names in the page's language. A day is held as a
// UTC midnight and formatted in UTC, so neither the browser's zone nor a clock change moves it.
import { lang, t } from "./atende.js";
import { fill } from "./console-live.js";

const DAY_MS = 86400000;
const MONTH = /^(\d{4})-(\d{2})$/;
const WEEK = /^(\d{4})-W(\d{2})$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const monthName = new Intl.DateTimeFormat(lang, { month: "long", year: "numeric", timeZone: "UTC" });
const dayName = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeZone: "UTC" });
const days = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

function day(year, month, date) {
  return new Date(Date.UTC(year, month, date));
}

function plus(date, n) {
  return new Date(date.getTime() + n * DAY_MS);
}

/** "2026-11-02". */
export function iso(date) {
  return date.toISOString().slice(0, 10);
}

/** The day `text` names ("2026-11-02"), or null (31 February is not a day). */
export function dayOf(text) {
  if (!DAY.test(text || "")) return null;
  const date = new Date(`${text}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || iso(date) !== text ? null : date;
}

/** Today, as the browser's calendar reads it. */
export function today(now = new Date()) {
  return day(now.getFullYear(), now.getMonth(), now.getDate());
}

/** The ISO week of a day: {year, week} (weeks begin on Monday; week 1 holds the year's first Thursday). */
function isoWeek(date) {
  const thursday = plus(date, 3 - ((date.getUTCDay() + 6) % 7));
  const year = thursday.getUTCFullYear();
  return { year, week: 1 + Math.floor((thursday - day(year, 0, 1)) / (7 * DAY_MS)) };
}

function mondayOf(year, week) {
  const january4 = day(year, 0, 4); // always in week 1
  return plus(january4, (week - 1) * 7 - ((january4.getUTCDay() + 6) % 7));
}

/** The labels of the quick choices, from `now` (a day). */
export function presets(now = today()) {
  const { year, week } = isoWeek(now);
  return {
    this_month: iso(now).slice(0, 7),
    last_month: iso(day(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).slice(0, 7),
    this_week: `${year}-W${String(week).padStart(2, "0")}`,
  };
}

/** The label of the days `first`…`last` ("2026-11-02" strings): one day is that day. */
export function rangeLabel(first, last) {
  return first === last ? first : `${first}..${last}`;
}

/** A label's kind and days {kind: month|week|day|range, first, last}, or null if it names no period. */
export function parse(label) {
  const text = (label || "").trim();
  let match = MONTH.exec(text);
  if (match) {
    const [year, month] = [Number(match[1]), Number(match[2]) - 1];
    return month < 0 || month > 11 ? null : { kind: "month", first: day(year, month, 1), last: day(year, month + 1, 0) };
  }
  match = WEEK.exec(text);
  if (match) {
    const monday = mondayOf(Number(match[1]), Number(match[2]));
    const known = isoWeek(monday);
    if (known.year !== Number(match[1]) || known.week !== Number(match[2])) return null; // no week 53 that year
    return { kind: "week", first: monday, last: plus(monday, 6) };
  }
  if (text.includes("..")) {
    const [first, last] = text.split("..", 2).map((part) => dayOf(part.trim()));
    return first && last && first <= last ? { kind: "range", first, last } : null;
  }
  const only = dayOf(text);
  return only ? { kind: "day", first: only, last: only } : null;
}

/** "Novembro de 2026", "Semana 45 de 2026 (2 – 8 de nov. de 2026)", "2 de novembro de 2026"… */
export function describe(label) {
  const period = parse(label);
  if (!period) return label;
  if (period.kind === "month") {
    const name = monthName.format(period.first);
    return name.charAt(0).toUpperCase() + name.slice(1);
  }
  if (period.kind === "day") return dayName.format(period.first);
  const range = days.formatRange(period.first, period.last);
  if (period.kind === "range") return range;
  const { year, week } = isoWeek(period.first);
  return fill(t("console_insights_week"), { week, year, range });
}

/** Which choice of the form shows `label`: a quick one if it is one, else a month or a range of days. */
export function choiceOf(label, now = today()) {
  const found = Object.entries(presets(now)).find(([, preset]) => preset === label);
  if (found) return found[0];
  return parse(label)?.kind === "month" ? "month" : "range";
}
