// The sidebar (a drawer behind ☰ on phones): the scenario list with search, and the component
// library grouped by category — collapsible, filterable, each item draggable onto the canvas
// (HTML5 drag and drop with a mouse; a pointer drag with touch or pen; Enter or a tap adds it to
// the middle of the view).

import { changed } from "./store.js";
import { h, icon } from "./dom.js";
import { COMPONENT_MIME } from "./Canvas.js";
import { readJsonPref, writePref } from "./prefs.js";

const CATEGORY_LABELS = {
  basics: "Basics", caching: "Caching", messaging: "Messaging", async: "Async", ai: "AI", security: "Security",
  resilience: "Resilience", data: "Data", serverless: "Serverless", aws: "AWS", kubernetes: "Kubernetes",
  observability: "Observability", apis: "APIs", payments: "Payments",
};

export function Sidebar(el, store, api, actions) {
  const stored = readJsonPref("traceplay.collapsed", []);
  const collapsed = new Set(Array.isArray(stored) ? stored.map(String) : []);

  // ------------------------------------------------------------ scenarios
  const scenarioSearch = h("input", {
    type: "search", class: "filter-input", placeholder: "Search scenarios", "aria-label": "Search scenarios",
    "data-testid": "scenario-search", autocomplete: "off", spellcheck: "false",
  });
  const scenarioList = h("div", { class: "scenario-list", role: "list", "aria-label": "Scenarios" });
  const scenarioCount = h("span", { class: "section-count" });
  const newBtn = h("button", {
    type: "button", class: "text-button new-flow", "data-testid": "new-flow", onclick: () => actions.newFlow(),
    title: "Start from an empty canvas",
  }, icon("plusbox", { size: 16 }), "New flow");
  const scenarioSection = h("section", { class: "side-section scenarios", "aria-labelledby": "scenarios-h" },
    h("div", { class: "section-head" }, h("h2", { id: "scenarios-h" }, "Scenarios"), scenarioCount, newBtn),
    h("div", { class: "filter" }, icon("search", { size: 16 }), scenarioSearch),
    scenarioList);

  // ------------------------------------------------------------ components
  const componentFilter = h("input", {
    type: "search", class: "filter-input", placeholder: "Filter components", "aria-label": "Filter components",
    "data-testid": "component-filter", autocomplete: "off", spellcheck: "false",
  });
  const library = h("div", { class: "library" });
  const componentSection = h("section", { class: "side-section components", "aria-labelledby": "components-h" },
    h("div", { class: "section-head" }, h("h2", { id: "components-h" }, "Components"),
      h("span", { class: "section-hint" }, "drag onto the canvas")),
    h("div", { class: "filter" }, icon("search", { size: 16 }), componentFilter),
    library);

  const closeBtn = h("button", {
    type: "button", class: "icon-button drawer-close", "aria-label": "Close the library", onclick: () => actions.toggleDrawer(false),
  }, icon("close", { size: 20 }));
  el.classList.add("sidebar");
  el.append(closeBtn, scenarioSection, componentSection);

  function renderScenarios() {
    const { templates, scenarioId } = store.get();
    const q = scenarioSearch.value.trim().toLowerCase();
    const all = templates || [];
    // names and ids that match come first, then the ones whose description mentions the words
    const rank = (t) => (`${t.name} ${t.id}`.toLowerCase().includes(q) ? 0 : 1);
    const shown = all
      .filter((t) => !q || `${t.name} ${t.id} ${t.category} ${t.description}`.toLowerCase().includes(q))
      .sort((a, b) => (q ? rank(a) - rank(b) : 0) || all.indexOf(a) - all.indexOf(b));
    scenarioList.replaceChildren();
    scenarioCount.textContent = q ? `${shown.length}/${all.length}` : String(all.length);
    if (!shown.length) {
      scenarioList.append(h("p", { class: "empty-note" }, all.length ? `No scenario matches “${scenarioSearch.value}”.` : "Loading scenarios…"));
      return;
    }
    for (const t of shown) {
      const current = t.id === scenarioId;
      const index = all.indexOf(t) + 1;
      scenarioList.append(h("div", { role: "listitem" }, h("button", {
        type: "button",
        class: `scenario-item${current ? " current" : ""}`,
        "data-testid": "scenario-item",
        "data-scenario-id": t.id,
        "aria-current": current ? "true" : null,
        title: `${t.description}${t.category ? ` (${CATEGORY_LABELS[t.category] || t.category})` : ""}`,
        onclick: () => actions.selectScenario(t.id),
      }, h("span", { class: "scenario-index", "aria-hidden": "true" }, String(index)),
      h("span", { class: "scenario-label" }, t.name), severityDots(t))));
    }
  }

  function severityDots(t) {
    const wrap = h("span", { class: "sev-dots", "aria-hidden": "true" });
    for (const v of t.variants || []) wrap.append(h("span", { class: `sev sev-${v.severity}` }));
    return wrap;
  }

  function renderLibrary() {
    const { catalogue } = store.get();
    library.replaceChildren();
    if (!catalogue) {
      library.append(h("p", { class: "empty-note" }, "Loading components…"));
      return;
    }
    const q = componentFilter.value.trim().toLowerCase();
    let total = 0;
    for (const cat of catalogue.categories) {
      const items = catalogue.components.filter((c) => c.category === cat.id &&
        (!q || `${c.name} ${c.id} ${c.description} ${cat.label}`.toLowerCase().includes(q)));
      if (!items.length) continue;
      total += items.length;
      const open = q ? true : !collapsed.has(cat.id);
      const listId = `cat-${cat.id}`;
      const head = h("button", {
        type: "button", class: `category-head cat-${cat.id}`, "aria-expanded": String(open), "aria-controls": listId,
        "data-testid": "category-toggle", "data-category": cat.id,
        onclick: () => {
          if (collapsed.has(cat.id)) collapsed.delete(cat.id);
          else collapsed.add(cat.id);
          writePref("traceplay.collapsed", JSON.stringify([...collapsed]));
          renderLibrary();
        },
      }, icon("chevron", { size: 14 }), h("span", { class: "cat-swatch", "aria-hidden": "true" }), h("span", {}, cat.label),
      h("span", { class: "section-count" }, String(items.length)));
      const list = h("ul", { class: "component-list", id: listId, hidden: !open });
      for (const c of items) list.append(h("li", {}, componentItem(c)));
      library.append(h("div", { class: "category" }, head, list));
    }
    if (!total) library.append(h("p", { class: "empty-note" }, `No component matches “${componentFilter.value}”.`));
  }

  function componentItem(c) {
    const item = h("button", {
      type: "button",
      class: `component-item cat-${c.category}`,
      draggable: "true",
      "data-testid": "component-item",
      "data-component-id": c.id,
      title: `${c.description} — drag onto the canvas, or press Enter to add it`,
      "aria-label": `${c.name}: ${c.description} Press Enter to add it to the canvas.`,
    }, h("span", { class: "component-icon", "aria-hidden": "true" }, c.icon), h("span", { class: "component-name" }, c.name),
    h("span", { class: "component-meta" }, `${c.latency_ms < 1000 ? c.latency_ms + " ms" : c.latency_ms / 1000 + " s"}${c.mode === "async" ? " · async" : ""}`));
    item.addEventListener("dragstart", (ev) => {
      ev.dataTransfer.setData(COMPONENT_MIME, c.id);
      ev.dataTransfer.setData("text/plain", c.name);
      ev.dataTransfer.effectAllowed = "copy";
      document.body.classList.add("dragging-component");
    });
    item.addEventListener("dragend", () => document.body.classList.remove("dragging-component"));
    item.addEventListener("click", () => {
      if (item.dataset.dragged === "1") {
        item.dataset.dragged = "";
        return;
      }
      addAt(c.id);
    });
    item.addEventListener("pointerdown", (ev) => touchDrag(ev, c, item));
    return item;
  }

  function addAt(componentId, clientX, clientY) {
    document.dispatchEvent(new CustomEvent("traceplay:add-component", { detail: { componentId, clientX, clientY } }));
    if (clientX === undefined) actions.toggleDrawer(false);
  }

  // touch and pen: HTML5 drag and drop does not exist there, so follow the finger with a ghost
  function touchDrag(ev, c, item) {
    if (ev.pointerType === "mouse") return;
    const start = { x: ev.clientX, y: ev.clientY };
    let ghost = null;
    const move = (e) => {
      if (!ghost) {
        if (Math.hypot(e.clientX - start.x, e.clientY - start.y) < 12) return;
        // a mostly vertical move is a scroll of the list
        if (Math.abs(e.clientY - start.y) > Math.abs(e.clientX - start.x) * 1.5) return cleanup();
        ghost = h("div", { class: `drag-ghost cat-${c.category}`, "aria-hidden": "true" }, `${c.icon} ${c.name}`);
        document.body.append(ghost);
        item.dataset.dragged = "1";
        actions.toggleDrawer(false);
      }
      e.preventDefault();
      ghost.style.transform = `translate(${e.clientX - 40}px, ${e.clientY - 20}px)`;
    };
    const up = (e) => {
      if (ghost) addAt(c.id, e.clientX, e.clientY);
      cleanup();
    };
    const cleanup = () => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", up);
      window.removeEventListener("pointercancel", cleanup);
      if (ghost) ghost.remove();
      ghost = null;
    };
    window.addEventListener("pointermove", move, { passive: false });
    window.addEventListener("pointerup", up);
    window.addEventListener("pointercancel", cleanup);
  }

  scenarioSearch.addEventListener("input", renderScenarios);
  componentFilter.addEventListener("input", renderLibrary);
  scenarioSearch.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      const first = scenarioList.querySelector(".scenario-item");
      if (first) first.click();
    }
  });

  store.subscribe((st, prev) => {
    if (changed(st, prev, "templates", "scenarioId")) renderScenarios();
    if (changed(st, prev, "catalogue")) renderLibrary();
    if (changed(st, prev, "drawerOpen")) {
      el.classList.toggle("open", Boolean(st.drawerOpen));
      if (st.drawerOpen) requestAnimationFrame(() => scenarioSearch.focus({ preventScroll: true }));
    }
  });
  renderScenarios();
  renderLibrary();
  return { focusSearch: () => scenarioSearch.focus() };
}
