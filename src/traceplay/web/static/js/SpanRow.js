// One row of the spans list: its DOM (built once, recycled while scrolling), its content for a span
// (fillSpanRow: service, operation, duration, start offset, status as a symbol and a word) and its
// state (applySpanRowState: open, selected, hovered, filter match, collapse, the baseline badge while
// comparing), written only where a value changed.
//
// `view`: {tree, categories} for fillSpanRow; {tree, matches, collapsed, opened, isFocused(i)} for
// applySpanRowState.

import { categoryColor, h, setAttr, setText } from "./panelkit.js";
import { hasChildren } from "./logic/spantree.js";
import { formatMs } from "./logic/timescale.js";
import { baselineBadge } from "./learn/baseline.js";

const MAX_INDENT_LEVELS = 14;
const INDENT_PX = 14;

export function newSpanRow() {
  const toggle = h("button", {
    className: "sp-toggle tree-toggle",
    attrs: { type: "button", tabindex: "-1", "aria-hidden": "true" },
  });
  const swatch = h("span", { className: "sp-swatch" });
  const service = h("span", { className: "sp-service" });
  const op = h("span", { className: "sp-op" });
  const name = h("span", { className: "sp-name" }, toggle, swatch, service, op);
  const dur = h("span", { className: "sp-dur" });
  const start = h("span", { className: "sp-start" });
  const status = h("span", { className: "sp-status" });
  const row = h(
    "div",
    { className: "sp-row", attrs: { role: "treeitem", tabindex: "-1", "data-testid": "span-row" } },
    name,
    dur,
    start,
    status,
  );
  row._parts = { toggle, swatch, service, op, name, label: name, dur, start, status };
  row._i = -1;
  return row;
}

export function fillSpanRow(row, i, view) {
  const { tree, categories } = view;
  const s = tree.spans[i];
  const p = row._parts;
  row._i = i;
  row.dataset.spanId = s.span_id;
  row.dataset.status = s.status === "error" ? "error" : "ok";
  const depth = tree.depth[i];
  row.setAttribute("aria-level", String(depth + 1));
  p.name.style.paddingLeft = `${Math.min(depth, MAX_INDENT_LEVELS) * INDENT_PX}px`;
  row.style.setProperty("--sp-cat", categoryColor(categories.get(s.component)));
  p.service.textContent = s.service;
  p.op.textContent = depth > MAX_INDENT_LEVELS ? `${s.operation} · depth ${depth + 1}` : s.operation;
  p.dur.textContent = formatMs(s.duration_ms);
  p.start.textContent = `@ ${formatMs(s.start_ms)}`;
  p.status.textContent = s.status === "error" ? "✖ error" : "✓ ok";
  row.title = s.error ? `${s.service} · ${s.operation}\nerror: ${s.error}` : `${s.service} · ${s.operation}`;
}

export function applySpanRowState(row, state, view) {
  const { tree, matches, collapsed, opened } = view;
  const i = row._i;
  const s = tree.spans[i];
  const parent = hasChildren(tree, i) && !matches;
  const isCollapsed = collapsed.has(i);
  const p = row._parts;
  p.toggle.classList.toggle("is-leaf", !parent);
  setText(p.toggle, parent ? (isCollapsed ? "▸" : "▾") : "");
  setAttr(p.toggle, "title", parent ? (isCollapsed ? "Show children" : "Hide children") : null);
  setAttr(row, "aria-expanded", parent ? String(!isCollapsed) : null);
  row.classList.toggle("is-open", opened.has(i));
  row.classList.toggle("is-selected", state.selectedSpanId === s.span_id);
  setAttr(row, "aria-selected", String(state.selectedSpanId === s.span_id));
  row.classList.toggle("is-hover", state.hoverSpanId === s.span_id);
  row.classList.toggle("is-context", !!matches && !matches[i]);
  row.classList.toggle("is-match", !!matches && !!matches[i]);
  setAttr(row, "tabindex", view.isFocused(i) ? "0" : "-1");
  baselineBadge(row, state, s); // "12× its time in the success variant" while comparing
}
