// The waterfall: one row per span in tree order — service · operation on the left, a bar on a time
// axis on the right — with the critical path, errors, async work, the response and end-of-trace
// markers and the playback cursor. Rows are virtualised: only the rows in view exist in the DOM, so a
// 100,000-span trace scrolls like a 10-span one.

import {
  clear,
  componentCategories,
  ensureStylesheet,
  h,
  rafThrottle,
  setAttr,
  setStyle,
} from "./panelkit.js";
import { applyRowState, fillRow, newRow } from "./WaterfallRow.js";
import { drawAxis, drawCursor, drawSummary } from "./WaterfallAxis.js";
import {
  buildTree,
  collapseBelow,
  hasChildren,
  reveal,
  rowPositions,
  visibleRows,
} from "./logic/spantree.js";
import { pxToMs, traceDomain } from "./logic/timescale.js";
import { fixedWindow, scrollToShow } from "./logic/virtual.js";
import { FilterPills, rowsFor } from "./learn/filters.js";

const MAX_ROWS = 80;
const NARROW_PX = 560; // rows in the DOM at most, whatever the viewport height
const MARK = "traceplay:waterfall";

export function Waterfall(el, store, api) {
  ensureStylesheet("/static/css/Waterfall.css");
  const ui = buildSkeleton();
  clear(el);
  el.append(ui.root);
  ui.summary.after(FilterPills(store)); // learn/filters.js: critical path, errors, slowest 20 %

  let tree = null; // from buildTree(trace)
  let traceKey = null;
  let collapsed = new Set(); // span indices
  let rows = new Int32Array(0); // visible span indices in order
  let rowPos = new Int32Array(0);
  let domain = { start: 0, end: 1 };
  let rowH = 28;
  let focusRow = 0;
  let critical = new Set();
  let bottleneck = -1;
  let errorOrigin = -1;
  let categories = componentCategories(store, api, (m) => {
    categories = m;
    refill();
  });
  const rendered = new Map(); // span index -> row element
  const pool = [];
  // what the row and axis modules read (getters: always the current values)
  const view = {
    get tree() {
      return tree;
    },
    get domain() {
      return domain;
    },
    get categories() {
      return categories;
    },
    get collapsed() {
      return collapsed;
    },
    get critical() {
      return critical;
    },
    get bottleneck() {
      return bottleneck;
    },
    get errorOrigin() {
      return errorOrigin;
    },
    get rowPos() {
      return rowPos;
    },
    get focusRow() {
      return focusRow;
    },
  };

  // ------------------------------------------------------------------ trace, analysis, geometry

  function setTrace(trace) {
    performance.mark(`${MARK}:start`);
    const key = trace
      ? `${trace.trace_id}|${trace.spans.length}|${trace.variant}|${JSON.stringify(trace.faults || {})}`
      : null;
    const sameTrace = key !== null && key === traceKey;
    traceKey = key;
    tree = trace ? buildTree(trace) : null;
    if (!sameTrace) {
      collapsed = new Set();
      focusRow = 0;
      ui.viewport.scrollTop = 0;
    }
    domain = traceDomain(trace);
    ui.root.classList.toggle("is-empty", !tree || tree.count === 0);
    for (const row of rendered.values()) recycle(row);
    rendered.clear();
    setAnalysis(store.get().analysis);
    updateRows();
    drawAxis(ui, tree, domain);
    drawSummary(ui.summary, tree);
    render();
    performance.mark(`${MARK}:end`);
    performance.clearMeasures(MARK);
    performance.measure(MARK, `${MARK}:start`, `${MARK}:end`);
  }

  function setAnalysis(analysis) {
    critical = new Set();
    bottleneck = -1;
    errorOrigin = -1;
    if (!tree || !analysis) return;
    for (const id of analysis.critical_path || []) {
      const i = tree.index.get(id);
      if (i !== undefined) critical.add(i);
    }
    bottleneck = tree.index.get(analysis.bottleneck) ?? -1;
    errorOrigin = tree.index.get(analysis.error_origin) ?? -1;
  }

  function updateRows() {
    rows = tree ? rowsFor(tree, collapsed, store.get()) : new Int32Array(0);
    rowPos = tree ? rowPositions(tree, rows) : new Int32Array(0);
    focusRow = Math.min(focusRow, Math.max(0, rows.length - 1));
    sizeContent();
  }

  function sizeContent() {
    const total = rows.length * rowH;
    ui.content.style.height = `${total}px`;
    ui.overlay.style.height = `${Math.min(total, ui.viewport.clientHeight)}px`;
    const scrollbar = ui.viewport.offsetWidth - ui.viewport.clientWidth;
    ui.root.style.setProperty("--wf-sb", `${Math.max(0, scrollbar)}px`);
  }

  function measure() {
    const width = ui.root.clientWidth;
    // narrow (a phone): each row puts its label above its bar, both at full width
    const narrow = width > 0 && width < NARROW_PX;
    ui.root.classList.toggle("is-narrow", narrow);
    const label = narrow ? 0 : Math.round(Math.min(380, Math.max(120, width * 0.34)));
    ui.root.style.setProperty("--wf-label-w", `${label}px`);
    rowH = parseFloat(getComputedStyle(ui.root).getPropertyValue("--wf-row-h")) || 28;
    sizeContent();
  }

  function recycle(row) {
    if (row === document.activeElement) ui.viewport.focus({ preventScroll: true });
    row.remove();
    row._idx = -1;
    pool.push(row);
  }

  function render() {
    if (!tree || rows.length === 0) {
      for (const row of rendered.values()) recycle(row);
      rendered.clear();
      return;
    }
    const { first, last } = fixedWindow(
      ui.viewport.scrollTop,
      ui.viewport.clientHeight,
      rowH,
      rows.length,
      6,
      MAX_ROWS,
    );
    const want = new Set();
    for (let r = first; r < last; r++) want.add(rows[r]);
    for (const [i, row] of rendered) {
      if (!want.has(i)) {
        recycle(row);
        rendered.delete(i);
      }
    }
    const state = store.get();
    let focusShown = false;
    for (let r = first; r < last; r++) {
      const i = rows[r];
      let row = rendered.get(i);
      if (!row) {
        row = pool.pop() || newRow();
        fillRow(row, i, view);
        rendered.set(i, row);
        ui.content.append(row);
      }
      setStyle(row, "transform", `translateY(${r * rowH}px)`);
      applyRowState(row, state, view);
      if (r === focusRow) focusShown = true;
    }
    if (!focusShown && rendered.size) setAttr(rendered.get(rows[first]), "tabindex", "0"); // reachable by Tab
  }

  function refill() {
    if (!tree) return;
    for (const [i, row] of rendered) fillRow(row, i, view);
    refreshStates();
  }

  function refreshStates() {
    if (!tree) return;
    const state = store.get();
    for (const row of rendered.values()) applyRowState(row, state, view);
  }

  const scheduleRender = rafThrottle(render);

  // ------------------------------------------------------------------ interaction

  function toggle(i, open) {
    if (!tree || !hasChildren(tree, i)) return false;
    const isOpen = !collapsed.has(i);
    const want = open === undefined ? !isOpen : open;
    if (want === isOpen) return false;
    if (want) collapsed.delete(i);
    else collapsed.add(i);
    updateRows();
    focusRow = rowPos[i] >= 0 ? rowPos[i] : focusRow;
    render();
    return true;
  }

  function setCollapsed(next) {
    collapsed = next;
    updateRows();
    render();
  }

  function ensureVisible(r) {
    const top = scrollToShow(r * rowH, rowH, ui.viewport.scrollTop, ui.viewport.clientHeight, rowH);
    if (top !== null) ui.viewport.scrollTop = top;
    render();
  }

  function focusAt(r) {
    if (!rows.length) return;
    focusRow = Math.max(0, Math.min(rows.length - 1, r));
    ensureVisible(focusRow);
    const row = rendered.get(rows[focusRow]);
    if (row) row.focus({ preventScroll: true });
    store.set({ hoverSpanId: tree.spans[rows[focusRow]].span_id });
  }

  function rowOf(target) {
    const row = target.closest && target.closest(".wf-row");
    return row && row._idx >= 0 ? row : null;
  }

  ui.viewport.addEventListener("click", (ev) => {
    const row = rowOf(ev.target);
    if (!row) return;
    const i = row._idx;
    focusRow = rowPos[i];
    if (ev.target.closest(".wf-toggle")) {
      toggle(i);
      return;
    }
    const id = tree.spans[i].span_id;
    store.set({ selectedSpanId: store.get().selectedSpanId === id ? null : id });
  });
  ui.viewport.addEventListener("mouseover", (ev) => {
    const row = rowOf(ev.target);
    const id = row ? tree.spans[row._idx].span_id : null;
    if (id && store.get().hoverSpanId !== id) store.set({ hoverSpanId: id });
  });
  ui.viewport.addEventListener("mouseleave", () => {
    if (store.get().hoverSpanId) store.set({ hoverSpanId: null });
  });
  ui.viewport.addEventListener("focusout", (ev) => {
    if (!ui.viewport.contains(ev.relatedTarget) && store.get().hoverSpanId) store.set({ hoverSpanId: null });
  });
  ui.viewport.addEventListener("keydown", (ev) => {
    if (!tree || !rows.length) return;
    const page = Math.max(1, Math.floor(ui.viewport.clientHeight / rowH) - 1);
    const i = rows[focusRow];
    const keys = {
      ArrowDown: () => focusAt(focusRow + 1),
      ArrowUp: () => focusAt(focusRow - 1),
      PageDown: () => focusAt(focusRow + page),
      PageUp: () => focusAt(focusRow - page),
      Home: () => focusAt(0),
      End: () => focusAt(rows.length - 1),
      ArrowRight: () => {
        if (collapsed.has(i)) toggle(i, true);
        else if (hasChildren(tree, i)) focusRow += 1;
        focusAt(focusRow);
      },
      ArrowLeft: () => {
        if (hasChildren(tree, i) && !collapsed.has(i)) toggle(i, false);
        else if (tree.parent[i] >= 0) focusRow = rowPos[tree.parent[i]];
        focusAt(focusRow);
      },
      Enter: () => store.set({ selectedSpanId: tree.spans[i].span_id }),
      " ": () => store.set({ selectedSpanId: tree.spans[i].span_id }),
      Escape: () => store.set({ selectedSpanId: null }),
    };
    const fn = keys[ev.key];
    if (!fn) return;
    ev.preventDefault();
    fn();
  });
  ui.viewport.addEventListener("scroll", scheduleRender, { passive: true });

  // the time axis is a scrubber too: press or drag on it to move the cursor (the canvas follows)
  function seekAt(ev) {
    const box = ui.axis.getBoundingClientRect();
    if (!tree || !(box.width > 0)) return;
    const ms = pxToMs(Math.min(box.width, Math.max(0, ev.clientX - box.left)), domain, box.width);
    store.set({ cursorMs: Math.max(0, ms) });
  }
  ui.axis.addEventListener("pointerdown", (ev) => {
    if (ev.button !== 0) return;
    ui.axis.setPointerCapture(ev.pointerId);
    seekAt(ev);
  });
  ui.axis.addEventListener("pointermove", (ev) => {
    if (ui.axis.hasPointerCapture(ev.pointerId)) seekAt(ev);
  });
  ui.expandAll.addEventListener("click", () => setCollapsed(new Set()));
  ui.collapseAll.addEventListener("click", () => tree && setCollapsed(collapseBelow(tree, 1)));

  function revealSelected(id) {
    if (!tree || !id) return;
    const i = tree.index.get(id);
    if (i === undefined) return;
    if (reveal(tree, collapsed, i)) updateRows();
    if (rowPos[i] >= 0) {
      focusRow = rowPos[i];
      ensureVisible(focusRow);
    }
  }

  const resize = new ResizeObserver(() => {
    measure();
    drawAxis(ui, tree, domain);
    render();
  });
  resize.observe(ui.root);

  // ------------------------------------------------------------------ store

  const unsubscribe = store.subscribe((state, prev) => {
    if (
      (state.catalogue !== prev.catalogue && state.catalogue) ||
      (state.components !== prev.components && state.components)
    ) {
      categories = componentCategories(store, api, () => refill());
      if (tree) refill();
    }
    if (state.trace !== prev.trace) {
      setTrace(state.trace);
    } else if (state.analysis !== prev.analysis) {
      setAnalysis(state.analysis);
      refreshStates();
    }
    if (state.wfFilter !== prev.wfFilter || (state.wfFilter && state.analysis !== prev.analysis)) {
      updateRows();
      render();
    }
    if (state.cursorMs !== prev.cursorMs || state.trace !== prev.trace)
      drawCursor(ui, tree, domain, state.cursorMs);
    if (state.selectedSpanId !== prev.selectedSpanId) revealSelected(state.selectedSpanId);
    if (
      state.hoverSpanId !== prev.hoverSpanId ||
      state.hoverNodeId !== prev.hoverNodeId ||
      state.selectedSpanId !== prev.selectedSpanId ||
      state.cursorMs !== prev.cursorMs ||
      state.comparison !== prev.comparison
    ) {
      refreshStates();
    }
  });

  measure();
  setTrace(store.get().trace);
  drawCursor(ui, tree, domain, store.get().cursorMs);
  revealSelected(store.get().selectedSpanId);

  return {
    destroy() {
      unsubscribe();
      resize.disconnect();
      ui.root.remove();
    },
  };
}

