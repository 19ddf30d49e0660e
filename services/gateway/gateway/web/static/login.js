// Log-in: customers land on their requests, staff on the console (or where they were going).
import { api, submitting } from "./atende.js";

const form = document.getElementById("log-in");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const opened = await submitting(form, (data) => api("POST", "/api/v1/session", { json: data }));
  if (!opened) return;
  const staff = opened.principal.kind !== "customer";
  const next = form.dataset.next;
  const fits = next && next.startsWith("/console") === staff;
  location.assign(fits ? next : staff ? "/console" : "/tickets");
});
