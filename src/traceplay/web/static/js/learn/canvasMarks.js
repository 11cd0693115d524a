// What the learning loop draws on the canvas, on top of what Canvas.js draws: nodes coloured by heat
// (the change of their own time in the comparison: --heat-up slower, --heat-down faster), the
// critical path's nodes and edges (a toggle), and the hop of the current step. Canvas.js rebuilds
// its groups on a new flow or trace, so the marks are re-applied after it (subscribed later).

import { changed } from "../store.js";
import { currentComparison } from "./compare.js";

const HEAT_MIN = 0.05; // below this a node looks unchanged

export function heatOf(value) {
  const a = Math.min(1, Math.abs(Number(value) || 0));
  if (a < HEAT_MIN) return null;
  return { dir: value > 0 ? "up" : "down", pct: Math.round(18 + 62 * a) };
}

export function canvasMarks(canvas, store) {
  let spanIndex = { trace: null, byId: new Map() };

  function spanById(st, id) {
    if (spanIndex.trace !== st.trace) {
      spanIndex = { trace: st.trace, byId: new Map(((st.trace && st.trace.spans) || []).map((s) => [s.span_id, s])) };
    }
    return spanIndex.byId.get(id) || null;
  }

  function apply() {
    const st = store.get();
    const root = canvas.el;
    for (const g of root.querySelectorAll("[data-heat]")) {
      delete g.dataset.heat;
      g.style.removeProperty("--heat-pct");
    }
    for (const g of root.querySelectorAll(".lp-crit, .lp-step")) g.classList.remove("lp-crit", "lp-step");

    const c = currentComparison(st);
    root.classList.toggle("lp-comparing", Boolean(c));
    if (c) {
      for (const n of c.nodes) {
        const g = n.node_id && canvas.nodeEl(n.node_id);
        const heat = g && heatOf(n.heat);
        if (!heat) continue;
        g.dataset.heat = heat.dir;
        g.style.setProperty("--heat-pct", `${heat.pct}%`);
      }
    }

    const showCritical = Boolean(st.criticalOverlay && st.analysis && st.trace);
    root.classList.toggle("lp-critical-on", showCritical);
    if (showCritical) {
      for (const id of st.analysis.critical_path || []) {
        const s = spanById(st, id);
        if (!s) continue;
        const n = s.node_id && canvas.nodeEl(s.node_id);
        if (n) n.classList.add("lp-crit");
        const e = s.edge_id && canvas.edgeEl(s.edge_id);
        if (e) e.classList.add("lp-crit");
      }
    }

    const step = st.stepping && st.stepping.steps[st.stepping.index];
    if (step) {
      const n = step.to_node || step.node_id;
      const g = n && canvas.nodeEl(n);
      if (g) g.classList.add("lp-step");
      const e = step.edge_id && canvas.edgeEl(step.edge_id);
      if (e) e.classList.add("lp-step");
    }
  }

  store.subscribe((st, prev) => {
    if (changed(st, prev, "flow", "trace", "analysis", "catalogue", "faults", "comparison", "criticalOverlay", "stepping")) apply();
  });
  apply();
  return { apply };
}
