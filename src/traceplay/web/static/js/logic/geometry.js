// Pure canvas geometry: node boxes, edge paths (cubic Béziers), points along them, pan/zoom and
// fit-to-view math. No DOM: every function takes and returns plain numbers and objects.

export const NODE_W = 160;
export const NODE_H = 56;
export const MIN_SCALE = 0.08;
export const MAX_SCALE = 2.5;
const LANE_GAP = 44; // spread between parallel edges of one node pair

// A node's box; node.x/node.y is the top-left corner in flow coordinates.
export function nodeBox(node) {
  const x = Number(node.x) || 0;
  const y = Number(node.y) || 0;
  return { x, y, w: NODE_W, h: NODE_H, cx: x + NODE_W / 2, cy: y + NODE_H / 2 };
}

// Where the line from a box's centre towards (tx, ty) leaves the box.
export function boxAnchor(box, tx, ty) {
  const dx = tx - box.cx;
  const dy = ty - box.cy;
  if (dx === 0 && dy === 0) return { x: box.cx, y: box.cy };
  const sx = dx === 0 ? Infinity : box.w / 2 / Math.abs(dx);
  const sy = dy === 0 ? Infinity : box.h / 2 / Math.abs(dy);
  const s = Math.min(sx, sy);
  return { x: box.cx + dx * s, y: box.cy + dy * s };
}

// The Bézier of an edge from box a to box b. lane/lanes spread parallel edges apart.
export function edgeCurve(a, b, lane = 0, lanes = 1) {
  if (a === b || (a.x === b.x && a.y === b.y)) return loopCurve(a, lane);
  const offset = (lane - (lanes - 1) / 2) * LANE_GAP;
  const dx = b.cx - a.cx;
  const dy = b.cy - a.cy;
  const len = Math.hypot(dx, dy) || 1;
  const nx = -dy / len; // unit normal
  const ny = dx / len;
  const p0 = boxAnchor(a, b.cx + nx * offset, b.cy + ny * offset);
  const p3 = boxAnchor(b, a.cx + nx * offset, a.cy + ny * offset);
  p0.x += nx * offset * 0.35;
  p0.y += ny * offset * 0.35;
  p3.x += nx * offset * 0.35;
  p3.y += ny * offset * 0.35;
  const horizontal = Math.abs(dx) >= Math.abs(dy);
  const reach = Math.max(30, (horizontal ? Math.abs(p3.x - p0.x) : Math.abs(p3.y - p0.y)) * 0.45);
  const sgnX = Math.sign(p3.x - p0.x) || 1;
  const sgnY = Math.sign(p3.y - p0.y) || 1;
  const c1 = horizontal
    ? { x: p0.x + sgnX * reach, y: p0.y + bend(offset, ny) }
    : { x: p0.x + bend(offset, nx), y: p0.y + sgnY * reach };
  const c2 = horizontal
    ? { x: p3.x - sgnX * reach, y: p3.y + bend(offset, ny) }
    : { x: p3.x + bend(offset, nx), y: p3.y - sgnY * reach };
  return { p0, c1, c2, p3 };
}

function bend(offset, normal) {
  return offset * normal * 0.9;
}

// A repeat edge back to the same node: a loop over its top.
function loopCurve(box, lane) {
  const r = 34 + lane * 12;
  const p0 = { x: box.cx + 24, y: box.y };
  const p3 = { x: box.cx - 24, y: box.y };
  return { p0, c1: { x: p0.x + r, y: p0.y - r * 1.6 }, c2: { x: p3.x - r, y: p3.y - r * 1.6 }, p3 };
}

export function curvePath(c) {
  const f = (n) => Math.round(n * 10) / 10;
  return `M${f(c.p0.x)},${f(c.p0.y)} C${f(c.c1.x)},${f(c.c1.y)} ${f(c.c2.x)},${f(c.c2.y)} ${f(c.p3.x)},${f(c.p3.y)}`;
}