function buildSkeleton() {
  const summary = h("div", { className: "wf-summary", attrs: { "aria-live": "polite" } });
  const expandAll = h("button", { className: "wf-btn", text: "Expand all", attrs: { type: "button" } });
  const collapseAll = h("button", { className: "wf-btn", text: "Collapse all", attrs: { type: "button" } });
  const legend = h(
    "div",
    { className: "wf-legend", attrs: { "aria-label": "Legend" } },
    h("span", { className: "wf-key wf-key-critical", text: "critical path" }),
    h("span", { className: "wf-key wf-key-error", text: "error" }),
    h("span", { className: "wf-key wf-key-async", text: "async" }),
    h("span", { className: "wf-key wf-key-after", text: "after the response" }),
    h("span", { className: "wf-key wf-key-cursor", text: "time cursor" }),
  );
  const toolbar = h(
    "div",
    { className: "wf-toolbar" },
    summary,
    legend,
    h("div", { className: "wf-actions" }, expandAll, collapseAll),
  );

  const ticksEl = h("div", { className: "wf-ticks" });
  const respFlag = h("span", { className: "wf-flag wf-flag-response" });
  const endFlag = h("span", { className: "wf-flag wf-flag-end" });
  const axis = h(
    "div",
    {
      className: "wf-axis",
      title: "Press or drag to move the time cursor",
      attrs: { "aria-hidden": "true" },
    },
    ticksEl,
    respFlag,
    endFlag,
  );
  const header = h(
    "div",
    { className: "wf-header" },
    h("div", { className: "wf-header-label", text: "Service · operation" }),
    axis,
  );

  const grid = h("div", { className: "wf-grid" });
  const after = h("div", { className: "wf-after", title: "work after the response" });
  const respLine = h("div", { className: "wf-line wf-line-response" });
  const endLine = h("div", { className: "wf-line wf-line-end" });
  const cursor = h("div", { className: "wf-line wf-cursor" });
  const overlayTrack = h("div", { className: "wf-overlay-track" }, grid, after, respLine, endLine, cursor);
  const overlay = h("div", { className: "wf-overlay", attrs: { "aria-hidden": "true" } }, overlayTrack);
  const content = h("div", { className: "wf-content" }, overlay);
  const viewport = h(
    "div",
    {
      className: "wf-viewport",
      attrs: { role: "tree", "aria-label": "Waterfall: spans on a time axis", tabindex: "-1" },
    },
    content,
  );
  const empty = h(
    "div",
    { className: "wf-empty panel-empty" },
    h("p", { className: "panel-empty-title", text: "No trace yet" }),
    h("p", {
      text: "Pick a scenario and a variant (or build a flow and run it): every call becomes a bar here, placed on a time axis, so you can see what ran in parallel, what waited, and what was slow.",
    }),
  );
  const root = h(
    "section",
    { className: "wf", attrs: { "aria-label": "Waterfall" } },
    toolbar,
    header,
    viewport,
    empty,
  );
  return {
    root,
    summary,
    expandAll,
    collapseAll,
    axis,
    ticks: ticksEl,
    respFlag,
    endFlag,
    grid,
    after,
    respLine,
    endLine,
    cursor,
    overlay,
    content,
    viewport,
  };
}
