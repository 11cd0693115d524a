// The sidebar's "My flows" section: the custom flows (open, rename, export, share, delete), the
// "+" and Import buttons, and the library's alert line (storage full, an entry set aside, a
// deleted flow to bring back, a share link to copy). It renders state; `lib` does the work.

import { changed } from "../store.js";
import { h, icon } from "../dom.js";
import { ACCEPT } from "./io.js";

export function MyFlows(sidebarEl, store, lib) {
  const count = h("span", { class: "section-count", "data-testid": "custom-flow-count" });
  const addBtn = h("button", {
    type: "button", class: "icon-button small", "aria-label": "New flow", title: "New flow", "data-testid": "add-flow",
    onclick: () => lib.openNewDialog(),
  }, icon("plus", { size: 16 }));
  const fileInput = h("input", { type: "file", accept: ACCEPT, multiple: true, hidden: true, "data-testid": "import-input" });
  const importBtn = h("button", {
    type: "button", class: "text-button small", "data-testid": "import-button", title: "Import .json or .yaml flow files (or drop them on the page)",
    onclick: () => fileInput.click(),
  }, icon("upload", { size: 14 }), "Import");
  fileInput.addEventListener("change", () => {
    const files = [...fileInput.files];
    fileInput.value = "";
    if (files.length) lib.importFiles(files);
  });
  const alertBox = h("div", { class: "flows-alert", role: "alert", "data-testid": "flows-alert", hidden: true });
  const list = h("ul", { class: "custom-flow-list", "aria-label": "My flows" });
  const section = h("section", { class: "side-section my-flows", "aria-labelledby": "my-flows-h", "data-testid": "my-flows" },
    h("div", { class: "section-head" }, h("h2", { id: "my-flows-h" }, "My flows"), count, importBtn, addBtn),
    fileInput, alertBox, list);
  const scenarios = sidebarEl.querySelector(".side-section.scenarios");
  if (scenarios) scenarios.before(section);
  else sidebarEl.append(section);

  let renaming = null;

  function renderList() {
    const { customFlows, customId } = store.get();
    const items = customFlows || [];
    count.textContent = String(items.length);
    list.replaceChildren();
    if (!items.length) {
      list.append(h("li", { class: "empty-note" }, "None yet. “+” starts one; Import reads .json/.yaml files."));
      return;
    }
    for (const f of items) list.append(h("li", { class: "custom-flow-row" }, renaming === f.id ? renameRow(f) : row(f, f.id === customId)));
  }

  function row(f, current) {
    const small = (name, label, testid, run) => h("button", {
      type: "button", class: "icon-button small", "aria-label": `${label} “${f.name}”`, title: label, "data-testid": testid, onclick: run,
    }, icon(name, { size: 15 }));
    return h("div", { class: `custom-flow${current ? " current" : ""}` },
      h("button", {
        type: "button", class: "custom-flow-item", "data-testid": "custom-flow-item", "data-flow-id": f.id,
        "aria-current": current ? "true" : null, title: f.description || f.name, onclick: () => lib.open(f.id),
      }, h("span", { class: "scenario-label" }, f.name),
      f.unsaved ? h("span", { class: "unsaved-tag", "data-testid": "unsaved-tag" }, "not saved") : null,
      h("span", { class: "custom-flow-meta" }, `${f.nodes} node${f.nodes === 1 ? "" : "s"}`)),
      h("span", { class: "custom-flow-tools" },
        small("pencil", "Rename", "rename-flow", () => { renaming = f.id; renderList(); }),
        small("download", "Export as .json", "export-flow", () => lib.exportFlow(f.id)),
        small("link", "Copy a share link", "share-flow", () => lib.shareFlow(f.id)),
        small("trash", "Delete", "delete-flow", () => lib.remove(f.id))));
  }

  function renameRow(f) {
    const input = h("input", { type: "text", class: "rename-input", value: f.name, maxlength: 200, "aria-label": "New name", "data-testid": "rename-input" });
    const done = (commit) => {
      if (renaming !== f.id) return;
      renaming = null;
      const name = input.value.trim();
      if (commit && name && name !== f.name) lib.rename(f.id, name);
      else renderList();
    };
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") done(true);
      else if (ev.key === "Escape") {
        ev.stopPropagation();
        done(false);
      }
    });
    input.addEventListener("blur", () => done(true));
    requestAnimationFrame(() => {
      input.focus();
      input.select();
    });
    return h("div", { class: "custom-flow renaming" }, input);
  }

  function renderAlert() {
    const a = store.get().flowsAlert;
    alertBox.hidden = !a;
    alertBox.replaceChildren();
    if (!a) return;
    alertBox.dataset.tone = a.tone || "info";
    alertBox.dataset.kind = a.kind || "";
    alertBox.append(h("p", { class: "alert-message", "data-testid": "flows-alert-message" }, a.message));
    if (a.link) {
      alertBox.append(h("input", { type: "text", readonly: true, class: "share-link", value: a.link, "aria-label": "Share link", "data-testid": "share-link", onfocus: (ev) => ev.target.select() }));
    }
    const actions = h("div", { class: "alert-actions" });
    for (const b of a.actions || []) {
      actions.append(h("button", { type: "button", class: "text-button small", "data-testid": b.testid, onclick: b.run }, b.label));
    }
    actions.append(h("button", { type: "button", class: "text-button small", "data-testid": "alert-dismiss", onclick: () => store.set({ flowsAlert: null }) }, "Dismiss"));
    alertBox.append(actions);
  }

  store.subscribe((st, prev) => {
    if (changed(st, prev, "customFlows", "customId")) renderList();
    if (changed(st, prev, "flowsAlert")) renderAlert();
  });
  renderList();
  renderAlert();
  return { section };
}
