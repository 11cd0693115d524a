// The panel host under the canvas: a tab bar Waterfall | Spans | Analysis, one tab panel each,
// and (on desktop) a divider to resize or collapse the panels. Each panel's module is loaded on
// demand with import() and mounted once as `X(el, store, api)`; until then the panel says it is
// loading, and if the module cannot load it says so — never a fake panel.

import { changed } from "./store.js";
import { h } from "./dom.js";
import { readPref, writePref } from "./prefs.js";

const PANELS = [
  { id: "waterfall", label: "Waterfall", module: "./Waterfall.js", export: "Waterfall", css: "Waterfall.css",
    blurb: "Bars on a time axis: one row per span, the critical path highlighted." },
  { id: "spans", label: "Spans", module: "./SpansPanel.js", export: "SpansPanel", css: "SpansPanel.css",
    blurb: "The spans as a collapsible tree, Jaeger-style, with attributes and events." },
  { id: "analysis", label: "Analysis", module: "./AnalysisPanel.js", export: "AnalysisPanel", css: "AnalysisPanel.css",
    blurb: "What happened: severity, findings, tips and fixes." },
  { id: "compare", label: "Compare", module: "./learn/ComparePanel.js", export: "ComparePanel", css: "learn.css",
    blurb: "This run against another variant, or before and after a fix: where the time went." },
  { id: "learn", label: "Learn", module: "./learn/LearnPanel.js", export: "LearnPanel", css: "learn.css",
    blurb: "Check yourself with questions about the trace, and a path through the scenarios." },
];
const MIN_H = 120;
const STORAGE = "traceplay.panelHeight";

