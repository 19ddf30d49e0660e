// Nova solicitação: files upload as they are picked (with the form's Idempotency-Key, which names
// the ticket in advance); the send carries the same key, so a retried send never opens a second one.
import { ApiError, api, filePicker, showErrors, submitting, t } from "./atende.js";
import { fill, gateWhileUploading, keepDraft, newKey, sendOnCtrlEnter } from "./portal-common.js";

const form = document.getElementById("new-ticket");
const list = document.getElementById("attachments-list");
const key = newKey(); // one per form: every retry of this request reuses it
const picker = filePicker(document.getElementById("attachments"), list, {
  url: () => "/api/v1/tickets/new/attachments",
  headers: () => ({ "Idempotency-Key": key }),
});
const gate = gateWhileUploading(form, picker, list);
const forgetDraft = keepDraft(form, "atende-portal-new-ticket");
sendOnCtrlEnter(form);

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (picker.busy()) {
    showErrors(form, new ApiError(0, { message: t("wait_for_uploads") }));
    return;
  }
  const opened = await submitting(form, (data) =>
    api("POST", "/api/v1/tickets", {
      json: { ...data, attachment_ids: picker.ids() },
      headers: { "Idempotency-Key": key },
    }),
  );
  gate();
  if (!opened) return;
  forgetDraft();
  const reference = opened.reference;
  const title = fill("portal_sent_title", { reference });
  document.getElementById("new-ticket-section").hidden = true;
  document.getElementById("sent-title").textContent = title;
  const link = document.getElementById("sent-link");
  link.textContent = fill("portal_see_ticket", { reference });
  link.href = `/tickets/${encodeURIComponent(opened.id)}`;
  document.title = `${title} · ${t("brand")}`;
  const sent = document.getElementById("sent");
  sent.hidden = false;
  sent.focus();
});
