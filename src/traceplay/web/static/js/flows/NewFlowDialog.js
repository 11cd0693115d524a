// The "+" dialog: a name, a description, and where to start — an empty canvas or a copy of a
// built-in scenario. Resolves {name, description, from: null | templateId} or null when cancelled.

import { h, icon } from "../dom.js";

export function NewFlowDialog(store) {
  const name = h("input", {
    type: "text", id: "new-flow-name", required: true, maxlength: 200, autocomplete: "off",
    "data-testid": "new-flow-name", placeholder: "My checkout flow",
  });
  const description = h("textarea", {
    id: "new-flow-description", rows: 3, maxlength: 5000, "data-testid": "new-flow-description",
    placeholder: "What this flow shows (optional)",
  });
  const blank = h("input", { type: "radio", name: "new-flow-start", value: "blank", checked: true, "data-testid": "start-blank" });
  const copy = h("input", { type: "radio", name: "new-flow-start", value: "copy", "data-testid": "start-copy" });
  const template = h("select", { "aria-label": "Built-in scenario to copy", "data-testid": "new-flow-template", disabled: true });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const create = h("button", { type: "submit", class: "text-button primary", "data-testid": "new-flow-create" }, "Create");
  const cancel = h("button", { type: "button", class: "text-button", "data-testid": "new-flow-cancel" }, "Cancel");
  const closeBtn = h("button", { type: "button", class: "icon-button dialog-close", "aria-label": "Close" }, icon("close", { size: 20 }));
  const form = h("form", { method: "dialog", class: "new-flow-form" },
    h("label", { for: "new-flow-name" }, "Name"), name,
    h("label", { for: "new-flow-description" }, "Description"), description,
    h("fieldset", { class: "start-from" }, h("legend", {}, "Start from"),
      h("label", { class: "radio" }, blank, "An empty canvas"),
      h("label", { class: "radio" }, copy, "A copy of a built-in scenario"), template),
    error,
    h("div", { class: "flow-dialog-actions" }, cancel, create));
  const dialog = h("dialog", { class: "flow-dialog new-flow-dialog", "aria-labelledby": "new-flow-h", "data-testid": "new-flow-dialog" },
    h("div", { class: "dialog-head" }, h("h2", { id: "new-flow-h" }, "New flow"), closeBtn), form);
  document.body.append(dialog);

  let resolveOpen = null;
  const finish = (value) => {
    if (dialog.open) dialog.close();
    if (resolveOpen) resolveOpen(value);
    resolveOpen = null;
  };
  for (const r of [blank, copy]) r.addEventListener("change", () => { template.disabled = !copy.checked; });
  cancel.addEventListener("click", () => finish(null));
  closeBtn.addEventListener("click", () => finish(null));
  dialog.addEventListener("cancel", () => finish(null));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const n = name.value.trim();
    if (!n) {
      error.textContent = "Give the flow a name.";
      error.hidden = false;
      name.focus();
      return;
    }
    finish({ name: n, description: description.value.trim(), from: copy.checked ? template.value || null : null });
  });

  return {
    // fromId: preselect "copy of" this built-in
    open({ fromId = null } = {}) {
      const { templates, scenarioId } = store.get();
      template.replaceChildren(...(templates || []).map((t) => h("option", { value: t.id }, t.name)));
      const pre = fromId || scenarioId;
      if (pre) template.value = pre;
      name.value = "";
      description.value = "";
      blank.checked = !fromId;
      copy.checked = Boolean(fromId);
      template.disabled = !fromId;
      error.hidden = true;
      if (resolveOpen) resolveOpen(null);
      dialog.showModal();
      name.focus();
      return new Promise((resolve) => { resolveOpen = resolve; });
    },
    isOpen: () => dialog.open,
  };
}
