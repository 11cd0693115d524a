// The span tree of a Trace, for the waterfall and the spans list. Pure functions: no DOM, no state.
//
// Everything is index based (typed arrays over `trace.spans`) and every walk is iterative, because a
// trace may hold 100,000 spans in a single chain. Siblings are ordered by start time (ties keep their
// order in the trace), like traceplay's Trace.walk() on the server.
//
// A subtree is contiguous in `order` (depth-first pre-order): span i occupies positions
// pos[i] .. pos[i] + size[i] - 1, which makes collapsing and revealing O(visible rows).

const EPS = 1e-9;

/** Build the tree. Spans whose parent is missing (or that only reach themselves) become roots. */
export function buildTree(trace) {
  const spans = (trace && trace.spans) || [];
  const n = spans.length;
  const index = new Map();
  for (let i = n - 1; i >= 0; i--) index.set(spans[i].span_id, i); // backwards: the first of a duplicated id wins

  // children lists in CSR form (childStart[i] .. childStart[i + 1]), sorted by start time
  const declared = new Int32Array(n).fill(-1);
  const counts = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const p = spans[i].parent_id == null ? undefined : index.get(spans[i].parent_id);
    if (p !== undefined && p !== i) {
      declared[i] = p;
      counts[p + 1]++;
    }
  }
  const childStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) childStart[i + 1] = childStart[i] + counts[i + 1];
  const childList = new Int32Array(childStart[n]);
  const fill = childStart.slice(0, n);
  for (let i = 0; i < n; i++) if (declared[i] >= 0) childList[fill[declared[i]]++] = i;
  for (let i = 0; i < n; i++) {
    const a = childStart[i];
    const b = childStart[i + 1];
    if (b - a > 1) sortByStart(childList, a, b, spans);
  }

  const parent = new Int32Array(n).fill(-1);
  const depth = new Int32Array(n);
  const order = new Int32Array(n);
  const pos = new Int32Array(n).fill(-1);
  const roots = [];
  let k = 0;
  const stack = [];
  const visit = (root) => {
    stack.push(root);
    depth[root] = 0;
    parent[root] = -1;
    while (stack.length) {
      const i = stack.pop();
      if (pos[i] >= 0) continue; // a duplicated id or a parent cycle must not loop
      pos[i] = k;
      order[k++] = i;
      for (let c = childStart[i + 1] - 1; c >= childStart[i]; c--) {
        const child = childList[c];
        if (pos[child] >= 0) continue;
        parent[child] = i;
        depth[child] = depth[i] + 1;
        stack.push(child);
      }
    }
  };
  const rootCandidates = [];
  for (let i = 0; i < n; i++) if (declared[i] < 0) rootCandidates.push(i);
  rootCandidates.sort((a, b) => spans[a].start_ms - spans[b].start_ms || a - b);
  for (const r of rootCandidates) {
    roots.push(r);
    visit(r);
  }
  for (let i = 0; i < n; i++) {
    if (pos[i] < 0) {
      // only reachable through a parent cycle: show it as a root rather than lose it
      roots.push(i);
      visit(i);
    }
  }

  const size = new Int32Array(n).fill(1);
  let maxDepth = 0;
  for (let j = n - 1; j >= 0; j--) {
    const i = order[j];
    if (parent[i] >= 0) size[parent[i]] += size[i];
    if (depth[i] > maxDepth) maxDepth = depth[i];
  }

  let errorCount = 0;
  for (let i = 0; i < n; i++) if (spans[i].status === "error") errorCount++;

  return {
    trace,
    spans,
    count: n,
    index,
    parent,
    depth,
    order,
    pos,
    size,
    roots,
    childStart,
    childList,
    maxDepth,
    errorCount,
    selfMs: selfTimes(spans, childStart, childList, parent),
    afterResponse: afterResponseFlags(trace, spans),
  };
}

function sortByStart(list, a, b, spans) {
  const part = Array.from(list.subarray(a, b));
  part.sort((x, y) => spans[x].start_ms - spans[y].start_ms || x - y);
  list.set(part, a);
}

