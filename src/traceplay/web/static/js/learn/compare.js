// The comparison pipeline. A *baseline* says what the trace on screen is compared with:
//   {kind: "variant", variant, label}             the same flow in another variant
//   {kind: "flow", flow | template, label, fix}   the flow before a fix, in the current variant
// Whenever the baseline or the trace changes, POST /api/compare (base = the baseline run, other = the
// trace on screen, posted as is so span ids match) and put the answer in state.comparison.
// Opening another scenario drops the baseline; going back to the flow before a fix (revert, undo)
// drops a "before the fix" baseline.

import { structureKey } from "../logic/flowedit.js";
import { VARIANTS } from "../actions.js";
import { flowSource, traceSource, validFaults } from "./source.js";

let last = { baseline: null, traceId: null };

// the same components and calls, whatever the flow is called (a fix lands in a renamed copy)
function sameCalls(a, b) {
  const plain = (f) => structureKey({ ...f, id: "", name: "", description: "" });
  return plain(a) === plain(b);
}

export function variantBaseline(variant) {
  return { kind: "variant", variant, label: `the ${variant} variant` };
}

// the variant to compare with by default: success, or (when success is on screen) the slow one
export function defaultBaselineVariant(st) {
  const names = st.flow && st.flow.variants && Object.keys(st.flow.variants).length ? Object.keys(st.flow.variants) : VARIANTS;
  if (st.variant !== "success" && names.includes("success")) return "success";
  return names.find((v) => v !== st.variant) || "success";
}

export function compareWithVariant(store, variant) {
  store.set({ baseline: variantBaseline(variant), panel: "compare" });
}

export function stopComparing(store) {
  store.set({ baseline: null, comparison: null, comparisonStatus: "idle", comparisonError: null });
}

// a comparison that already came with the answer (POST /api/fixes/apply)
export function setComparison(store, baseline, comparison) {
  last = { baseline, traceId: comparison.other.trace_id };
  store.set({ baseline, comparison, comparisonStatus: "ready", comparisonError: null, panel: "compare" });
}

// the comparison when it is about the trace on screen, else null
export function currentComparison(st) {
  const c = st.comparison;
  return c && st.trace && c.other.trace_id === st.trace.trace_id ? c : null;
}

export function startComparing(store, api) {
  let ctl = null;

  async function refresh() {
    const st = store.get();
    const b = st.baseline;
    if (!b || !st.trace || !st.flow) return;
    if (b.skipTrace && st.trace === b.skipTrace) return; // the run before a fix: its result is coming
    if (last.baseline === b && last.traceId === st.trace.trace_id && st.comparison) return;
    if (ctl) ctl.abort();
    const mine = (ctl = new AbortController());
    const base =
      b.kind === "variant"
        ? { ...flowSource(st), variant: b.variant, faults: validFaults(st.flow, st.faults) }
        : { ...(b.template ? { template: b.template } : { flow: b.flow }), variant: st.variant,
            faults: validFaults(b.flow, st.faults) };
    const otherLabel = b.kind === "variant" ? `the ${st.variant} variant` : "the fixed flow";
    store.set({ comparisonStatus: "loading", comparisonError: null });
    try {
      const comparison = await api.compare(
        { base, other: traceSource(st), base_label: b.label, other_label: otherLabel }, mine.signal);
      if (mine.signal.aborted) return;
      last = { baseline: b, traceId: comparison.other.trace_id };
      store.set({ comparison, comparisonStatus: "ready" });
    } catch (err) {
      if (err && err.name === "AbortError") return;
      store.set({ comparison: null, comparisonStatus: "error", comparisonError: (err && err.message) || String(err) });
    }
  }

  store.subscribe((st, prev) => {
    if (st.scenarioId !== prev.scenarioId && prev.scenarioId && st.baseline) {
      stopComparing(store);
      return;
    }
    // the flow is back to what it was before the fix (revert, undo): nothing left to compare
    if (st.baseline && st.baseline.kind === "flow" && st.flow !== prev.flow && st.flow &&
        st.baseline.flow && sameCalls(st.flow, st.baseline.flow)) {
      stopComparing(store);
      return;
    }
    // switching to the baseline's own variant: compare with the one just left instead
    if (st.baseline && st.baseline.kind === "variant" && st.variant !== prev.variant && st.variant === st.baseline.variant) {
      store.set({ baseline: variantBaseline(prev.variant) });
      return;
    }
    if (st.baseline !== prev.baseline && !st.baseline) {
      if (ctl) ctl.abort();
      if (st.comparison) store.set({ comparison: null, comparisonStatus: "idle" });
      return;
    }
    if (st.baseline !== prev.baseline || st.trace !== prev.trace) refresh();
  });
}
