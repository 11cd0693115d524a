// The request pipeline. Whenever the scenario, the variant, the faults or the flow's structure
// change: load the scenario (if needed), simulate (or take the recorded trace of an import), then
// analyze — each step cancelling a stale one — and put flow, trace and analysis in the store.
// Layout moves do not re-run anything.

import { structureKey } from "./logic/flowedit.js";
import { traceEnd } from "./logic/timewarp.js";

export function startSession(store, api) {
  const templateCache = new Map();
  let loadCtl = null;
  let runCtl = null;
  let lastRunKey = null;
  let originalKey = "";

  async function loadScenario() {
    const { scenarioId } = store.get();
    if (!scenarioId) return;
    if (loadCtl) loadCtl.abort();
    const ctl = (loadCtl = new AbortController());
    store.set({ loading: true, error: null });
    try {
      let flow = templateCache.get(scenarioId);
      if (!flow) {
        flow = deepFreeze(await api.getTemplate(scenarioId, ctl.signal));
        templateCache.set(scenarioId, flow);
      }
      // a late answer must not replace what the user opened since (another scenario, a custom flow)
      if (ctl.signal.aborted || store.get().scenarioId !== scenarioId) return;
      originalKey = structureKey(flow);
      const s = store.get();
      const variant = flow.variants && Object.keys(flow.variants).length && !(s.variant in flow.variants)
        ? Object.keys(flow.variants)[0]
        : s.variant;
      lastRunKey = null;
      store.set({
        original: flow,
        flow,
        edited: false,
        variant,
        flowRev: (s.flowRev || 0) + 1,
        fitRequest: (s.fitRequest || 0) + 1,
      });
    } catch (err) {
      if (err && err.name === "AbortError") return;
      store.set({ loading: false, error: describe(err, "Could not open this scenario") });
    }
  }

  function runKey(s) {
    return JSON.stringify([s.scenarioId, s.variant, s.faults, s.flowRev]);
  }

  async function run() {
    const s = store.get();
    if (!s.flow) return;
    const key = runKey(s);
    if (key === lastRunKey) return;
    lastRunKey = key;
    if (runCtl) runCtl.abort();
    if (!s.flow.nodes.length) {
      store.set({ trace: null, analysis: null, loading: false, error: null, playing: false, cursorMs: 0 });
      return;
    }
    const ctl = (runCtl = new AbortController());
    const useTemplate = s.scenarioId && s.original && structureKey(s.flow) === originalKey;
    const source = useTemplate ? { template: s.scenarioId } : { flow: s.flow };
    const faults = validFaults(s.flow, s.faults);
    const recorded = recordedTrace(s, faults);
    store.set({ loading: true, error: null });
    let trace;
    try {
      trace = recorded || (await api.simulate({ ...source, variant: s.variant, faults }, ctl.signal));
    } catch (err) {
      if (err && err.name === "AbortError") return;
      store.set({ loading: false, trace: null, analysis: null, playing: false, error: describe(err, "The simulation failed") });
      return;
    }
    if (ctl.signal.aborted) return;
    const reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    const endMs = traceEnd(trace);
    store.set({
      trace,
      traceEndMs: endMs,
      analysis: null,
      analysisError: null,
      cursorMs: reduceMotion ? endMs : 0,
      playing: !reduceMotion && store.get().autoplay !== false,
      selectedSpanId: null,
      hoverSpanId: null,
      aiText: "",
      aiStatus: "idle",
    });
    if (!performance.getEntriesByName("traceplay:first-trace").length) performance.mark("traceplay:first-trace");
    try {
      const analysis = await api.analyze(recorded ? { trace } : { trace, ...source, variant: s.variant }, ctl.signal);
      if (ctl.signal.aborted) return;
      store.set({ analysis, loading: false });
    } catch (err) {
      if (err && err.name === "AbortError") return;
      store.set({ loading: false, analysis: null, analysisError: describe(err, "The analysis is not available") });
    }
  }

  store.subscribe((state, prev) => {
    if (state.scenarioRequest !== prev.scenarioRequest || (state.scenarioId !== prev.scenarioId && state.scenarioId)) {
      loadScenario();
      return;
    }
    if (
      state.flowRev !== prev.flowRev ||
      state.variant !== prev.variant ||
      state.faults !== prev.faults ||
      state.retryRequest !== prev.retryRequest
    ) {
      if (state.retryRequest !== prev.retryRequest) lastRunKey = null;
      run();
    }
  });

  return { loadScenario, run };
}

// An imported trace is shown as recorded while its graph, variant and faults are as imported;
// any change simulates the graph instead (js/traces/index.js).
function recordedTrace(s, faults) {
  const imp = s.imported;
  if (!imp || s.variant !== imp.variant || Object.keys(faults).length) return null;
  return s.flow === imp.flow || structureKey(s.flow) === imp.flowKey ? imp.trace : null;
}

// Faults only on nodes that still exist (a deleted node takes its fault with it).
function validFaults(flow, faults) {
  const ids = new Set(flow.nodes.map((n) => n.id));
  const out = {};
  for (const [node, kind] of Object.entries(faults || {})) if (ids.has(node)) out[node] = kind;
  return out;
}

export function describe(err, fallback) {
  if (err && typeof err.message === "string") {
    return { message: err.message, code: err.code || "error", details: err.details || {}, title: fallback };
  }
  return { message: fallback, code: "error", details: {}, title: fallback };
}

function deepFreeze(value) {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
