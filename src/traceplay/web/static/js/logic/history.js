// Undo/redo of canvas edits as snapshots of the (immutable) flow. Pure: every function returns a
// new history. Rapid moves of the same node merge into one step, like three.js editor's commands.

const LIMIT = 100;

export function createHistory() {
  return { past: [], future: [], lastKey: null, lastAt: 0 };
}

// Record `before` as the state to return to. key + now let a burst of the same edit merge.
export function record(history, before, { key = null, now = 0, mergeMs = 800 } = {}) {
  if (key && key === history.lastKey && now - history.lastAt < mergeMs) {
    return { ...history, lastAt: now, future: [] };
  }
  const past = [...history.past, before].slice(-LIMIT);
  return { past, future: [], lastKey: key, lastAt: now };
}

export function canUndo(history) {
  return history.past.length > 0;
}

export function canRedo(history) {
  return history.future.length > 0;
}

// -> {history, flow} (flow: what to restore) or null when there is nothing to undo
export function undo(history, current) {
  if (!history.past.length) return null;
  const flow = history.past[history.past.length - 1];
  return {
    flow,
    history: { past: history.past.slice(0, -1), future: [current, ...history.future], lastKey: null, lastAt: 0 },
  };
}

export function redo(history, current) {
  if (!history.future.length) return null;
  const [flow, ...future] = history.future;
  return { flow, history: { past: [...history.past, current], future, lastKey: null, lastAt: 0 } };
}