// The point at t ∈ [0, 1] along a curve.
export function curvePoint(c, t) {
  const u = 1 - t;
  const a = u * u * u;
  const b = 3 * u * u * t;
  const d = 3 * u * t * t;
  const e = t * t * t;
  return {
    x: a * c.p0.x + b * c.c1.x + d * c.c2.x + e * c.p3.x,
    y: a * c.p0.y + b * c.c1.y + d * c.c2.y + e * c.p3.y,
  };
}

// Direction (radians) of the curve at t: where an arrow head points.
export function curveAngle(c, t) {
  const u = 1 - t;
  const dx = 3 * u * u * (c.c1.x - c.p0.x) + 6 * u * t * (c.c2.x - c.c1.x) + 3 * t * t * (c.p3.x - c.c2.x);
  const dy = 3 * u * u * (c.c1.y - c.p0.y) + 6 * u * t * (c.c2.y - c.c1.y) + 3 * t * t * (c.p3.y - c.c2.y);
  return Math.atan2(dy, dx);
}

// Parallel edges between the same pair (either direction) get lanes so they do not overlap.
export function assignLanes(edges) {
  const groups = new Map();
  for (const e of edges) {
    const key = e.source < e.target ? `${e.source}\u0000${e.target}` : `${e.target}\u0000${e.source}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(e);
  }
  const lanes = new Map();
  for (const group of groups.values()) {
    group.forEach((e, i) => {
      // an edge drawn the other way round has its normal flipped: mirror its lane
      const flipped = e.source > e.target;
      const lane = flipped ? group.length - 1 - i : i;
      lanes.set(e.id, { lane, lanes: group.length });
    });
  }
  return lanes;
}

export function boundsOf(boxes) {
  if (!boxes.length) return null;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const b of boxes) {
    x0 = Math.min(x0, b.x);
    y0 = Math.min(y0, b.y);
    x1 = Math.max(x1, b.x + b.w);
    y1 = Math.max(y1, b.y + b.h);
  }
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

export function clampScale(k) {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, k));
}

// The view {x, y, k} (screen = world * k + (x, y)) that fits `bounds` into a viewport.
export function fitView(bounds, width, height, { padding = 40, maxScale = 1.25 } = {}) {
  if (!bounds || width <= 0 || height <= 0) return { x: 0, y: 0, k: 1 };
  const pad = Math.min(padding, width / 6, height / 6);
  const k = clampScale(
    Math.min((width - 2 * pad) / Math.max(bounds.w, 1), (height - 2 * pad) / Math.max(bounds.h, 1), maxScale),
  );
  return {
    x: (width - bounds.w * k) / 2 - bounds.x * k,
    y: (height - bounds.h * k) / 2 - bounds.y * k,
    k,
  };
}

// Zoom by `factor` keeping the screen point (px, py) fixed.
export function zoomAt(view, factor, px, py) {
  const k = clampScale(view.k * factor);
  const f = k / view.k;
  return { x: px - (px - view.x) * f, y: py - (py - view.y) * f, k };
}

export function screenToWorld(view, px, py) {
  return { x: (px - view.x) / view.k, y: (py - view.y) / view.k };
}

export function worldToScreen(view, wx, wy) {
  return { x: wx * view.k + view.x, y: wy * view.k + view.y };
}

// Pinch: the view after two pointers moved from (a0, b0) to (a1, b1).
export function pinchView(view, a0, b0, a1, b1) {
  const d0 = Math.hypot(b0.x - a0.x, b0.y - a0.y) || 1;
  const d1 = Math.hypot(b1.x - a1.x, b1.y - a1.y) || 1;
  const m0 = { x: (a0.x + b0.x) / 2, y: (a0.y + b0.y) / 2 };
  const m1 = { x: (a1.x + b1.x) / 2, y: (a1.y + b1.y) / 2 };
  const zoomed = zoomAt(view, d1 / d0, m0.x, m0.y);
  return { x: zoomed.x + (m1.x - m0.x), y: zoomed.y + (m1.y - m0.y), k: zoomed.k };
}
