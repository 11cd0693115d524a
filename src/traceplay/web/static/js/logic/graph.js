// What the canvas shows about a flow and its trace, computed once per trace (pure):
// edge modes, per-node and per-edge status, duration badges and the call order numbers.

// An edge's mode: as written, else async when either end is a broker (catalogue mode "async").
export function edgeMode(edge, nodesById, componentsById) {
  if (edge.mode) return edge.mode;
  for (const end of [edge.target, edge.source]) {
    const node = nodesById.get(end);
    const comp = node && componentsById.get(node.component);
    if (comp && comp.mode === "async") return "async";
  }
  return "sync";
}

// {nodes: Map id -> {status, calls, totalMs, firstSpanId, errors}, edges: Map id -> {status, order,
//  calls, firstSpanId}} — status is "error" | "slow" | "ok" | "idle" (not called in this run).
export function traceView(flow, trace, analysis, faults = {}, { variant = null, componentsById = new Map() } = {}) {
  const nodes = new Map();
  const edges = new Map();
  for (const n of (flow && flow.nodes) || []) nodes.set(n.id, blank());
  for (const e of (flow && flow.edges) || []) edges.set(e.id, { ...blank(), order: null });
  if (!trace) return { nodes, edges, bottleneckNode: null };

  const spans = [...trace.spans].sort((a, b) => a.start_ms - b.start_ms);
  const byId = new Map(spans.map((s) => [s.span_id, s]));
  for (const s of spans) {
    const n = s.node_id && nodes.get(s.node_id);
    if (n) add(n, s);
    const e = s.edge_id && edges.get(s.edge_id);
    if (e) add(e, s);
  }
  let order = 0;
  const ordered = [...edges.entries()]
    .filter(([, e]) => e.calls > 0)
    .sort((a, b) => a[1].firstStart - b[1].firstStart);
  for (const [, e] of ordered) e.order = ++order;

  const bottleneck = analysis && analysis.bottleneck ? byId.get(analysis.bottleneck) : null;
  const bottleneckNode = bottleneck ? bottleneck.node_id : null;
  const slowNodes = slowNodeIds(flow, variant, faults, componentsById, bottleneckNode);
  for (const [id, n] of nodes) {
    n.status = statusOf(n, slowNodes.has(id));
    n.fault = faults[id] || null;
  }
  for (const e of edges.values()) {
    const edge = flow.edges.find((x) => x.id === e.id);
    e.status = statusOf(e, false);
    if (e.status === "ok" && edge && slowNodes.has(edge.target)) e.status = "slow";
  }
  return { nodes, edges, bottleneckNode };
}

// Which nodes are slow in this run: an injected `slow` fault; a node whose authored variant makes
// it slower than its usual latency; and, for a flow without authored variants, the bottleneck of
// its generated slow variant. (The bottleneck of a fast or failing trace is not "slow".)
export function slowNodeIds(flow, variant, faults, componentsById, bottleneckNode) {
  const out = new Set();
  for (const [id, kind] of Object.entries(faults || {})) if (kind === "slow") out.add(id);
  const authored = flow && flow.variants ? flow.variants[variant] : null;
  if (authored) {
    for (const [id, ov] of Object.entries(authored.nodes || {})) {
      const node = flow.nodes.find((n) => n.id === id);
      if (!node || ov.latency_ms === null || ov.latency_ms === undefined) continue;
      const comp = componentsById.get(node.component);
      const usual = node.latency_ms ?? (comp ? comp.latency_ms : 0);
      if (ov.latency_ms > usual * 1.5 && ov.latency_ms - usual >= 5) out.add(id);
    }
  } else if (variant === "slow" && bottleneckNode) {
    out.add(bottleneckNode);
  }
  return out;
}

function blank() {
  return {
    status: "idle",
    calls: 0,
    totalMs: 0,
    firstSpanId: null,
    firstStart: Infinity,
    errors: 0,
    error: null,
    spanIds: new Set(),
  };
}

function add(entry, s) {
  entry.calls += 1;
  entry.totalMs += s.duration_ms;
  entry.spanIds.add(s.span_id);
  if (s.start_ms < entry.firstStart) {
    entry.firstStart = s.start_ms;
    entry.firstSpanId = s.span_id;
  }
  if (s.status === "error") {
    entry.errors += 1;
    if (!entry.error) entry.error = s.error || "error";
  }
}

function statusOf(entry, slow) {
  if (!entry.calls) return "idle";
  if (entry.errors) return "error";
  return slow ? "slow" : "ok";
}
