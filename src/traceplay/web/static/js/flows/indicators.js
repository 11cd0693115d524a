// Two small status pieces: the saved / saving state beside the flow's name in the top bar, and
// the banner over the canvas when a read-only built-in was edited ("Duplicate to edit").

import { changed } from "../store.js";
import { h, icon } from "../dom.js";

const SAVE_TEXT = { saving: "Saving…", saved: "Saved", error: "Not saved" };

export function SaveStatus(store) {
  const el = h("span", { class: "save-status", role: "status", "aria-live": "polite", "data-testid": "save-status", hidden: true });
  const host = document.querySelector("#topbar .scenario-title") || document.getElementById("topbar");
  if (host) host.append(el);
  function update(st) {
    const on = Boolean(st.customId && st.saveStatus);
    el.hidden = !on;
    el.dataset.state = on ? st.saveStatus : "";
    el.textContent = on ? SAVE_TEXT[st.saveStatus] || "" : "";
    el.title = st.saveStatus === "error" ? "Not saved in this browser: see My flows" : "Saved in this browser";
  }
  store.subscribe((st, prev) => {
    if (changed(st, prev, "customId", "saveStatus")) update(st);
  });
  update(store.get());
  return el;
}

export function DuplicateBanner(canvasEl, store, lib) {
  const text = h("span", {});
  const dup = h("button", { type: "button", class: "text-button primary small", "data-testid": "duplicate-to-edit", onclick: () => lib.duplicateCurrent() },
    icon("plusbox", { size: 14 }));
  const label = h("span", {});
  dup.append(label);
  const el = h("div", { class: "readonly-banner", role: "status", "data-testid": "readonly-banner", hidden: true }, text, dup);
  if (canvasEl) canvasEl.append(el);
  store.subscribe((st, prev) => {
    if (!changed(st, prev, "edited", "original", "scenarioId", "customId", "flow", "imported")) return;
    const builtin = Boolean(st.scenarioId && st.original && st.edited && !st.customId);
    const scratch = Boolean(!st.scenarioId && !st.customId && st.flow && st.flow.nodes.length);
    el.hidden = !(builtin || scratch);
    el.dataset.kind = builtin ? "builtin" : scratch ? "scratch" : "";
    text.textContent = builtin
      ? "Built-in scenarios are read-only: your edit is not saved. "
      : st.imported ? "This graph comes from an imported trace and is not saved yet. " : "This sketch is not saved yet. ";
    label.textContent = builtin ? "Duplicate to edit" : "Save to My flows";
  });
  return el;
}
