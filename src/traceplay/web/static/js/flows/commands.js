// Undo / redo as command objects. A command is {type, label, key, execute(flow) -> flow,
// undo(flow) -> flow, merge?(next) -> command}: `execute` turns the flow it was made on into the
// edited one, `undo` the other way round. The stack applies them in strict order, so a command's
// undo always meets the flow its execute produced.
//
// The canvas edits through actions.editFlow(next): fromEdit(before, after) names the edit
// (add node, move, connect, delete node, delete edge, rename) and builds its command; anything else
// becomes a "replace" command holding both flows. Moves of the same node within MERGE_MS merge into
// one step, so a burst of drags (or arrow-key nudges) is undone at once.

import { moveNode, removeEdge, removeNode } from "../logic/flowedit.js";

export const MERGE_MS = 800;
const LIMIT = 200;
const META = ["id", "name", "description"];

// ------------------------------------------------------------------ the commands

export function addNodeCommand(node, label = `Add ${node.label || node.id}`) {
  return {
    type: "add-node", label, key: null,
    execute: (flow) => ({ ...flow, nodes: [...flow.nodes, node] }),
    undo: (flow) => removeNode(flow, node.id),
  };
}

export function moveNodeCommand(id, from, to, key = `move:${id}`) {
  return {
    type: "move", label: `Move ${id}`, key, id, from, to,
    execute: (flow) => moveNode(flow, id, to.x, to.y),
    undo: (flow) => moveNode(flow, id, from.x, from.y),
    merge(next) {
      return next.type === "move" && next.id === id ? moveNodeCommand(id, from, next.to, key) : null;
    },
  };
}

export function connectCommand(edge, label = `Connect ${edge.source} → ${edge.target}`) {
  return {
    type: "connect", label, key: null,
    execute: (flow) => ({ ...flow, edges: [...flow.edges, edge] }),
    undo: (flow) => ({ ...flow, edges: flow.edges.filter((e) => e.id !== edge.id) }),
  };
}

// Deleting also scrubs the variants, entry and fault_node: undo puts back what `before` had.
export function deleteNodeCommand(before, id) {
  const index = before.nodes.findIndex((n) => n.id === id);
  const node = before.nodes[index];
  return {
    type: "delete-node", label: `Delete ${node ? node.label || id : id}`, key: null,
    execute: (flow) => removeNode(flow, id),
    undo: (flow) => ({ ...restoreRefs(flow, before), nodes: insertAt(flow.nodes, index, node), edges: before.edges }),
  };
}

export function deleteEdgeCommand(before, id) {
  const index = before.edges.findIndex((e) => e.id === id);
  const edge = before.edges[index];
  return {
    type: "delete-edge", label: `Delete the call ${edge ? `${edge.source} → ${edge.target}` : id}`, key: null,
    execute: (flow) => removeEdge(flow, id),
    undo: (flow) => ({ ...restoreRefs(flow, before), edges: insertAt(flow.edges, index, edge) }),
  };
}

export function renameCommand(from, to) {
  return {
    type: "rename", label: `Rename to “${to.name}”`, key: null,
    execute: (flow) => ({ ...flow, ...to }),
    undo: (flow) => ({ ...flow, ...from }),
  };
}

export function replaceCommand(before, after, { key = null, label = "Edit" } = {}) {
  return {
    type: "replace", label, key, before, after,
    execute: () => after,
    undo: () => before,
    merge(next) {
      return next.type === "replace" ? replaceCommand(before, next.after, { key, label }) : null;
    },
  };
}

// ------------------------------------------------------------------ naming an edit

// The command that turns `before` into `after` (both flows; `after` came from a flowedit function).
export function fromEdit(before, after, { key = null, label = "" } = {}) {
  const cmd = classify(before, after, key);
  if (label) cmd.label = label;
  return cmd;
}

