// The questions a chat's buttons ask: to whom to transfer it, and whether to end it.
import { api, ApiError, el, showErrors, t } from "./atende.js";
import { fill } from "./console-chat-entries.js";

/** Open `dialog`; `onSubmit(form)` returns true to close it. The focus goes back where it was. */
function ask(dialog, onSubmit) {
  const form = dialog.querySelector("form");
  const opener = document.activeElement;
  const submit = (event) => {
    event.preventDefault();
    if (onSubmit(form)) dialog.close();
  };
  const cancel = () => dialog.close();
  form.addEventListener("submit", submit);
  form.querySelector("[data-action=cancel]").addEventListener("click", cancel);
  dialog.addEventListener(
    "close",
    () => {
      form.removeEventListener("submit", submit);
      form.querySelector("[data-action=cancel]").removeEventListener("click", cancel);
      if (opener?.isConnected && !opener.closest("[hidden]")) opener.focus();
    },
    { once: true },
  );
  dialog.showModal();
}

/**
 * Ask to whom `view`'s chat goes: a colleague of its department or another department; then
 * `transfer({to_agent_id, to_name} | {to_department})`.
 */
export async function askTransfer(view, me, transfer) {
  const dialog = document.getElementById("transfer-dialog");
  const form = dialog.querySelector("form");
  const agents = form.elements.namedItem("to_agent_id");
  const departments = form.elements.namedItem("to_department");
  const alert = form.querySelector(".form-alert");
  alert.hidden = true;
  dialog.querySelector("#transfer-title").textContent = fill("console_chat_transfer_title", { name: view.summary.customer_name });
  const other = [...departments.options].find((option) => option.value !== view.summary.department);
  if (other) departments.value = other.value;
  const showTarget = () => {
    const target = form.elements.namedItem("target").value;
    for (const field of form.querySelectorAll("[data-target]")) field.hidden = field.dataset.target !== target;
  };
  form.elements.namedItem("target").forEach((radio) => {
    radio.onchange = showTarget;
  });
  form.elements.namedItem("target").value = "agent";
  showTarget();
  agents.replaceChildren(el("option", { value: "" }, t("loading")));
  ask(dialog, () => {
    const target = form.elements.namedItem("target").value;
    if (target === "department") {
      transfer({ to_department: departments.value });
      return true;
    }
    if (!agents.value) {
      alert.textContent = agents.options.length > 1 ? t("console_chat_choose_colleague") : t("console_chat_no_colleagues");
      alert.hidden = false;
      agents.focus();
      return false;
    }
    transfer({ to_agent_id: agents.value, to_name: agents.selectedOptions[0].textContent });
    return true;
  });
  try {
    const department = encodeURIComponent(view.summary.department);
    const colleagues = (await api("GET", `/api/v1/agent/colleagues?department=${department}`)).filter((c) => c.account_id !== me);
    agents.replaceChildren(
      el("option", { value: "" }, colleagues.length ? "—" : t("console_chat_no_colleagues")),
      ...colleagues.map((c) => el("option", { value: c.account_id }, c.name)),
    );
    if (colleagues.length === 1) agents.value = colleagues[0].account_id;
  } catch (error) {
    showErrors(form, error instanceof ApiError ? error : new ApiError(0, null));
  }
}

/** Ask whether to end `view`'s chat; then `end()`. */
export function askEnd(view, end) {
  const dialog = document.getElementById("end-dialog");
  dialog.querySelector("#end-title").textContent = fill("console_chat_end_title", { name: view.summary.customer_name });
  ask(dialog, () => {
    end();
    return true;
  });
}
