// Small modal dialogs of the flow library, on native <dialog> (focus trapped and restored by the
// browser, Esc cancels): a choice between buttons, and the report of an import's problems.

import { h, icon } from "../dom.js";
import { placeOf } from "./io.js";

function shell(title, testid) {
  const heading = h("h2", { id: `${testid}-h` }, title);
  const closeBtn = h("button", { type: "button", class: "icon-button dialog-close", "aria-label": "Close" }, icon("close", { size: 20 }));
  const body = h("div", { class: "flow-dialog-body" });
  const foot = h("div", { class: "flow-dialog-actions" });
  const dialog = h("dialog", { class: "flow-dialog", "aria-labelledby": `${testid}-h`, "data-testid": testid },
    h("div", { class: "dialog-head" }, heading, closeBtn), body, foot);
  closeBtn.addEventListener("click", () => dialog.close("cancel"));
  document.body.append(dialog);
  return { dialog, body, foot };
}

// Resolves the value of the chosen button, or null when dismissed.
// buttons: [{value, label, primary?, testid?}]
export function choose(title, message, buttons) {
  const { dialog, body, foot } = shell(title, "flow-choice");
  body.append(...[].concat(message).map((m) => h("p", {}, m)));
  return new Promise((resolve) => {
    for (const b of buttons) {
      foot.append(h("button", {
        type: "button", class: `text-button${b.primary ? " primary" : ""}`, "data-testid": b.testid || `choice-${b.value}`,
        onclick: () => dialog.close(b.value),
      }, b.label));
    }
    dialog.addEventListener("close", () => {
      const value = dialog.returnValue;
      dialog.remove();
      resolve(buttons.some((b) => b.value === value) ? value : null);
    }, { once: true });
    dialog.showModal();
    const primary = foot.querySelector(".primary") || foot.querySelector("button");
    if (primary) primary.focus();
  });
}

// invalid: [{file, message, problems}], added: [names]
export function showImportReport({ invalid, added }) {
  const { dialog, body, foot } = shell(invalid.length ? "Some files were not imported" : "Imported", "import-report");
  if (added.length) body.append(h("p", { class: "import-ok" }, `Imported: ${added.join(", ")}.`));
  if (invalid.length) {
    body.append(h("p", {}, "Nothing was changed for these files; fix them and import again:"));
    const list = h("ul", { class: "import-problems" });
    for (const bad of invalid) {
      for (const p of bad.problems) {
        list.append(h("li", {
          class: "import-problem", "data-testid": "import-problem", "data-file": bad.file,
          "data-line": p.line || null, "data-node-id": p.node_id || null, "data-loc": p.loc || null,
        }, h("span", { class: "problem-place" }, placeOf(bad.file, p)), h("span", { class: "problem-message" }, p.message)));
      }
    }
    body.append(list);
  }
  foot.append(h("button", { type: "button", class: "text-button primary", "data-testid": "import-report-close", onclick: () => dialog.close() }, "OK"));
  dialog.addEventListener("close", () => dialog.remove(), { once: true });
  dialog.showModal();
  return dialog;
}