/** Each span's own time: its duration minus the union of its (actual) children's time inside it. */
function selfTimes(spans, childStart, childList, parent) {
  const n = spans.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = spans[i];
    const start = s.start_ms;
    const end = s.start_ms + s.duration_ms;
    let covered = 0;
    let curA = 0;
    let curB = -Infinity;
    for (let c = childStart[i]; c < childStart[i + 1]; c++) {
      const child = childList[c];
      if (parent[child] !== i) continue;
      const a = Math.max(start, spans[child].start_ms);
      const b = Math.min(end, spans[child].start_ms + spans[child].duration_ms);
      if (b <= a) continue;
      if (a > curB) {
        if (curB > curA) covered += curB - curA;
        curA = a;
        curB = b;
      } else if (b > curB) {
        curB = b;
      }
    }
    if (curB > curA) covered += curB - curA;
    out[i] = Math.max(0, s.duration_ms - covered);
  }
  return out;
}

/** 1 when a span ends after the response was sent (work the caller did not wait for), 2 when it
 * also starts after it; 0 otherwise. */
function afterResponseFlags(trace, spans) {
  const n = spans.length;
  const out = new Uint8Array(n);
  const response = trace ? Number(trace.response_ms) : NaN;
  if (!(response > 0)) return out;
  for (let i = 0; i < n; i++) {
    const s = spans[i];
    if (s.start_ms + s.duration_ms > response + EPS) out[i] = s.start_ms >= response - EPS ? 2 : 1;
  }
  return out;
}

/** Does span i have children? */
export function hasChildren(tree, i) {
  return tree.size[i] > 1;
}

/** The rows shown (span indices in tree order), skipping the subtrees of `collapsed` span indices. */
export function visibleRows(tree, collapsed) {
  const n = tree.count;
  if (!collapsed || collapsed.size === 0) return tree.order;
  const out = new Int32Array(n);
  let m = 0;
  for (let k = 0; k < n; k++) {
    const i = tree.order[k];
    out[m++] = i;
    if (collapsed.has(i)) k += tree.size[i] - 1;
  }
  return out.subarray(0, m);
}

/** Row position of each span index in `rows` (-1 when hidden). */
export function rowPositions(tree, rows) {
  const out = new Int32Array(tree.count).fill(-1);
  for (let r = 0; r < rows.length; r++) out[rows[r]] = r;
  return out;
}

/** Ancestors of span i, nearest first. */
export function ancestors(tree, i) {
  const out = [];
  for (let p = tree.parent[i]; p >= 0; p = tree.parent[p]) out.push(p);
  return out;
}

/** Remove the ancestors of span i from `collapsed` (a Set of indices) so that i is shown. */
export function reveal(tree, collapsed, i) {
  let changed = false;
  for (const a of ancestors(tree, i)) changed = collapsed.delete(a) || changed;
  return changed;
}

/** The collapsed set that shows spans down to `depth` (0: roots only). */
export function collapseBelow(tree, depth) {
  const out = new Set();
  for (let i = 0; i < tree.count; i++) if (tree.depth[i] >= depth && tree.size[i] > 1) out.add(i);
  return out;
}

/** Was span i reached asynchronously (a follows_from link, or a consumer of a queue)? */
export function isAsync(span) {
  if (span.kind === "consumer") return true;
  return (span.links || []).some((l) => l.type === "follows_from");
}

/** Does the span mention `query` (lower case) in its service, operation, ids, error, attributes or events? */
export function matchSpan(span, query) {
  if (!query) return true;
  const has = (v) => v != null && String(v).toLowerCase().includes(query);
  if (has(span.service) || has(span.operation) || has(span.span_id) || has(span.node_id)) return true;
  if (has(span.error) || has(span.kind) || has(span.component)) return true;
  for (const [k, v] of Object.entries(span.attributes || {})) if (has(k) || has(v)) return true;
  for (const e of span.events || []) if (has(e.name)) return true;
  return false;
}

/**
 * Rows for a filter: the spans `keep(span)` accepts, with their ancestors for context, in tree order.
 * Returns {rows, matches (Uint8Array: 1 for a span the filter accepted), matchCount}.
 */
export function filterRows(tree, keep) {
  const n = tree.count;
  const matches = new Uint8Array(n);
  const include = new Uint8Array(n);
  let matchCount = 0;
  for (let i = 0; i < n; i++) {
    if (!keep(tree.spans[i])) continue;
    matches[i] = 1;
    matchCount++;
    for (let p = i; p >= 0 && !include[p]; p = tree.parent[p]) include[p] = 1;
  }
  const out = new Int32Array(n);
  let m = 0;
  for (let k = 0; k < n; k++) if (include[tree.order[k]]) out[m++] = tree.order[k];
  return { rows: out.subarray(0, m), matches, matchCount };
}
