// Pure edits of a flow document: each takes a flow and returns a NEW flow (the input is never
// mutated), so the store can compare by reference and the history can keep snapshots.
// Removing a node or an edge also removes what points at it (edges, variant overrides, finding
// references, entry/fault_node), so the edited flow stays valid for the server.

const ID_SAFE = /[^A-Za-z0-9_.:-]+/g;

export function uniqueId(base, taken) {
  let clean = String(base || "node").replace(ID_SAFE, "-").replace(/^[^A-Za-z0-9]+/, "") || "node";
  clean = clean.slice(0, 90);
  if (!taken.has(clean)) return clean;
  for (let i = 2; ; i++) {
    const id = `${clean}-${i}`;
    if (!taken.has(id)) return id;
  }
}

function takenIds(flow) {
  const ids = new Set();
  for (const n of flow.nodes || []) ids.add(n.id);
  for (const e of flow.edges || []) ids.add(e.id);
  return ids;
}

export function emptyFlow(name = "Untitled flow") {
  return { id: "untitled", name, description: "", nodes: [], edges: [], variants: {} };
}

export function moveNode(flow, id, x, y) {
  const rx = Math.round(x);
  const ry = Math.round(y);
  return {
    ...flow,
    nodes: flow.nodes.map((n) => (n.id === id && (n.x !== rx || n.y !== ry) ? { ...n, x: rx, y: ry } : n)),
  };
}

// component: a catalogue entry {id, name}. Returns {flow, id}.
export function addNode(flow, component, x, y) {
  const id = uniqueId(component.id, takenIds(flow));
  const sameKind = flow.nodes.filter((n) => n.component === component.id).length;
  const label = sameKind ? `${shortName(component.name)} ${sameKind + 1}` : shortName(component.name);
  const node = { id, component: component.id, label, x: Math.round(x), y: Math.round(y) };
  return { flow: { ...flow, nodes: [...flow.nodes, node] }, id };
}

function shortName(name) {
  return String(name || "").replace(/\s*\(.*\)\s*$/, "") || "Node";
}

// Why an edge source -> target cannot be added, or null when it can.
export function connectProblem(flow, source, target) {
  const ids = new Set(flow.nodes.map((n) => n.id));
  if (!ids.has(source) || !ids.has(target)) return "Both ends must be nodes of this flow.";
  if (source === target) return "A node cannot call itself here (a loop needs a repeat count).";
  const loop = pathBetween(flow, target, source);
  if (loop) return `That would close a loop: ${[...loop, target].join(" → ")}.`;
  return null;
}

// A path of node ids from `from` to `to` along edges that do not repeat, or null. Iterative BFS.
export function pathBetween(flow, from, to) {
  const out = new Map();
  for (const e of flow.edges) {
    if ((e.repeat || 1) >= 2) continue;
    if (!out.has(e.source)) out.set(e.source, []);
    out.get(e.source).push(e.target);
  }
  const prev = new Map([[from, null]]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i];
    if (node === to) {
      const path = [];
      for (let n = to; n !== null; n = prev.get(n)) path.push(n);
      return path.reverse();
    }
    for (const next of out.get(node) || []) {
      if (!prev.has(next)) {
        prev.set(next, node);
        queue.push(next);
      }
    }
  }
  return null;
}

// Returns {flow, id}; throws Error(connectProblem) when the edge is not allowed.
export function connect(flow, source, target, { operation, mode } = {}) {
  const problem = connectProblem(flow, source, target);
  if (problem) throw new Error(problem);
  const id = uniqueId(`${source}-${target}`, takenIds(flow));
  const steps = flow.edges.filter((e) => e.source === source).map((e) => e.step || 0);
  const targetNode = flow.nodes.find((n) => n.id === target);
  const edge = {
    id,
    source,
    target,
    operation: operation || `call ${(targetNode && targetNode.label) || target}`,
    step: steps.length ? Math.max(...steps) + 1 : 0,
  };
  if (mode) edge.mode = mode;
  return { flow: { ...flow, edges: [...flow.edges, edge] }, id };
}

export function removeEdge(flow, id) {
  return scrub({ ...flow, edges: flow.edges.filter((e) => e.id !== id) }, new Set(), new Set([id]));
}

export function removeNode(flow, id) {
  const goneEdges = new Set(flow.edges.filter((e) => e.source === id || e.target === id).map((e) => e.id));
  return scrub(
    {
      ...flow,
      nodes: flow.nodes.filter((n) => n.id !== id),
      edges: flow.edges.filter((e) => !goneEdges.has(e.id)),
    },
    new Set([id]),
    goneEdges,
  );
}

// Drop every reference to removed nodes/edges from the variants and the flow's own fields.
function scrub(flow, nodes, edges) {
  const out = { ...flow };
  if (out.entry && nodes.has(out.entry)) out.entry = null;
  if (out.fault_node && nodes.has(out.fault_node)) out.fault_node = null;
  const variants = {};
  for (const [name, v] of Object.entries(flow.variants || {})) {
    variants[name] = {
      ...v,
      nodes: omit(v.nodes, nodes),
      edges: omit(v.edges, edges),
      findings: (v.findings || []).map((f) => ({
        ...f,
        nodes: (f.nodes || []).filter((n) => !nodes.has(n)),
        edges: (f.edges || []).filter((e) => !edges.has(e)),
      })),
    };
  }
  out.variants = variants;
  return out;
}

function omit(map, keys) {
  const out = {};
  for (const [k, v] of Object.entries(map || {})) if (!keys.has(k)) out[k] = v;
  return out;
}

// Positions of `original` for every node it has; nodes the learner added keep theirs.
export function resetLayout(flow, original) {
  const at = new Map((original.nodes || []).map((n) => [n.id, n]));
  return {
    ...flow,
    nodes: flow.nodes.map((n) => (at.has(n.id) ? { ...n, x: at.get(n.id).x, y: at.get(n.id).y } : n)),
  };
}

// What distinguishes flows for the engine: everything but positions. Layout moves do not re-run.
export function structureKey(flow) {
  if (!flow) return "";
  return JSON.stringify({ ...flow, nodes: flow.nodes.map(({ x: _x, y: _y, ...rest }) => rest) });
}
