// The spans panel: a Jaeger-style collapsible tree of spans (service, operation, duration, start
// offset, status). Click a span to open its details (attributes, events, links) in place; filter by
// service, operation or attribute text. Virtualised with variable heights: rows are fixed, opened
// details are measured once rendered.

import {
  clear,
  componentCategories,
  ensureStylesheet,
  h,
  rafThrottle,
  setAttr,
  setStyle,
} from "./panelkit.js";
import { spanDetails } from "./SpanDetails.js";
import { applySpanRowState, fillSpanRow, newSpanRow } from "./SpanRow.js";
import {
  buildTree,
  collapseBelow,
  filterRows,
  hasChildren,
  matchSpan,
  reveal,
  visibleRows,
} from "./logic/spantree.js";
import { offsetsOf, scrollToShow, variableWindow } from "./logic/virtual.js";

const MAX_ITEMS = 70;
const DETAIL_GUESS = 220;

export function SpansPanel(el, store, api) {
  ensureStylesheet("/static/css/SpansPanel.css");
  const ui = buildSkeleton();
  clear(el);
  el.append(ui.root);

  let tree = null;
  let traceKey = null;
  let collapsed = new Set();
  let opened = new Set(); // span indices whose details are shown
  let matches = null; // Uint8Array when a filter is active
  let rows = new Int32Array(0);
  let items = []; // {i, detail: bool}
  let offsets = new Float64Array(1);
  let itemOf = new Map(); // "r<i>" / "d<i>" -> item index
  let rowH = 32;
  let focusItem = 0;
  let selfSelect = false; // a selection made by clicking a row of this panel
  let autoOpened = -1; // the span whose details a selection elsewhere opened
  const detailHeights = new Map(); // span index -> measured px
  const details = new Map(); // span index -> detail element (while opened)
  const rendered = new Map(); // item key -> element
  const pool = [];
  // what SpanRow.js reads (getters: always the current values)
  const view = {
    get tree() {
      return tree;
    },
    get categories() {
      return categories;
    },
    get matches() {
      return matches;
    },
    get collapsed() {
      return collapsed;
    },
    get opened() {
      return opened;
    },
    isFocused: (i) => itemOf.get(`r${i}`) === focusItem,
  };
  let categories = componentCategories(store, api, (m) => {
    categories = m;
    refreshAll();
  });

  // ------------------------------------------------------------------ model

  function setTrace(trace) {
    const key = trace
      ? `${trace.trace_id}|${trace.spans.length}|${trace.variant}|${JSON.stringify(trace.faults || {})}`
      : null;
    const same = key !== null && key === traceKey;
    traceKey = key;
    tree = trace ? buildTree(trace) : null;
    autoOpened = -1;
    if (!same) {
      collapsed = new Set();
      opened = new Set();
      focusItem = 0;
      ui.viewport.scrollTop = 0;
    }
    detailHeights.clear();
    details.clear();
    ui.root.classList.toggle("is-empty", !tree || tree.count === 0);
    clearRendered();
    rebuild();
  }

  function rebuild() {
    if (!tree) {
      rows = new Int32Array(0);
      matches = null;
    } else {
      const q = ui.search.value.trim().toLowerCase();
      const errorsOnly = ui.errorsOnly.checked;
      if (q || errorsOnly) {
        const f = filterRows(tree, (s) => matchSpan(s, q) && (!errorsOnly || s.status === "error"));
        rows = f.rows;
        matches = f.matches;
        ui.count.textContent = `${f.matchCount.toLocaleString()} of ${tree.count.toLocaleString()} spans match`;
      } else {
        rows = visibleRows(tree, collapsed);
        matches = null;
        ui.count.textContent = `${tree.count.toLocaleString()} span${tree.count === 1 ? "" : "s"}`;
      }
    }
    ui.noMatch.hidden = !tree || rows.length > 0;
    items = [];
    itemOf = new Map();
    for (let r = 0; r < rows.length; r++) {
      const i = rows[r];
      itemOf.set(`r${i}`, items.length);
      items.push({ i, detail: false });
      if (opened.has(i)) {
        itemOf.set(`d${i}`, items.length);
        items.push({ i, detail: true });
      }
    }
    focusItem = Math.min(focusItem, Math.max(0, items.length - 1));
    if (items[focusItem] && items[focusItem].detail) focusItem -= 1;
    relayout();
    render();
  }

  function relayout() {
    const heights = new Float64Array(items.length);
    for (let k = 0; k < items.length; k++) {
      heights[k] = items[k].detail ? detailHeights.get(items[k].i) || DETAIL_GUESS : rowH;
    }
    offsets = offsetsOf(heights);
    ui.content.style.height = `${offsets[items.length]}px`;
  }

  function detailFor(i) {
    let d = details.get(i);
    if (!d) {
      d = h(
        "div",
        { className: "sp-detail" },
        spanDetails(tree, i, (id) => store.set({ selectedSpanId: id })),
      );
      details.set(i, d);
    }
    return d;
  }

  function clearRendered() {
    for (const [key, node] of rendered) release(key, node);
    rendered.clear();
  }

  function release(key, node) {
    if (node === document.activeElement || node.contains(document.activeElement)) {
      ui.viewport.focus({ preventScroll: true });
    }
    node.remove();
    if (key[0] === "r") {
      node._i = -1;
      pool.push(node);
    }
  }

  function render() {
    if (!tree || !items.length) {
      clearRendered();
      return;
    }
    const { first, last } = variableWindow(
      offsets,
      ui.viewport.scrollTop,
      ui.viewport.clientHeight,
      4,
      MAX_ITEMS,
    );
    const want = new Map();
    for (let k = first; k < last; k++) want.set(`${items[k].detail ? "d" : "r"}${items[k].i}`, k);
    for (const [key, node] of rendered) {
      if (!want.has(key)) {
        release(key, node);
        rendered.delete(key);
      }
    }
    const state = store.get();
    let remeasure = false;
    let tabbable = false;
    for (const [key, k] of want) {
      const item = items[k];
      let node = rendered.get(key);
      if (!node) {
        if (item.detail) node = detailFor(item.i);
        else {
          node = pool.pop() || newSpanRow();
          fillSpanRow(node, item.i, view);
        }
        rendered.set(key, node);
        ui.content.append(node);
      }
      setStyle(node, "transform", `translateY(${offsets[k]}px)`);
      if (item.detail) {
        if (!detailHeights.has(item.i)) {
          const hgt = node.offsetHeight; // measured once (again after a resize re-wraps the text)
          if (hgt) {
            detailHeights.set(item.i, hgt);
            remeasure = remeasure || Math.abs(hgt - DETAIL_GUESS) > 0.5;
          }
        }
      } else {
        applySpanRowState(node, state, view);
        if (k === focusItem) tabbable = true;
      }
    }
    if (!tabbable) {
      const firstRow = [...rendered.entries()].find(([key]) => key[0] === "r");
      if (firstRow) setAttr(firstRow[1], "tabindex", "0");
    }
    if (remeasure) {
      relayout();
      for (const [key, k] of want) setStyle(rendered.get(key), "transform", `translateY(${offsets[k]}px)`);
    }
  }

  function refreshStates() {
    if (!tree) return;
    const state = store.get();
    for (const [key, node] of rendered) if (key[0] === "r") applySpanRowState(node, state, view);
  }

  function refreshAll() {
    if (!tree) return;
    for (const [key, node] of rendered) if (key[0] === "r") fillSpanRow(node, node._i, view);
    refreshStates();
  }

  const scheduleRender = rafThrottle(render);

  // ------------------------------------------------------------------ interaction

  function setOpen(i, open) {
    if (i === autoOpened) autoOpened = -1; // the user took it over: it stays as they leave it
    if (open === opened.has(i)) return;
    if (open) opened.add(i);
    else {
      opened.delete(i);
      details.delete(i);
    }
    rebuild();
  }

  function toggleChildren(i, open) {
    if (!hasChildren(tree, i) || matches) return;
    const isOpen = !collapsed.has(i);
    const want = open === undefined ? !isOpen : open;
    if (want === isOpen) return;
    if (want) collapsed.delete(i);
    else collapsed.add(i);
    rebuild();
  }

  function ensureVisible(k) {
    const top = scrollToShow(
      offsets[k],
      offsets[k + 1] - offsets[k],
      ui.viewport.scrollTop,
      ui.viewport.clientHeight,
      rowH,
    );
    if (top !== null) ui.viewport.scrollTop = top;
    render();
  }

  function focusAt(k, step = 1) {
    if (!items.length) return;
    k = Math.max(0, Math.min(items.length - 1, k));
    while (items[k] && items[k].detail) k += step; // details are not rows: skip them
    if (!items[k]) k = Math.max(0, Math.min(items.length - 1, k - step));
    focusItem = k;
    ensureVisible(k);
    const node = rendered.get(`r${items[k].i}`);
    if (node) node.focus({ preventScroll: true });
    store.set({ hoverSpanId: tree.spans[items[k].i].span_id });
  }

  function rowOf(target) {
    const row = target.closest && target.closest(".sp-row");
    return row && row._i >= 0 ? row : null;
  }

  ui.viewport.addEventListener("click", (ev) => {
    const row = rowOf(ev.target);
    if (!row) return;
    const i = row._i;
    focusItem = itemOf.get(`r${i}`) ?? focusItem;
    if (ev.target.closest(".sp-toggle")) {
      toggleChildren(i);
      return;
    }
    const open = !opened.has(i);
    setOpen(i, open);
    if (open) {
      selfSelect = true; // the row is in view already: do not scroll the list under the pointer
      store.set({ selectedSpanId: tree.spans[i].span_id });
      selfSelect = false;
    }
  });
  ui.viewport.addEventListener("mouseover", (ev) => {
    const row = rowOf(ev.target);
    const id = row ? tree.spans[row._i].span_id : null;
    if (id && store.get().hoverSpanId !== id) store.set({ hoverSpanId: id });
  });
  ui.viewport.addEventListener("mouseleave", () => {
    if (store.get().hoverSpanId) store.set({ hoverSpanId: null });
  });
  ui.viewport.addEventListener("keydown", (ev) => {
    if (!tree || !items.length || ev.target.closest(".sp-detail")) return;
    const item = items[focusItem];
    if (!item) return;
    const i = item.i;
    const page = Math.max(1, Math.floor(ui.viewport.clientHeight / rowH) - 1);
    const keys = {
      ArrowDown: () => focusAt(focusItem + 1, 1),
      ArrowUp: () => focusAt(focusItem - 1, -1),
      PageDown: () => focusAt(focusItem + page, 1),
      PageUp: () => focusAt(focusItem - page, -1),
      Home: () => focusAt(0, 1),
      End: () => focusAt(items.length - 1, -1),
      ArrowRight: () => {
        if (collapsed.has(i)) toggleChildren(i, true);
        focusAt(itemOf.get(`r${i}`));
      },
      ArrowLeft: () => {
        if (hasChildren(tree, i) && !collapsed.has(i) && !matches) toggleChildren(i, false);
        else if (tree.parent[i] >= 0 && itemOf.has(`r${tree.parent[i]}`))
          focusItem = itemOf.get(`r${tree.parent[i]}`);
        focusAt(itemOf.get(`r${items[focusItem].i}`) ?? focusItem);
      },
      Enter: () => {
        setOpen(i, !opened.has(i));
        store.set({ selectedSpanId: tree.spans[i].span_id });
        focusAt(itemOf.get(`r${i}`));
      },
      Escape: () => store.set({ selectedSpanId: null }),
    };
    const fn = keys[ev.key];
    if (!fn) return;
    ev.preventDefault();
    fn();
  });
  ui.viewport.addEventListener("scroll", scheduleRender, { passive: true });
  ui.search.addEventListener("input", () => {
    ui.viewport.scrollTop = 0;
    focusItem = 0;
    rebuild();
  });
  ui.errorsOnly.addEventListener("change", () => rebuild());
  ui.expandAll.addEventListener("click", () => {
    collapsed = new Set();
    rebuild();
  });
  ui.collapseAll.addEventListener("click", () => {
    if (!tree) return;
    collapsed = collapseBelow(tree, 1);
    opened = new Set();
    autoOpened = -1;
    details.clear();
    rebuild();
  });

  function revealSelected(id) {
    if (!tree || !id) return;
    const i = tree.index.get(id);
    if (i === undefined) return;
    let changed = !matches && reveal(tree, collapsed, i);
    if (!opened.has(i)) {
      // a selection made elsewhere opens its details, and closes the ones the previous one opened
      if (autoOpened >= 0 && autoOpened !== i) {
        opened.delete(autoOpened);
        details.delete(autoOpened);
      }
      opened.add(i);
      autoOpened = selfSelect ? -1 : i;
      changed = true;
    }
    if (changed) rebuild();
    const k = itemOf.get(`r${i}`);
    if (k === undefined) return;
    focusItem = k;
    if (selfSelect) return render();
    // show the row and as much of its details as fits
    const end = itemOf.has(`d${i}`) ? offsets[k + 2] : offsets[k + 1];
    const top = scrollToShow(
      offsets[k],
      Math.min(end - offsets[k], ui.viewport.clientHeight),
      ui.viewport.scrollTop,
      ui.viewport.clientHeight,
    );
    if (top !== null) ui.viewport.scrollTop = top;
    render();
  }

  const resize = new ResizeObserver(() => {
    const h0 = parseFloat(getComputedStyle(ui.root).getPropertyValue("--sp-row-h")) || 32;
    if (h0 !== rowH) {
      rowH = h0;
      relayout();
    }
    if ([...details.keys()].length) {
      detailHeights.clear(); // widths changed: details re-wrap; measure again
      relayout();
    }
    render();
  });
  resize.observe(ui.root);

  const unsubscribe = store.subscribe((state, prev) => {
    if (
      (state.catalogue !== prev.catalogue && state.catalogue) ||
      (state.components !== prev.components && state.components)
    ) {
      categories = componentCategories(store, api, () => refreshAll());
      refreshAll();
    }
    if (state.trace !== prev.trace) setTrace(state.trace);
    if (state.selectedSpanId !== prev.selectedSpanId) revealSelected(state.selectedSpanId);
    if (
      state.hoverSpanId !== prev.hoverSpanId ||
      state.selectedSpanId !== prev.selectedSpanId ||
      state.comparison !== prev.comparison
    )
      refreshStates();
  });

  rowH = parseFloat(getComputedStyle(ui.root).getPropertyValue("--sp-row-h")) || 32;
  setTrace(store.get().trace);
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
  const search = h("input", {
    className: "sp-search",
    attrs: {
      type: "search",
      placeholder: "Filter: service, operation, attribute…",
      "aria-label": "Filter spans by service, operation or attribute",
      "data-testid": "span-search",
      spellcheck: "false",
    },
  });
  const errorsOnly = h("input", { attrs: { type: "checkbox", "data-testid": "span-errors-only" } });
  const errorsLabel = h("label", { className: "sp-check" }, errorsOnly, " Errors only");
  const count = h("span", { className: "sp-count", attrs: { "aria-live": "polite" } });
  const expandAll = h("button", { className: "sp-btn", text: "Expand all", attrs: { type: "button" } });
  const collapseAll = h("button", { className: "sp-btn", text: "Collapse all", attrs: { type: "button" } });
  const toolbar = h(
    "div",
    { className: "sp-toolbar" },
    search,
    errorsLabel,
    count,
    h("span", { className: "sp-actions" }, expandAll, collapseAll),
  );
  const header = h(
    "div",
    { className: "sp-header", attrs: { "aria-hidden": "true" } },
    h("span", { text: "Service · operation" }),
    h("span", { className: "sp-dur", text: "Duration" }),
    h("span", { className: "sp-start", text: "Start" }),
    h("span", { className: "sp-status", text: "Status" }),
  );
  const content = h("div", { className: "sp-content" });
  const viewport = h(
    "div",
    {
      className: "sp-viewport",
      attrs: { role: "tree", "aria-label": "Spans", tabindex: "-1" },
    },
    content,
  );
  const noMatch = h("p", { className: "sp-nomatch", text: "No span matches this filter." });
  noMatch.hidden = true;
  const empty = h(
    "div",
    { className: "sp-empty panel-empty" },
    h("p", { className: "panel-empty-title", text: "No spans yet" }),
    h("p", {
      text: "Run a scenario to list its spans the way Jaeger does: one line per call with its service, operation, duration and status. Open a span to read its attributes, events and links.",
    }),
  );
  const root = h(
    "section",
    { className: "sp", attrs: { "aria-label": "Spans" } },
    toolbar,
    header,
    noMatch,
    viewport,
    empty,
  );
  return { root, search, errorsOnly, count, expandAll, collapseAll, content, viewport, noMatch };
}
