// The waterfall's one-click filters: "critical path" (the spans that decide the response time),
// "errors" (failing spans) and "slowest 20 %" (the longest fifth of the spans). One at a time; a
// filter shows every matching span whatever is collapsed, in tree order. Pure functions + the pills.

import { changed } from "../store.js";
import { h } from "../dom.js";
import { visibleRows } from "../logic/spantree.js";

export const FILTERS = [
  { id: "critical", label: "critical path", title: "Only the spans on the critical path: what the response waited for" },
  { id: "errors", label: "errors", title: "Only the spans that failed" },
  { id: "slowest", label: "slowest 20 %", title: "Only the longest fifth of the spans" },
];

// the span indices of `tree` a filter keeps (null: no filter, or nothing to filter by)
export function keepSet(tree, filter, analysis) {
  if (!tree || !filter) return null;
  const keep = new Set();
  if (filter === "critical") {
    if (!analysis) return null;
    for (const id of analysis.critical_path || []) {
      const i = tree.index.get(id);
      if (i !== undefined) keep.add(i);
    }
  } else if (filter === "errors") {
    for (let i = 0; i < tree.count; i++) if (tree.spans[i].status === "error") keep.add(i);
  } else if (filter === "slowest") {
    const n = tree.count;
    if (!n) return keep;
    const durations = Array.from({ length: n }, (_, i) => tree.spans[i].duration_ms).sort((a, b) => b - a);
    const threshold = durations[Math.max(0, Math.ceil(n * 0.2) - 1)];
    for (let i = 0; i < n; i++) if (tree.spans[i].duration_ms >= threshold) keep.add(i);
  } else {
    return null;
  }
  return keep;
}

// the rows the waterfall shows: the tree (minus collapsed subtrees), or the filter's spans in tree order
export function rowsFor(tree, collapsed, state) {
  const keep = keepSet(tree, state.wfFilter, state.analysis);
  if (!keep) return visibleRows(tree, collapsed);
  const out = new Int32Array(keep.size);
  let m = 0;
  for (let k = 0; k < tree.count; k++) if (keep.has(tree.order[k])) out[m++] = tree.order[k];
  return out.subarray(0, m);
}

export function FilterPills(store) {
  const wrap = h("div", { class: "lp-pills", role: "group", "aria-label": "Filter the spans" });
  const pills = FILTERS.map((f) => {
    const b = h("button", {
      type: "button", class: "lp-pill", "data-testid": "filter-pill", "data-filter": f.id, "aria-pressed": "false",
      title: f.title, onclick: () => store.set({ wfFilter: store.get().wfFilter === f.id ? null : f.id }),
    }, f.label);
    wrap.append(b);
    return b;
  });

  function update(st) {
    const spans = (st.trace && st.trace.spans) || [];
    const has = {
      critical: Boolean(st.analysis && (st.analysis.critical_path || []).length),
      errors: spans.some((s) => s.status === "error"),
      slowest: spans.length > 1,
    };
    pills.forEach((b, i) => {
      const id = FILTERS[i].id;
      b.setAttribute("aria-pressed", String(st.wfFilter === id));
      b.disabled = !has[id] && st.wfFilter !== id;
      b.title = has[id] ? FILTERS[i].title : id === "errors" ? "Nothing failed in this trace" : FILTERS[i].title;
    });
  }

  store.subscribe((st, prev) => {
    if (changed(st, prev, "wfFilter", "trace", "analysis")) update(st);
    // a filter with nothing left to show (errors in a healthy run) switches itself off
    if (st.wfFilter === "errors" && st.trace !== prev.trace && st.trace && !st.trace.spans.some((s) => s.status === "error")) {
      store.set({ wfFilter: null });
    }
  });
  update(store.get());
  return wrap;
}
