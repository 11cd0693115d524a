// What the canvas draws at one instant of trace time (pure). prepare() once per trace; then
// frameAt(prepared, cursorMs) per animation frame: which nodes are busy (lit), and a dot per call
// in flight along its edge. Dots move in PLAY time (see timewarp.js) so every call is watchable:
//   sync call   →  the request travels source→target, the target works, the reply travels back
//   async call  →  the message travels to the consumer just before its span starts; no reply
// An error reply is marked so the dot is drawn red.

const TRAVEL_S = 0.28; // seconds of play time for one hop at 1×

// edgesById: Map id -> {source, target, mode}
export function prepare(trace, edgesById, warp) {
  const items = [];
  for (const s of (trace && trace.spans) || []) {
    const edge = s.edge_id ? edgesById.get(s.edge_id) : null;
    const ps = warp.toPlay(s.start_ms);
    const pe = warp.toPlay(s.start_ms + s.duration_ms);
    const asyncCall = Boolean(edge && (edge.mode === "async" || s.kind === "consumer"));
    const travel = asyncCall ? TRAVEL_S : Math.min(TRAVEL_S, Math.max(0.04, (pe - ps) * 0.3));
    items.push({
      span: s,
      nodeId: s.node_id || null,
      edgeId: edge ? s.edge_id : null,
      async: asyncCall,
      error: s.status === "error",
      ps,
      pe,
      travel,
      from: asyncCall ? Math.max(0, ps - travel) : ps, // play-time window in which it draws
      to: pe,
    });
  }
  items.sort((a, b) => a.from - b.from);
  return { items, warp, responseMs: trace ? trace.response_ms : 0, endMs: warp.durationMs };
}

export function frameAt(prepared, cursorMs) {
  const { items, warp } = prepared;
  const pc = warp.toPlay(cursorMs);
  const active = new Map(); // node id -> "ok" | "error"
  const dots = [];
  for (const it of items) {
    if (it.from > pc) break; // sorted by start of their window
    if (pc > it.to) continue;
    const working = pc >= it.ps && pc <= it.pe;
    if (working && it.nodeId) {
      const prev = active.get(it.nodeId);
      active.set(it.nodeId, prev === "error" || (it.error && pc >= it.pe - it.travel) ? "error" : "ok");
    }
    if (!it.edgeId) continue;
    if (it.async) {
      if (pc < it.ps) dots.push({ edgeId: it.edgeId, t: (pc - it.from) / (it.ps - it.from || 1), back: false, error: false, async: true, spanId: it.span.span_id });
      continue;
    }
    if (pc <= it.ps + it.travel) {
      dots.push({ edgeId: it.edgeId, t: clamp01((pc - it.ps) / it.travel), back: false, error: false, async: false, spanId: it.span.span_id });
    } else if (pc >= it.pe - it.travel) {
      dots.push({ edgeId: it.edgeId, t: clamp01(1 - (pc - (it.pe - it.travel)) / it.travel), back: true, error: it.error, async: false, spanId: it.span.span_id });
    }
  }
  const responded = cursorMs >= prepared.responseMs;
  return {
    active,
    dots,
    responded,
    asyncAfterResponse: responded && cursorMs < prepared.endMs && prepared.endMs > prepared.responseMs,
  };
}

function clamp01(v) {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
