// One row of the waterfall: its DOM (built once, then recycled as the list scrolls), its content for a
// span (fillRow: label, bar, duration, tooltip) and its state (applyRowState: selection, hover,
// critical path, the cursor, collapse), written only where a value changed.
//
// `view` carries what the waterfall knows: {tree, domain, categories} for fillRow and
// {tree, collapsed, critical, bottleneck, errorOrigin, rowPos, focusRow} for applyRowState.

import { categoryColor, h, setAttr, setText } from "./panelkit.js";
import { hasChildren, isAsync } from "./logic/spantree.js";
import { barPercent, formatMs } from "./logic/timescale.js";
import { baselineBadge } from "./learn/baseline.js";

export const MAX_INDENT_LEVELS = 14; // deeper rows stop moving right and show their depth instead
const INDENT_PX = 12;

export function newRow() {
  const toggle = h("button", {
    className: "wf-toggle tree-toggle",
    attrs: { type: "button", tabindex: "-1", "aria-hidden": "true" },
  });
  const swatch = h("span", { className: "wf-swatch" });
  const service = h("span", { className: "wf-service" });
  const op = h("span", { className: "wf-op" });
  const badge = h("span", { className: "wf-badge" });
  const bar = h("span", { className: "wf-bar" });
  const dur = h("span", { className: "wf-dur" });
  const label = h("span", { className: "wf-label" }, toggle, swatch, service, op, badge);
  const track = h("span", { className: "wf-track" }, bar, dur);
  const row = h(
    "div",
    {
      className: "wf-row",
      attrs: { role: "treeitem", tabindex: "-1", "data-testid": "waterfall-row" },
    },
    label,
    track,
  );
  row._parts = { toggle, swatch, service, op, badge, bar, dur, label };
  row._idx = -1;
  return row;
}

export function fillRow(row, i, view) {
  const { tree, domain, categories } = view;
  const s = tree.spans[i];
  const p = row._parts;
  row._idx = i;
  row.dataset.spanId = s.span_id;
  if (s.status === "error") row.dataset.status = "error";
  else delete row.dataset.status;
  const depth = tree.depth[i];
  row.setAttribute("aria-level", String(depth + 1));
  p.label.style.paddingLeft = `${Math.min(depth, MAX_INDENT_LEVELS) * INDENT_PX}px`;
  const color = categoryColor(categories.get(s.component));
  row.style.setProperty("--bar", color);
  p.service.textContent = s.service;
  p.op.textContent = s.operation;
  const after = tree.afterResponse[i] === 2;
  const asyncSpan = isAsync(s);
  p.badge.textContent = depth > MAX_INDENT_LEVELS ? `depth ${depth + 1}` : asyncSpan ? "async" : "";
  p.badge.hidden = !p.badge.textContent;
  const { left, width } = barPercent(s.start_ms, s.duration_ms, domain);
  p.bar.style.left = `${left}%`;
  p.bar.style.width = `${width}%`;
  p.bar.classList.toggle("is-error", s.status === "error");
  p.bar.classList.toggle("is-async", asyncSpan);
  const dur = s.status === "error" ? `✖ ${formatMs(s.duration_ms)}` : formatMs(s.duration_ms);
  p.dur.textContent = after ? `${dur} · after response` : dur;
  // the duration goes right of the bar, else left of it, else inside it (a long bar from 0)
  const place = left + width <= 84 ? "right" : left >= 16 ? "left" : "inside";
  p.dur.classList.toggle("is-left", place === "left");
  p.dur.classList.toggle("is-inside", place === "inside");
  p.dur.style.left = place === "right" ? `${left + width}%` : "";
  p.dur.style.right =
    place === "left" ? `${100 - left}%` : place === "inside" ? `${100 - left - width}%` : "";
  const lines = [
    `${s.service} · ${s.operation}`,
    `${formatMs(s.duration_ms)} starting at ${formatMs(s.start_ms)}`,
  ];
  lines.push(`self time ${formatMs(tree.selfMs[i])}`);
  if (s.error) lines.push(`error: ${s.error}`);
  if (asyncSpan) lines.push("asynchronous (follows from its producer)");
  if (tree.afterResponse[i]) lines.push("runs after the response was sent");
  row.title = lines.join("\n");
}

export function applyRowState(row, state, view) {
  const { tree, collapsed, critical, bottleneck, errorOrigin, rowPos, focusRow } = view;
  const i = row._idx;
  const s = tree.spans[i];
  const isParent = hasChildren(tree, i);
  const isCollapsed = collapsed.has(i);
  const p = row._parts;
  p.toggle.classList.toggle("is-leaf", !isParent);
  setText(p.toggle, isParent ? (isCollapsed ? "▸" : "▾") : "");
  setAttr(p.toggle, "title", isParent ? (isCollapsed ? "Expand" : "Collapse") : null);
  setAttr(row, "aria-expanded", isParent ? String(!isCollapsed) : null);
  const selected = state.selectedSpanId === s.span_id;
  setAttr(row, "aria-selected", String(selected));
  row.classList.toggle("is-selected", selected);
  row.classList.toggle("is-hover", state.hoverSpanId === s.span_id);
  row.classList.toggle("is-hover-node", !!state.hoverNodeId && state.hoverNodeId === s.node_id);
  row.classList.toggle("is-critical", critical.has(i));
  row.classList.toggle("is-bottleneck", i === bottleneck);
  row.classList.toggle("is-origin", i === errorOrigin);
  const cur = state.cursorMs;
  const active = typeof cur === "number" && s.start_ms <= cur && cur < s.start_ms + s.duration_ms;
  row.classList.toggle("is-active", active);
  setAttr(row, "tabindex", rowPos[i] === focusRow ? "0" : "-1");
  baselineBadge(row, state, s); // "12× its time in the success variant" while comparing
}
