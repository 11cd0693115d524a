// Actions up: every change the UI makes to the app state goes through here, so components stay
// simple and the rules (what re-runs the simulation, what is undoable, what goes in the address
// bar) live in one place. session.js reacts to the resulting state.

import * as history from "./logic/history.js";
import { emptyFlow, resetLayout, structureKey } from "./logic/flowedit.js";

export const VARIANTS = ["success", "slow", "error"];
export const SPEEDS = [0.25, 0.5, 1, 2, 4];
export const FAULT_KINDS = ["slow", "down", "timeout", "error"];

export function createActions(store) {
  let hist = history.createHistory();

  function syncHistoryFlags() {
    store.set({ canUndo: history.canUndo(hist), canRedo: history.canRedo(hist) });
  }

  const actions = {
    selectScenario(id) {
      const s = store.get();
      if (s.scenarioId === id && !s.edited) return;
      hist = history.createHistory();
      store.set({
        scenarioId: id,
        faults: {},
        selection: null,
        selectedSpanId: null,
        hoverSpanId: null,
        hoverNodeId: null,
        drawerOpen: false,
        canUndo: false,
        canRedo: false,
        scenarioRequest: (s.scenarioRequest || 0) + 1,
      });
    },

    setVariant(variant) {
      if (store.get().variant !== variant) store.set({ variant, selectedSpanId: null });
    },

    setFault(nodeId, kind) {
      const faults = { ...store.get().faults };
      if (kind) faults[nodeId] = kind;
      else delete faults[nodeId];
      store.set({ faults });
    },

    clearFaults() {
      store.set({ faults: {} });
    },

    // A new flow from the canvas. structural: false for moves (no re-run). key merges bursts.
    editFlow(next, { key = null, label = "" } = {}) {
      const s = store.get();
      if (!s.flow || next === s.flow) return;
      hist = history.record(hist, s.flow, { key, now: performance.now() });
      apply(next, label);
    },

    undo() {
      const s = store.get();
      const step = history.undo(hist, s.flow);
      if (!step) return;
      hist = step.history;
      apply(step.flow, "Undone");
    },

    redo() {
      const s = store.get();
      const step = history.redo(hist, s.flow);
      if (!step) return;
      hist = step.history;
      apply(step.flow, "Redone");
    },

    newFlow() {
      hist = history.createHistory();
      store.set({
        scenarioId: null,
        original: null,
        flow: emptyFlow(),
        edited: true,
        variant: "success",
        faults: {},
        trace: null,
        analysis: null,
        error: null,
        selection: null,
        selectedSpanId: null,
        hoverSpanId: null,
        drawerOpen: false,
        flowRev: (store.get().flowRev || 0) + 1,
        fitRequest: (store.get().fitRequest || 0) + 1,
        canUndo: false,
        canRedo: false,
      });
    },

    revert() {
      const s = store.get();
      if (!s.original) return;
      hist = history.record(hist, s.flow, { now: performance.now() });
      store.set({ flow: s.original, edited: false, flowRev: (s.flowRev || 0) + 1, selection: null });
      syncHistoryFlags();
      actions.notify("Back to the scenario as written.");
    },

    resetLayout() {
      const s = store.get();
      if (!s.flow || !s.original) {
        store.set({ fitRequest: (s.fitRequest || 0) + 1 });
        return;
      }
      const next = resetLayout(s.flow, s.original);
      if (next.nodes.some((n, i) => n !== s.flow.nodes[i])) actions.editFlow(next, { label: "Layout reset" });
      store.set({ fitRequest: (store.get().fitRequest || 0) + 1 });
    },

    fit() {
      store.set({ fitRequest: (store.get().fitRequest || 0) + 1 });
    },

    select(selection) {
      store.set({ selection });
    },

    play() {
      const s = store.get();
      if (!s.trace) return;
      const atEnd = s.cursorMs >= (s.traceEndMs || 0) - 1e-9;
      store.set({ playing: true, ...(atEnd ? { cursorMs: 0 } : {}) });
    },

    pause() {
      store.set({ playing: false });
    },

    togglePlay() {
      if (store.get().playing) actions.pause();
      else actions.play();
    },

    restart() {
      store.set({ cursorMs: 0, playing: Boolean(store.get().trace) });
    },

    seek(cursorMs) {
      store.set({ cursorMs: Math.max(0, cursorMs) });
    },

    setSpeed(speed) {
      if (SPEEDS.includes(speed)) store.set({ speed });
    },

    setTheme(theme) {
      store.set({ theme });
    },

    toggleTheme() {
      actions.setTheme(store.get().theme === "light" ? "dark" : "light");
    },

    setPanel(panel) {
      store.set({ panel });
    },

    toggleDrawer(open) {
      store.set({ drawerOpen: open === undefined ? !store.get().drawerOpen : Boolean(open) });
    },

    notify(message, tone = "info") {
      store.set({ notice: { message, tone, at: performance.now() } });
    },
  };

  function apply(next, label) {
    const s = store.get();
    const structural = structureKey(next) !== structureKey(s.flow);
    const patch = { flow: next, edited: s.original ? next !== s.original : true };
    if (structural) patch.flowRev = (s.flowRev || 0) + 1;
    store.set(patch);
    syncHistoryFlags();
    if (label) actions.notify(label);
  }

  return actions;
}
