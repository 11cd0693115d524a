// "Export" in the panel bar: the trace on screen as a file — OTLP JSON (for an OpenTelemetry
// Collector or Tempo), Jaeger JSON (Jaeger UI's "JSON file" upload), Zipkin v2, Chrome trace events
// (chrome://tracing, ui.perfetto.dev) or a traceplay trace (`traceplay analyze trace.json`). A
// button opening a small menu: arrow keys move, Enter picks, Esc or a click elsewhere closes.

import { changed } from "../store.js";
import { h, icon } from "../dom.js";
import { formatLabel } from "./files.js";

const FORMATS = [
  { id: "otlp", hint: "OpenTelemetry Collector, Tempo" },
  { id: "jaeger", hint: "Jaeger UI → Upload JSON" },
  { id: "zipkin", hint: "Zipkin UI, Zipkin API" },
  { id: "chrome", hint: "ui.perfetto.dev, chrome://tracing" },
  { id: "traceplay", hint: "traceplay analyze / convert" },
];

export function ExportMenu(store, lib) {
  const button = h("button", {
    type: "button", class: "text-button export-button", "aria-haspopup": "menu", "aria-expanded": "false",
    "data-testid": "trace-export", "aria-label": "Export the trace", title: "Download the trace on screen in a standard format",
  }, icon("download", { size: 14 }), h("span", { class: "export-text" }, "Export"));
  const menu = h("div", { class: "export-menu", role: "menu", "aria-label": "Export the trace as", hidden: true, "data-testid": "trace-export-menu" });
  const items = FORMATS.map((f) => h("button", {
    type: "button", role: "menuitem", class: "export-item", tabindex: -1, "data-testid": "trace-export-format", "data-format": f.id,
    onclick: () => {
      close();
      lib.exportTrace(f.id);
    },
  }, h("span", { class: "export-label" }, formatLabel(f.id)), h("span", { class: "export-hint" }, f.hint)));
  menu.append(...items);
  const wrap = h("div", { class: "export-wrap" }, button, menu);
  const bar = document.querySelector("#panels .panel-bar");
  const collapse = bar && bar.querySelector(".collapse-button");
  if (collapse) collapse.before(wrap);
  else if (bar) bar.append(wrap);

  function openMenu() {
    menu.hidden = false;
    button.setAttribute("aria-expanded", "true");
    items[0].focus();
    document.addEventListener("pointerdown", outside, true);
  }
  function close(refocus = false) {
    if (menu.hidden) return;
    menu.hidden = true;
    button.setAttribute("aria-expanded", "false");
    document.removeEventListener("pointerdown", outside, true);
    if (refocus) button.focus();
  }
  function outside(ev) {
    if (!wrap.contains(ev.target)) close();
  }
  button.addEventListener("click", () => (menu.hidden ? openMenu() : close()));
  menu.addEventListener("keydown", (ev) => {
    const i = items.indexOf(document.activeElement);
    let next = -1;
    if (ev.key === "ArrowDown") next = (i + 1) % items.length;
    else if (ev.key === "ArrowUp") next = (i - 1 + items.length) % items.length;
    else if (ev.key === "Home") next = 0;
    else if (ev.key === "End") next = items.length - 1;
    else if (ev.key === "Escape" || ev.key === "Tab") {
      if (ev.key === "Escape") {
        ev.preventDefault();
        ev.stopPropagation();
      }
      close(ev.key === "Escape");
      return;
    }
    if (next < 0) return;
    ev.preventDefault();
    items[next].focus();
  });

  function update(st) {
    button.disabled = !st.trace;
  }
  store.subscribe((st, prev) => {
    if (changed(st, prev, "trace")) update(st);
  });
  update(store.get());
  return { el: wrap };
}
