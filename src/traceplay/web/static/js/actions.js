// Actions up: every change the UI makes to the app state goes through here, so components stay
// simple and the rules (what re-runs the simulation, what is undoable, what goes in the address
// bar) live in one place. session.js reacts to the resulting state.

import { createCommandStack, fromEdit } from "./flows/commands.js";
import { emptyFlow, resetLayout, structureKey } from "./logic/flowedit.js";

export const VARIANTS = ["success", "slow", "error"];
export const SPEEDS = [0.25, 0.5, 1, 2, 4];
export const FAULT_KINDS = ["slow", "down", "timeout", "error"];

export function createActions(store) {
  const hist = createCommandStack(); // undo/redo as command objects (flows/commands.js)

  function syncHistoryFlags() {
    store.set({ canUndo: hist.canUndo(), canRedo: hist.canRedo() });
  }

  const actions = {
    selectScenario(id) {
      const s = store.get();
      if (s.scenarioId === id && !s.edited) return;
      hist.clear();
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
      hist.push(fromEdit(s.flow, next, { key, label }), performance.now());
      apply(next, label);
    },

    // What undo and redo would do, most recent last (for tests and the devtools).
    historyLabels() {
      return hist.labels();
    },

    // Run a command object ({execute, undo, label, key}) on the flow and record it.
    execute(command) {
      const s = store.get();
      if (!s.flow) return;
      const next = command.execute(s.flow);
      hist.push(command, performance.now());
      apply(next, command.label);
    },

    // Open a flow that is not a built-in (a custom flow): no template behind it, its own faults.
    openFlow(flow, { faults = {}, variant = "success", keepHistory = false, fit = true, extra = {} } = {}) {
      const s = store.get();
      if (!keepHistory) hist.clear();
      store.set({
        scenarioId: null,
        original: null,
        flow,
        edited: false,
        variant,
        faults,
        error: null,
        selection: null,
        selectedSpanId: null,
        hoverSpanId: null,
        drawerOpen: false,
        flowRev: (s.flowRev || 0) + 1,
        fitRequest: fit ? (s.fitRequest || 0) + 1 : s.fitRequest,
        ...extra,
      });
      syncHistoryFlags();
    },

    undo() {
      const s = store.get();
      const step = hist.undo(s.flow);
      if (!step) return;
      apply(step.flow, `Undone: ${step.command.label}`);
    },

    redo() {
      const s = store.get();
      const step = hist.redo(s.flow);
      if (!step) return;
      apply(step.flow, `Redone: ${step.command.label}`);
    },

    newFlow() {
      hist.clear();
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
      hist.push(fromEdit(s.flow, s.original, { label: "Revert" }), performance.now());
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