function classify(before, after, key) {
  const bn = before.nodes;
  const an = after.nodes;
  const be = before.edges;
  const ae = after.edges;
  const metaOnly = bn === an && be === ae && META.some((k) => before[k] !== after[k]);
  if (metaOnly && sameExcept(before, after, META)) {
    return renameCommand(pick(before, META), pick(after, META));
  }
  if (an.length === bn.length + 1 && ae.length === be.length && sameIds(bn, an) && be.every((e, i) => e === ae[i])) {
    return addNodeCommand(an[an.length - 1]);
  }
  if (ae.length === be.length + 1 && sameNodes(bn, an) && be.every((e, i) => e === ae[i])) {
    return connectCommand(ae[ae.length - 1]);
  }
  if (an.length === bn.length - 1) {
    const kept = new Set(an.map((n) => n.id));
    const gone = bn.find((n) => !kept.has(n.id));
    if (gone && sameJson(removeNode(before, gone.id), after)) return deleteNodeCommand(before, gone.id);
  }
  if (ae.length === be.length - 1 && sameNodes(bn, an)) {
    const kept = new Set(ae.map((e) => e.id));
    const gone = be.find((e) => !kept.has(e.id));
    if (gone && sameJson(removeEdge(before, gone.id), after)) return deleteEdgeCommand(before, gone.id);
  }
  if (an.length === bn.length && be === ae) {
    const moved = [];
    for (let i = 0; i < an.length; i++) if (an[i] !== bn[i]) moved.push(i);
    if (moved.length === 1) {
      const a = bn[moved[0]];
      const b = an[moved[0]];
      if (a.id === b.id && sameExcept(a, b, ["x", "y"])) {
        return moveNodeCommand(a.id, { x: a.x, y: a.y }, { x: b.x, y: b.y }, key || `move:${a.id}`);
      }
    }
  }
  return replaceCommand(before, after, { key, label: "Edit" });
}

// ------------------------------------------------------------------ the stack

export function createCommandStack({ limit = LIMIT, mergeMs = MERGE_MS } = {}) {
  let past = [];
  let future = [];
  let lastAt = -Infinity;

  return {
    // Record a command already applied. A command with the same key as the last one, soon after
    // it, merges into it (one undo step).
    push(cmd, now = performance.now()) {
      const top = past[past.length - 1];
      const merged = top && cmd.key && top.key === cmd.key && now - lastAt < mergeMs && top.merge ? top.merge(cmd) : null;
      if (merged) past[past.length - 1] = merged;
      else past = [...past, cmd].slice(-limit);
      future = [];
      lastAt = now;
      return merged ? "merged" : "pushed";
    },
    undo(flow) {
      const cmd = past[past.length - 1];
      if (!cmd) return null;
      past = past.slice(0, -1);
      future = [cmd, ...future];
      lastAt = -Infinity;
      return { flow: cmd.undo(flow), command: cmd };
    },
    redo(flow) {
      const [cmd, ...rest] = future;
      if (!cmd) return null;
      future = rest;
      past = [...past, cmd];
      lastAt = -Infinity;
      return { flow: cmd.execute(flow), command: cmd };
    },
    canUndo: () => past.length > 0,
    canRedo: () => future.length > 0,
    clear() {
      past = [];
      future = [];
      lastAt = -Infinity;
    },
    labels: () => ({ undo: past.map((c) => c.label), redo: future.map((c) => c.label) }),
  };
}

// ------------------------------------------------------------------ helpers

function insertAt(list, index, item) {
  if (!item) return list;
  const out = list.slice();
  out.splice(Math.max(0, Math.min(index, out.length)), 0, item);
  return out;
}

function restoreRefs(flow, before) {
  const out = { ...flow, variants: before.variants };
  for (const k of ["entry", "fault_node"]) {
    if (k in before) out[k] = before[k];
    else delete out[k];
  }
  return out;
}

function pick(obj, keys) {
  const out = {};
  for (const k of keys) out[k] = obj[k];
  return out;
}

function sameExcept(a, b, keys) {
  const skip = new Set(keys);
  const ka = Object.keys(a).filter((k) => !skip.has(k));
  const kb = Object.keys(b).filter((k) => !skip.has(k));
  return ka.length === kb.length && ka.every((k) => a[k] === b[k]);
}

function sameIds(a, b) {
  return a.every((n, i) => n.id === b[i].id);
}

function sameNodes(a, b) {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

function sameJson(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}
