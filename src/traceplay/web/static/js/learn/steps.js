// Step-through: the trace told hop by hop (POST /api/narrate). state.stepping = {traceId, steps,
// index} while the mode is on. Each step pauses playback, moves the time cursor to the step's t_ms and
// selects its span, so the canvas (node and edge), the waterfall and the spans follow; the caption on
// the canvas (LearnBar.js) reads the step's sentence and the scenario's notes. ← / → step while on.

import { traceSource } from "./source.js";

let ctl = null;

export async function startStepping(store, api, { at = 0 } = {}) {
  const st = store.get();
  if (!st.trace) return;
  if (ctl) ctl.abort();
  const mine = (ctl = new AbortController());
  store.set({ stepping: { traceId: st.trace.trace_id, trace: st.trace, steps: [], index: 0, loading: true }, quizArmed: null });
  try {
    const answer = await api.narrate(traceSource(st), mine.signal);
    if (mine.signal.aborted || !store.get().stepping) return;
    const steps = answer.steps || [];
    store.set({ stepping: { traceId: answer.trace_id, trace: st.trace, steps, index: 0, loading: false } });
    goTo(store, Math.min(at, Math.max(0, steps.length - 1)));
  } catch (err) {
    if (err && err.name === "AbortError") return;
    store.set({ stepping: null, notice: { message: `Step-through is not available: ${(err && err.message) || err}`, tone: "error", at: performance.now() } });
  }
}

export function stopStepping(store) {
  if (ctl) ctl.abort();
  if (store.get().stepping) store.set({ stepping: null });
}

export function goTo(store, index) {
  const s = store.get().stepping;
  if (!s || !s.steps.length) return;
  const i = Math.max(0, Math.min(s.steps.length - 1, index));
  const step = s.steps[i];
  store.set({
    stepping: { ...s, index: i },
    playing: false,
    cursorMs: step.t_ms,
    selectedSpanId: step.span_id,
    hoverSpanId: null,
  });
}

export function stepBy(store, delta) {
  const s = store.get().stepping;
  if (s) goTo(store, s.index + delta);
}

// keep the mode on a new trace (another variant, a fix): tell the new one from its start
export function followTrace(store, api) {
  store.subscribe((st, prev) => {
    if (st.trace !== prev.trace && st.stepping && st.stepping.trace !== st.trace) {
      if (st.trace) startStepping(store, api);
      else stopStepping(store);
    }
    if (st.scenarioId !== prev.scenarioId && prev.scenarioId) stopStepping(store);
  });
}

export function installStepKeys(store) {
  document.addEventListener("keydown", (ev) => {
    if (ev.defaultPrevented || !store.get().stepping) return;
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const t = ev.target;
    if (t instanceof HTMLElement) {
      if (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) return;
      // widgets that use the arrows themselves: tabs, radio groups, the waterfall, canvas nodes, sliders
      if (t.closest("[role=tablist], [role=radiogroup], [role=tree], .wf-viewport, .canvas-svg, .sp")) return;
    }
    if (ev.key === "ArrowRight") {
      ev.preventDefault();
      stepBy(store, 1);
    } else if (ev.key === "ArrowLeft") {
      ev.preventDefault();
      stepBy(store, -1);
    } else if (ev.key === "Escape") {
      stopStepping(store);
    }
  });
}
