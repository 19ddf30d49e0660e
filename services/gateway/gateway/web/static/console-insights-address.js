// The insights page's address and the API's: the period, the breakdown and the department live in the
// page's query (?period=2026-11&by=agent&department=Financeiro), so a link, a reload or Back shows
// the same; every API call of the page asks for the same period and department.
import { presets } from "./console-insights-period.js";

const BYS = ["department", "agent", "overall"];
const API = "/api/v1/agent/insights";

/** What the address asks for (no period: this month; a department not offered: all of them). */
export function readState(search, departments) {
  const params = new URLSearchParams(search);
  const period = (params.get("period") || "").trim() || presets().this_month;
  const by = BYS.includes(params.get("by")) ? params.get("by") : "department";
  const department = departments.includes(params.get("department")) ? params.get("department") : "";
  return { period, by, department };
}

/** The page's address for `state` (the defaults left out). */
export function urlOf(state) {
  const params = new URLSearchParams({ period: state.period });
  if (state.by !== "department") params.set("by", state.by);
  if (state.department) params.set("department", state.department);
  return `/console/insights?${params}`;
}

/** An insights API address: `name` (figures, figures.csv, demands, comments) for the state's period
 * and department, with `extra` parameters. */
export function apiPath(name, state, extra = {}) {
  const params = new URLSearchParams({ period: state.period, ...extra });
  if (state.department) params.set("department", state.department);
  return `${API}/${name}?${params}`;
}

/** The figures of `state` broken down `by`: the JSON answer, or one table of it as a CSV file. */
export function figuresPath(state, by, table = null) {
  return table ? apiPath("figures.csv", state, { by, table }) : apiPath("figures", state, { by });
}

/** A demand's decision endpoint (name, merge, development). */
export function demandPath(id, decision) {
  return `${API}/demands/${encodeURIComponent(id)}/${decision}`;
}