export function Panels(el, store, api, { layout }) {
  const tablist = h("div", { class: "panel-tabs", role: "tablist", "aria-label": "Trace views" });
  const bodies = h("div", { class: "panel-bodies" });
  const collapseBtn = h("button", {
    type: "button", class: "text-button collapse-button", "aria-expanded": "true", "data-testid": "panels-collapse",
    onclick: () => setCollapsed(!layout.classList.contains("panels-collapsed")),
  }, "Hide");
  const mounted = new Map(); // id -> "loading" | "ready" | "failed"
  const tabs = [];
  const panes = new Map();

  PANELS.forEach((p, i) => {
    const tab = h("button", {
      type: "button", role: "tab", id: `tab-${p.id}`, class: "panel-tab", "aria-controls": `panel-${p.id}`,
      "aria-selected": "false", tabindex: -1, "data-testid": `tab-${p.id}`, "data-panel": p.id,
      onclick: () => store.set({ panel: p.id }),
    }, p.label);
    tab.addEventListener("keydown", (ev) => {
      let next = -1;
      if (ev.key === "ArrowRight") next = (i + 1) % PANELS.length;
      if (ev.key === "ArrowLeft") next = (i - 1 + PANELS.length) % PANELS.length;
      if (ev.key === "Home") next = 0;
      if (ev.key === "End") next = PANELS.length - 1;
      if (next < 0) return;
      ev.preventDefault();
      store.set({ panel: PANELS[next].id });
      tabs[next].focus();
    });
    tabs.push(tab);
    tablist.append(tab);
    const pane = h("div", {
      role: "tabpanel", id: `panel-${p.id}`, class: `panel-pane pane-${p.id}`, "aria-labelledby": `tab-${p.id}`,
      tabindex: 0, hidden: true, "data-testid": `panel-${p.id}`,
    });
    panes.set(p.id, pane);
    bodies.append(pane);
  });

  el.classList.add("panels");
  el.append(h("div", { class: "panel-bar" }, tablist, collapseBtn), bodies);

  async function ensureMounted(p) {
    if (mounted.has(p.id)) return;
    mounted.set(p.id, "loading");
    const pane = panes.get(p.id);
    const note = h("div", { class: "panel-loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), `Loading the ${p.label.toLowerCase()}…`);
    pane.append(note);
    loadCss(p.css);
    try {
      const mod = await import(p.module);
      const mount = mod[p.export];
      if (typeof mount !== "function") throw new Error(`${p.module} does not export ${p.export}()`);
      note.remove();
      const host = h("div", { class: "panel-host" });
      pane.append(host);
      mount(host, store, api);
      mounted.set(p.id, "ready");
    } catch (err) {
      mounted.set(p.id, "failed");
      note.remove();
      pane.append(h("div", { class: "panel-missing", role: "note" },
        h("p", { class: "empty-title" }, `The ${p.label.toLowerCase()} is not available in this build.`),
        h("p", {}, p.blurb),
        h("p", { class: "dim" }, String((err && err.message) || err))));
    }
  }

  function loadCss(file) {
    const href = `/static/css/${file}`;
    if (document.querySelector(`link[href="${href}"]`)) return;
    document.head.append(h("link", { rel: "stylesheet", href }));
  }

  function show(id) {
    const p = PANELS.find((x) => x.id === id) || PANELS[0];
    tabs.forEach((t, i) => {
      const on = PANELS[i].id === p.id;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      panes.get(PANELS[i].id).hidden = !on;
    });
    ensureMounted(p);
  }

  // ------------------------------------------------------------ the divider (desktop)
  const divider = h("div", {
    class: "divider", role: "separator", "aria-orientation": "horizontal", tabindex: 0,
    "aria-label": "Resize the panels (arrow keys; Enter hides or shows them)", "aria-controls": "panels",
    "data-testid": "divider",
  });
  el.before(divider);
  let height = Number(readPref(STORAGE, 0)) || 0;
  function applyHeight() {
    if (height > 0) layout.style.setProperty("--panel-h", `${Math.round(height)}px`);
    divider.setAttribute("aria-valuenow", String(Math.round(height || el.getBoundingClientRect().height)));
  }
  function clampHeight(v) {
    const max = Math.max(MIN_H, layout.getBoundingClientRect().height - 160);
    return Math.min(max, Math.max(MIN_H, v));
  }
  function setCollapsed(on) {
    layout.classList.toggle("panels-collapsed", on);
    collapseBtn.textContent = on ? "Show" : "Hide";
    collapseBtn.setAttribute("aria-expanded", String(!on));
    writePref("traceplay.panelsCollapsed", on ? "1" : null);
  }
  divider.addEventListener("pointerdown", (ev) => {
    ev.preventDefault();
    divider.setPointerCapture(ev.pointerId);
    const startY = ev.clientY;
    const startH = el.getBoundingClientRect().height;
    setCollapsed(false);
    const move = (e) => {
      height = clampHeight(startH - (e.clientY - startY));
      applyHeight();
    };
    const up = () => {
      divider.removeEventListener("pointermove", move);
      divider.removeEventListener("pointerup", up);
      writePref(STORAGE, Math.round(height));
    };
    divider.addEventListener("pointermove", move);
    divider.addEventListener("pointerup", up);
  });
  divider.addEventListener("dblclick", () => setCollapsed(!layout.classList.contains("panels-collapsed")));
  divider.addEventListener("keydown", (ev) => {
    const cur = height || el.getBoundingClientRect().height;
    if (ev.key === "ArrowUp" || ev.key === "ArrowDown") {
      ev.preventDefault();
      height = clampHeight(cur + (ev.key === "ArrowUp" ? 40 : -40));
      applyHeight();
      writePref(STORAGE, Math.round(height));
    } else if (ev.key === "Enter") {
      ev.preventDefault();
      setCollapsed(!layout.classList.contains("panels-collapsed"));
    }
  });

  store.subscribe((st, prev) => {
    if (changed(st, prev, "panel")) show(st.panel);
  });
  applyHeight();
  if (readPref("traceplay.panelsCollapsed")) setCollapsed(true);
  show(store.get().panel);
  // warm the other panels' modules once the page is idle, so switching tabs is instant
  const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 300));
  idle(() => PANELS.forEach((p) => import(p.module).catch(() => {})));
  return { show };
}
