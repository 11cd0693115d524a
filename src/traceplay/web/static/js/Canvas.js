// The canvas: the flow as an SVG graph. Nodes show icon, label, category colour, a duration badge
// and their status (colour AND shape: a hatched box with ✕ for errors, a triangle for slow, a
// dashed outline when not called). Edges: sync solid, async dashed, numbered in call order.
// Interactions: drag to move, connect (toolbar button or a node's handle), select + Delete,
// pan (drag the background), zoom (wheel, pinch, buttons), fit, reset layout, a fault menu per
// node. The moving dots of playback are drawn by Playback.js into `layers.dots`.
//
//   const canvas = Canvas(el, store, api, actions)  ->  {curveOf(edgeId), nodeEl(id), layers, view()}

import { changed } from "./store.js";
import { h, s, clear, icon } from "./dom.js";
import { NodeMenu } from "./NodeMenu.js";
import * as geo from "./logic/geometry.js";
import { addNode, connect, connectProblem, moveNode, removeEdge, removeNode } from "./logic/flowedit.js";
import { edgeMode, traceView } from "./logic/graph.js";
import { formatMs, truncate } from "./logic/format.js";

export const COMPONENT_MIME = "application/x-traceplay-component";
const DRAG_THRESHOLD = 4;

export function Canvas(el, store, api, actions) {
  let view = { x: 0, y: 0, k: 1 };
  let userMoved = false; // after a pan/zoom we stop auto-fitting on resize
  let boxes = new Map(); // node id -> box
  let curves = new Map(); // edge id -> curve
  let nodeEls = new Map();
  let edgeEls = new Map();
  let tv = traceView(null, null, null);
  let gesture = null;
  let connectFrom = null; // connect mode: the chosen source node id
  const pointers = new Map();

  // ---------------------------------------------------------------- DOM skeleton
  const defs = s("defs", {}, arrowMarker("tp-arrow", "ok"), arrowMarker("tp-arrow-async", "async"),
    arrowMarker("tp-arrow-error", "error"), arrowMarker("tp-arrow-idle", "idle"), arrowMarker("tp-arrow-hl", "hl"),
    s("pattern", { id: "tp-hatch", width: 8, height: 8, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
      s("rect", { class: "hatch-line", x: 0, y: 0, width: 3, height: 8 })),
    s("pattern", { id: "tp-grid", width: 24, height: 24, patternUnits: "userSpaceOnUse" },
      s("circle", { class: "grid-dot", cx: 1, cy: 1, r: 1 })));
  const bg = s("rect", { class: "canvas-bg", x: 0, y: 0, width: "100%", height: "100%" });
  const edgesLayer = s("g", { class: "edges" });
  const nodesLayer = s("g", { class: "nodes" });
  const preview = s("path", { class: "connect-preview", d: "" });
  const dotsLayer = s("g", { class: "dots", "aria-hidden": "true" });
  const viewport = s("g", { class: "viewport" }, edgesLayer, nodesLayer, preview);
  // the moving dots live in their own SVG layered on top: redrawing them every frame does not
  // dirty the (large, static) graph's layout or raster
  const overlayViewport = s("g", { class: "viewport" }, dotsLayer);
  const overlay = s("svg", { class: "canvas-overlay", "aria-hidden": "true", focusable: "false" }, overlayViewport);
  // and the halo of busy nodes in one below it, so it glows around a node without covering it
  const litLayer = s("g", { class: "lit-layer" });
  const underlayViewport = s("g", { class: "viewport" }, litLayer);
  const underlay = s("svg", { class: "canvas-underlay", "aria-hidden": "true", focusable: "false" }, underlayViewport);
  const svg = s("svg", {
    class: "canvas-svg",
    role: "group",
    "aria-label": "Architecture canvas. Nodes and calls of the flow; Tab to a node, Enter to select it.",
  }, defs, bg, viewport);

  const hud = h("div", { class: "canvas-hud", "aria-live": "off" });
  const hudTime = h("span", { class: "hud-time" });
  const hudNote = h("span", { class: "hud-note" });
  hud.append(hudTime, hudNote);

  const btn = (name, label, onclick, extra = {}) =>
    h("button", { type: "button", class: "tool-button", "aria-label": label, title: label, onclick, ...extra }, icon(name));
  const connectBtn = h("button", {
    type: "button", class: "tool-button tool-connect", "aria-pressed": "false", title: "Connect two nodes (c)",
    "data-testid": "connect-button", onclick: () => setConnectMode(!store.get().connectMode),
  }, icon("link"), h("span", { class: "tool-text" }, "Connect"));
  const undoBtn = btn("undo", "Undo (Ctrl+Z)", () => actions.undo(), { "data-testid": "undo-button" });
  const redoBtn = btn("redo", "Redo (Ctrl+Shift+Z)", () => actions.redo(), { "data-testid": "redo-button" });
  const deleteBtn = btn("trash", "Delete the selection (Delete)", () => deleteSelection(), { "data-testid": "delete-button" });
  const toolbar = h("div", { class: "canvas-toolbar", role: "toolbar", "aria-label": "Canvas tools" },
    connectBtn, undoBtn, redoBtn, deleteBtn);
  const zoombar = h("div", { class: "canvas-zoombar", role: "toolbar", "aria-label": "Zoom" },
    btn("minus", "Zoom out (-)", () => zoomBy(1 / 1.25), { "data-testid": "zoom-out" }),
    btn("plus", "Zoom in (+)", () => zoomBy(1.25), { "data-testid": "zoom-in" }),
    btn("fit", "Fit to view (f)", () => fit(), { "data-testid": "fit-button" }),
    btn("reset", "Reset to the scenario's layout", () => actions.resetLayout(), { "data-testid": "reset-layout" }));

  const empty = h("div", { class: "canvas-empty", hidden: true });
  const status = h("div", { class: "canvas-status", role: "status", "aria-live": "polite" });
  const menu = NodeMenu(store, actions, { onDelete: (id) => removeNodeById(id) });
  el.classList.add("canvas");
  el.append(underlay, svg, overlay, hud, toolbar, zoombar, empty, status, menu.el);

  // ---------------------------------------------------------------- rendering
  function render() {
    const { flow, trace, analysis, faults, catalogue } = store.get();
    const comps = (catalogue && catalogue.byId) || new Map();
    tv = traceView(flow, trace, analysis, faults || {}, { variant: store.get().variant, componentsById: comps });
    clear(edgesLayer);
    clear(nodesLayer);
    nodeEls = new Map();
    edgeEls = new Map();
    boxes = new Map();
    curves = new Map();
    if (!flow) return renderEmpty(null);
    const nodesById = new Map(flow.nodes.map((n) => [n.id, n]));
    for (const n of flow.nodes) boxes.set(n.id, geo.nodeBox(n));
    const lanes = geo.assignLanes(flow.edges);
    for (const e of flow.edges) {
      const g = edgeGroup(e, edgeMode(e, nodesById, comps), tv.edges.get(e.id));
      edgeEls.set(e.id, g);
      edgesLayer.append(g.root);
      placeEdge(e, lanes.get(e.id));
    }
    for (const n of flow.nodes) {
      const g = nodeGroup(n, comps.get(n.component), tv.nodes.get(n.id));
      nodeEls.set(n.id, g);
      nodesLayer.append(g);
    }
    svg.classList.toggle("dense", flow.edges.length > 60);
    renderEmpty(flow);
    highlight();
    markSelection();
  }

  function renderEmpty(flow) {
    const isEmpty = !flow || !flow.nodes.length;
    empty.hidden = !isEmpty;
    clear(empty);
    if (!isEmpty) return;
    const { error } = store.get();
    if (!flow) {
      empty.append(h("p", { class: "empty-title" }, error ? "Nothing to show yet" : "Loading the scenario…"));
      if (error) empty.append(h("p", {}, "The message above says what went wrong; pick a scenario to go on."));
      return;
    }
    empty.append(
      h("p", { class: "empty-title" }, "An empty canvas"),
      h("p", {}, "Drag a component from the library onto the canvas — a Frontend first, then what it calls."),
      h("p", {}, "Then press ", h("kbd", {}, "c"), " (or Connect) and drag from one node to another to add a call."),
      h("p", { class: "empty-phone" }, "On a phone: open the library with ☰ and tap a component to add it."),
    );
  }

  // Every child is placed in absolute flow coordinates: no transform per node. (Hundreds of
  // transformed groups make the browser's compositing step slow on every animation frame.)
  function nodeGroup(n, comp, info) {
    const box = boxes.get(n.id);
    const x = box.x;
    const y = box.y;
    const category = comp ? comp.category : "services";
    const st = info ? info.status : "idle";
    const label = n.label || n.id;
    const durText = info && info.calls ? (info.calls > 1 ? `${info.calls}× ${formatMs(info.totalMs)}` : formatMs(info.totalMs)) : "";
    const fault = info && info.fault;
    const g = s("g", {
      class: `node cat-${category}`,
      "data-testid": "canvas-node",
      "data-node-id": n.id,
      "data-status": st,
      "data-category": category,
      "data-fault": fault || null,
      "data-x": Math.round(x),
      "data-y": Math.round(y),
      tabindex: 0,
      role: "button",
      "aria-label": `${label} (${comp ? comp.name : n.component})${durText ? `, ${durText}` : ""}${st === "error" ? ", failed" : st === "slow" ? ", slow" : st === "idle" ? ", not called" : ""}${fault ? `, fault: ${fault}` : ""}`,
    });
    const w = geo.NODE_W;
    const hgt = geo.NODE_H;
    g.append(
      s("rect", { class: "node-box", x, y, width: w, height: hgt, rx: 10 }),
      s("rect", { class: "node-hatch", x, y, width: w, height: hgt, rx: 10 }),
      s("rect", { class: "node-stripe", x, y, width: 5, height: hgt, rx: 2 }),
      s("text", { class: "node-icon", x: x + 26, y: y + hgt / 2 + 1, "text-anchor": "middle", "dominant-baseline": "central" }, comp ? comp.icon : "□"),
      s("text", { class: "node-label", x: x + 46, y: y + 24 }, truncate(label, 13)),
      s("text", { class: "node-sub", x: x + 46, y: y + 41 }, truncate(comp ? comp.name : n.component, 17)),
      s("title", {}, `${label} — ${comp ? comp.name : n.component}${info && info.error ? `\n${info.error}` : ""}`),
    );
    if (durText) {
      const bw = Math.max(44, durText.length * 6.6 + 14);
      const bx = x + w - bw + 6;
      g.append(s("g", { class: "node-badge" },
        s("rect", { x: bx, y: y - 11, width: bw, height: 20, rx: 10 }),
        s("text", { x: bx + bw / 2, y: y - 1, "text-anchor": "middle", "dominant-baseline": "central" }, durText)));
    }
    if (st === "error" || st === "slow") g.append(statusMark(st, x, y));
    if (fault) {
      g.append(s("g", { class: "node-fault" },
        s("rect", { x: x + 10, y: y + hgt - 10, width: fault.length * 6.4 + 14, height: 16, rx: 8 }),
        s("text", { x: x + 17, y: y + hgt - 2, "dominant-baseline": "central" }, fault)));
    }
    const mx = x + w - 22;
    const my = y + hgt / 2;
    const more = s("g", { class: "node-more", "data-action": "menu", "data-testid": "node-menu-button" },
      s("circle", { cx: mx, cy: my, r: 12 }), s("text", { x: mx, y: my, "text-anchor": "middle", "dominant-baseline": "central" }, "⋮"));
    const handle = s("g", { class: "node-handle", "data-action": "connect", "data-testid": "node-handle" },
      s("circle", { class: "handle-hit", cx: x + w, cy: my, r: 14 }), s("circle", { class: "handle-dot", cx: x + w, cy: my, r: 6 }));
    g.append(more, handle);
    return g;
  }

  // ✕ in a diamond for errors, ! in a triangle for slow: shape as well as colour
  function statusMark(st, x, y) {
    const p = (pts) => pts.map(([dx, dy], i) => `${i ? "L" : "M"}${x + dx},${y + dy}`).join(" ");
    if (st === "error") {
      return s("g", { class: "node-mark mark-error" },
        s("path", { class: "mark-shape", d: `${p([[0, -12], [12, 0], [0, 12], [-12, 0]])} Z` }),
        s("path", { class: "mark-glyph", d: `${p([[-4, -4], [4, 4]])} ${p([[4, -4], [-4, 4]])}` }));
    }
    return s("g", { class: "node-mark mark-slow" },
      s("path", { class: "mark-shape", d: `${p([[0, -10], [10, 8], [-10, 8]])} Z` }),
      s("path", { class: "mark-glyph", d: `${p([[0, -3], [0, 2]])} ${p([[0, 4.5], [0, 5]])}` }));
  }

  // move a node: rebuild its group at the new place (keeping the keyboard focus on it)
  function replaceNode(id) {
    const { flow, catalogue } = store.get();
    const old = nodeEls.get(id);
    const n = flow && flow.nodes.find((x) => x.id === id);
    if (!old || !n) return;
    const comps = (catalogue && catalogue.byId) || new Map();
    const g = nodeGroup(n, comps.get(n.component), tv.nodes.get(id));
    for (const cls of ["selected", "hl", "sel-span", "dragging", "connect-source"]) {
      if (old.classList.contains(cls)) g.classList.add(cls);
    }
    const focused = document.activeElement === old;
    old.replaceWith(g);
    nodeEls.set(id, g);
    if (focused) g.focus({ preventScroll: true });
  }

  function edgeGroup(e, mode, info) {
    const st = info ? info.status : "idle";
    const g = s("g", {
      class: `edge mode-${mode}`,
      "data-testid": "canvas-edge",
      "data-edge-id": e.id,
      "data-status": st,
      "data-mode": mode,
      tabindex: 0,
      role: "button",
      "aria-label": `${mode} call ${e.source} → ${e.target}${e.operation ? `: ${e.operation}` : ""}${info && info.order ? `, step ${info.order}` : ", not taken in this run"}${st === "error" ? ", failed" : ""}`,
    });
    const hit = s("path", { class: "edge-hit" });
    const line = s("path", { class: "edge-line", "marker-end": `url(#${markerFor(st, mode)})` });
    const labelText = s("text", { class: "edge-label-text", "text-anchor": "middle", "dominant-baseline": "central" }, truncate(e.operation || "", 26));
    const labelBg = s("rect", { class: "edge-label-bg", rx: 4 });
    const label = s("g", { class: "edge-label" }, labelBg, labelText);
    const order = info && info.order;
    const step = order ? s("g", { class: "edge-step" }, s("circle", { r: 9 }), s("text", { "text-anchor": "middle", "dominant-baseline": "central" }, String(order))) : null;
    const cross = st === "error" ? s("g", { class: "edge-cross" }, s("circle", { r: 7 }), s("path", {})) : null;
    g.append(hit, line, label, step, cross, s("title", {}, `${e.operation || e.id}${info && info.error ? `\n${info.error}` : ""}`));
    return { root: g, hit, line, label, labelBg, labelText, step, cross, edge: e };
  }

  function markerFor(st, mode) {
    if (st === "error") return "tp-arrow-error";
    if (st === "idle") return "tp-arrow-idle";
    return mode === "async" ? "tp-arrow-async" : "tp-arrow";
  }

  function placeEdge(e, laneInfo) {
    const els = edgeEls.get(e.id);
    const a = boxes.get(e.source);
    const b = boxes.get(e.target);
    if (!els || !a || !b) return;
    const { lane, lanes } = laneInfo || { lane: 0, lanes: 1 };
    const c = geo.edgeCurve(a, b, lane, lanes);
    curves.set(e.id, c);
    const d = geo.curvePath(c);
    els.hit.setAttribute("d", d);
    els.line.setAttribute("d", d);
    const mid = geo.curvePoint(c, 0.5);
    const text = els.labelText.textContent;
    const tw = text.length * 6.2 + 10;
    const ly = mid.y + (els.step ? 17 : 0);
    els.labelBg.setAttribute("x", mid.x - tw / 2);
    els.labelBg.setAttribute("y", ly - 8);
    els.labelBg.setAttribute("width", tw);
    els.labelBg.setAttribute("height", 16);
    els.labelText.setAttribute("x", mid.x);
    els.labelText.setAttribute("y", ly);
    const room = Math.hypot(c.p3.x - c.p0.x, c.p3.y - c.p0.y);
    els.label.style.display = text ? "" : "none";
    els.root.classList.toggle("short", room < tw + 24);
    if (els.step) {
      els.step.firstChild.setAttribute("cx", mid.x);
      els.step.firstChild.setAttribute("cy", mid.y);
      els.step.lastChild.setAttribute("x", mid.x);
      els.step.lastChild.setAttribute("y", mid.y);
    }
    if (els.cross) {
      const p = geo.curvePoint(c, 0.8);
      els.cross.firstChild.setAttribute("cx", p.x);
      els.cross.firstChild.setAttribute("cy", p.y);
      els.cross.lastChild.setAttribute("d", `M${p.x - 3},${p.y - 3} L${p.x + 3},${p.y + 3} M${p.x + 3},${p.y - 3} L${p.x - 3},${p.y + 3}`);
    }
  }

  function placeEdgesOf(nodeId) {
    const { flow } = store.get();
    const lanes = geo.assignLanes(flow.edges);
    for (const e of flow.edges) if (e.source === nodeId || e.target === nodeId) placeEdge(e, lanes.get(e.id));
  }

  function applyView() {
    const transform = `translate(${view.x},${view.y}) scale(${view.k})`;
    viewport.setAttribute("transform", transform);
    overlayViewport.setAttribute("transform", transform);
    underlayViewport.setAttribute("transform", transform);
    svg.classList.toggle("zoomed-out", view.k < 0.55);
  }

  function size() {
    const r = svg.getBoundingClientRect();
    return { w: r.width, h: r.height, left: r.left, top: r.top };
  }

  function fit() {
    const { w, h: hh } = size();
    const b = geo.boundsOf([...boxes.values()]);
    if (!b) {
      view = { x: w / 2 - 300, y: hh / 2 - 150, k: 1 };
    } else {
      // room for the badges above and the toolbar at the top
      const padded = { x: b.x - 16, y: b.y - 34, w: b.w + 48, h: b.h + 50 };
      view = geo.fitView(padded, w, hh, { padding: w < 500 ? 12 : 48, maxScale: 1.2 });
    }
    userMoved = false;
    applyView();
  }

  function zoomBy(factor, px, py) {
    const { w, h: hh } = size();
    view = geo.zoomAt(view, factor, px === undefined ? w / 2 : px, py === undefined ? hh / 2 : py);
    userMoved = true;
    applyView();
  }

  // ---------------------------------------------------------------- highlight & selection
  function spanOf(id) {
    const { trace } = store.get();
    if (!id || !trace) return null;
    return trace.spans.find((sp) => sp.span_id === id) || null;
  }

  function highlight() {
    const st = store.get();
    for (const g of nodesLayer.querySelectorAll(".hl, .sel-span")) g.classList.remove("hl", "sel-span");
    for (const g of edgesLayer.querySelectorAll(".hl, .sel-span")) g.classList.remove("hl", "sel-span");
    const mark = (span, cls) => {
      if (!span) return;
      const n = span.node_id && nodeEls.get(span.node_id);
      if (n) n.classList.add(cls);
      const e = span.edge_id && edgeEls.get(span.edge_id);
      if (e) e.root.classList.add(cls);
    };
    mark(spanOf(st.selectedSpanId), "sel-span");
    mark(spanOf(st.hoverSpanId), "hl");
    if (st.hoverNodeId && nodeEls.get(st.hoverNodeId)) nodeEls.get(st.hoverNodeId).classList.add("hl");
  }

  function markSelection() {
    const sel = store.get().selection;
    for (const g of el.querySelectorAll(".selected")) g.classList.remove("selected");
    for (const g of el.querySelectorAll("[aria-pressed='true'].node, [aria-pressed='true'].edge")) g.setAttribute("aria-pressed", "false");
    if (sel && sel.kind === "node" && nodeEls.get(sel.id)) nodeEls.get(sel.id).classList.add("selected");
    if (sel && sel.kind === "edge" && edgeEls.get(sel.id)) edgeEls.get(sel.id).root.classList.add("selected");
    if (connectFrom && nodeEls.get(connectFrom)) nodeEls.get(connectFrom).classList.add("connect-source");
    deleteBtn.disabled = !sel;
  }

  function selectNode(id) {
    actions.select({ kind: "node", id });
    const info = tv.nodes.get(id);
    store.set({ selectedSpanId: info && info.firstSpanId ? info.firstSpanId : null });
  }

  function selectEdge(id) {
    actions.select({ kind: "edge", id });
    const info = tv.edges.get(id);
    store.set({ selectedSpanId: info && info.firstSpanId ? info.firstSpanId : null });
  }

  function deleteSelection() {
    const sel = store.get().selection;
    if (!sel) return false;
    if (sel.kind === "node") removeNodeById(sel.id);
    else removeEdgeById(sel.id);
    return true;
  }

  function removeNodeById(id) {
    const { flow } = store.get();
    if (!flow || !flow.nodes.some((n) => n.id === id)) return;
    const node = flow.nodes.find((n) => n.id === id);
    actions.editFlow(removeNode(flow, id), { label: `Removed ${node.label || id}` });
    actions.select(null);
    store.set({ selectedSpanId: null, hoverNodeId: null, hoverSpanId: null });
    if (store.get().faults[id]) actions.setFault(id, null);
  }

  function removeEdgeById(id) {
    const { flow } = store.get();
    if (!flow || !flow.edges.some((e) => e.id === id)) return;
    actions.editFlow(removeEdge(flow, id), { label: "Removed the call" });
    actions.select(null);
    store.set({ selectedSpanId: null });
  }

  function setConnectMode(on) {
    connectFrom = null;
    store.set({ connectMode: Boolean(on) });
    say(on ? "Connect: click the calling node, then the node it calls (Esc to stop)." : "");
  }

  function tryConnect(source, target) {
    const { flow } = store.get();
    const problem = connectProblem(flow, source, target);
    if (problem) {
      say(problem, "error");
      return false;
    }
    const { flow: next, id } = connect(flow, source, target);
    actions.editFlow(next, { label: `Added a call ${source} → ${target}` });
    actions.select({ kind: "edge", id });
    return true;
  }

  function say(message, tone = "info") {
    status.textContent = message;
    status.dataset.tone = tone;
    status.hidden = !message;
  }

  // ---------------------------------------------------------------- pointer input
  function local(ev) {
    const r = svg.getBoundingClientRect();
    return { x: ev.clientX - r.left, y: ev.clientY - r.top };
  }

  function targetOf(ev) {
    const t = ev.target instanceof Element ? ev.target : null;
    const node = t && t.closest(".node");
    const edge = t && t.closest(".edge");
    const action = t && t.closest("[data-action]");
    return {
      nodeId: node ? node.dataset.nodeId : null,
      edgeId: edge ? edge.dataset.edgeId : null,
      action: action ? action.dataset.action : null,
    };
  }

  function nodeAt(clientX, clientY) {
    const hit = document.elementFromPoint(clientX, clientY);
    const node = hit && hit.closest && hit.closest(".node");
    return node && el.contains(node) ? node.dataset.nodeId : null;
  }

  svg.addEventListener("pointerdown", (ev) => {
    if (ev.button !== undefined && ev.button > 0) return;
    menu.close();
    pointers.set(ev.pointerId, local(ev));
    svg.setPointerCapture(ev.pointerId);
    if (pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      gesture = { type: "pinch", a0: a, b0: b, view0: view };
      return;
    }
    const p = local(ev);
    const t = targetOf(ev);
    const connectMode = store.get().connectMode;
    if (t.nodeId && t.action === "menu") {
      gesture = { type: "menu", nodeId: t.nodeId };
    } else if (t.nodeId && (t.action === "connect" || connectMode)) {
      const b = boxes.get(t.nodeId);
      gesture = { type: "connect", from: t.nodeId, start: p, moved: false, origin: { x: b.x + b.w, y: b.cy } };
    } else if (t.nodeId) {
      const b = boxes.get(t.nodeId);
      gesture = { type: "drag", nodeId: t.nodeId, start: p, box0: { x: b.x, y: b.y }, moved: false };
    } else if (t.edgeId) {
      gesture = { type: "edge", edgeId: t.edgeId };
    } else {
      gesture = { type: "pan", start: p, view0: view, moved: false };
    }
  });

  svg.addEventListener("pointermove", (ev) => {
    if (pointers.has(ev.pointerId)) pointers.set(ev.pointerId, local(ev));
    if (!gesture) {
      hoverFrom(ev);
      return;
    }
    const p = local(ev);
    if (gesture.type === "pinch" && pointers.size >= 2) {
      const [a, b] = [...pointers.values()];
      view = geo.pinchView(gesture.view0, gesture.a0, gesture.b0, a, b);
      userMoved = true;
      applyView();
    } else if (gesture.type === "pan") {
      const dx = p.x - gesture.start.x;
      const dy = p.y - gesture.start.y;
      if (!gesture.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
      gesture.moved = true;
      svg.classList.add("panning");
      view = { ...gesture.view0, x: gesture.view0.x + dx, y: gesture.view0.y + dy };
      userMoved = true;
      applyView();
    } else if (gesture.type === "drag") {
      const dx = (p.x - gesture.start.x) / view.k;
      const dy = (p.y - gesture.start.y) / view.k;
      if (!gesture.moved && Math.hypot(dx * view.k, dy * view.k) < DRAG_THRESHOLD) return;
      gesture.moved = true;
      const box = { ...boxes.get(gesture.nodeId), x: gesture.box0.x + dx, y: gesture.box0.y + dy };
      box.cx = box.x + box.w / 2;
      box.cy = box.y + box.h / 2;
      boxes.set(gesture.nodeId, box);
      nodeEls.get(gesture.nodeId).classList.add("dragging");
      replaceNode(gesture.nodeId);
      placeEdgesOf(gesture.nodeId);
    } else if (gesture.type === "connect") {
      if (Math.hypot(p.x - gesture.start.x, p.y - gesture.start.y) >= DRAG_THRESHOLD) gesture.moved = true;
      if (!gesture.moved) return;
      const w = geo.screenToWorld(view, p.x, p.y);
      const o = gesture.origin;
      preview.setAttribute("d", `M${o.x},${o.y} C${o.x + 60},${o.y} ${w.x - 60},${w.y} ${w.x},${w.y}`);
      const over = nodeAt(ev.clientX, ev.clientY);
      for (const g of nodesLayer.querySelectorAll(".drop-target")) g.classList.remove("drop-target");
      if (over && over !== gesture.from) nodeEls.get(over).classList.add("drop-target");
    }
  });

  function endGesture(ev, cancelled) {
    pointers.delete(ev.pointerId);
    if (svg.hasPointerCapture(ev.pointerId)) svg.releasePointerCapture(ev.pointerId);
    const g = gesture;
    if (!g) return;
    if (g.type === "pinch") {
      if (pointers.size < 2) gesture = null;
      return;
    }
    gesture = null;
    svg.classList.remove("panning");
    preview.setAttribute("d", "");
    for (const n of nodesLayer.querySelectorAll(".drop-target, .dragging")) n.classList.remove("drop-target", "dragging");
    if (cancelled) {
      if (g.type === "drag") render();
      return;
    }
    if (g.type === "drag") {
      if (g.moved) {
        const b = boxes.get(g.nodeId);
        actions.editFlow(moveNode(store.get().flow, g.nodeId, b.x, b.y), { key: `move:${g.nodeId}` });
      } else {
        selectNode(g.nodeId);
      }
    } else if (g.type === "connect") {
      if (g.moved) {
        const over = nodeAt(ev.clientX, ev.clientY);
        if (over && over !== g.from) tryConnect(g.from, over);
        else say("Drop the line on the node to call.", "info");
      } else if (store.get().connectMode) {
        clickInConnectMode(g.from);
      } else {
        selectNode(g.from);
      }
    } else if (g.type === "edge") {
      selectEdge(g.edgeId);
    } else if (g.type === "menu") {
      openMenu(g.nodeId);
    } else if (g.type === "pan" && !g.moved) {
      actions.select(null);
      store.set({ selectedSpanId: null });
      if (connectFrom) {
        connectFrom = null;
        markSelection();
      }
    }
  }

  function clickInConnectMode(nodeId) {
    if (!connectFrom) {
      connectFrom = nodeId;
      markSelection();
      say(`Calling from ${nodeId}: now click the node it calls.`);
      return;
    }
    if (connectFrom === nodeId) {
      connectFrom = null;
      markSelection();
      return;
    }
    const from = connectFrom;
    connectFrom = null;
    if (tryConnect(from, nodeId)) say(`Added a call ${from} → ${nodeId}. Click another source, or Esc.`);
    markSelection();
  }

  svg.addEventListener("pointerup", (ev) => endGesture(ev, false));
  svg.addEventListener("pointercancel", (ev) => endGesture(ev, true));
  svg.addEventListener("pointerleave", () => {
    if (!gesture) setHover(null);
  });

  function hoverFrom(ev) {
    const t = targetOf(ev);
    setHover(t.nodeId);
  }

  function setHover(nodeId) {
    const st = store.get();
    if (st.hoverNodeId === nodeId) return;
    const info = nodeId ? tv.nodes.get(nodeId) : null;
    store.set({ hoverNodeId: nodeId, hoverSpanId: info && info.firstSpanId ? info.firstSpanId : null });
  }

  svg.addEventListener("wheel", (ev) => {
    ev.preventDefault();
    const p = local(ev);
    const delta = ev.deltaMode === 1 ? ev.deltaY * 16 : ev.deltaY;
    zoomBy(Math.exp(-delta * (ev.ctrlKey ? 0.01 : 0.0015)), p.x, p.y);
  }, { passive: false });

  svg.addEventListener("contextmenu", (ev) => {
    const t = targetOf(ev);
    if (t.nodeId) {
      ev.preventDefault();
      openMenu(t.nodeId);
    }
  });

  // ---------------------------------------------------------------- keyboard on nodes and edges
  svg.addEventListener("keydown", (ev) => {
    const t = targetOf(ev);
    if (!t.nodeId && !t.edgeId) return;
    if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      ev.stopPropagation();
      if (t.nodeId && store.get().connectMode) clickInConnectMode(t.nodeId);
      else if (t.nodeId) selectNode(t.nodeId);
      else selectEdge(t.edgeId);
    } else if (ev.key === "Delete" || ev.key === "Backspace") {
      ev.preventDefault();
      if (t.nodeId) removeNodeById(t.nodeId);
      else removeEdgeById(t.edgeId);
      el.focus({ preventScroll: true }); // keep the keyboard in the canvas
    } else if (t.nodeId && (ev.key === "m" || ev.key === "ContextMenu" || (ev.shiftKey && ev.key === "F10"))) {
      ev.preventDefault();
      openMenu(t.nodeId);
    } else if (t.nodeId && ev.key.startsWith("Arrow") && !ev.altKey && !ev.ctrlKey && !ev.metaKey) {
      ev.preventDefault();
      ev.stopPropagation();
      const step = ev.shiftKey ? 40 : 10;
      const b = boxes.get(t.nodeId);
      const dx = ev.key === "ArrowLeft" ? -step : ev.key === "ArrowRight" ? step : 0;
      const dy = ev.key === "ArrowUp" ? -step : ev.key === "ArrowDown" ? step : 0;
      actions.editFlow(moveNode(store.get().flow, t.nodeId, b.x + dx, b.y + dy), { key: `move:${t.nodeId}` });
      requestAnimationFrame(() => {
        const g = nodeEls.get(t.nodeId);
        if (g) g.focus();
      });
    }
  });

  svg.addEventListener("focusin", (ev) => {
    const t = targetOf(ev);
    if (t.nodeId) setHover(t.nodeId);
  });

  function openMenu(nodeId) {
    const b = boxes.get(nodeId);
    const g = nodeEls.get(nodeId);
    if (!b || !g) return;
    const r = svg.getBoundingClientRect();
    const host = el.getBoundingClientRect();
    const p = geo.worldToScreen(view, b.x + b.w, b.y + b.h / 2);
    menu.open(nodeId, { x: p.x + r.left - host.left, y: p.y + r.top - host.top, bounds: host }, g);
  }

  // ---------------------------------------------------------------- drops from the library
  function dropComponent(componentId, clientX, clientY) {
    const { flow, catalogue } = store.get();
    const comp = catalogue && catalogue.byId.get(componentId);
    if (!flow || !comp) return;
    let wx;
    let wy;
    const r = svg.getBoundingClientRect();
    if (clientX === undefined) {
      const c = geo.screenToWorld(view, r.width / 2, r.height / 2);
      const jitter = (flow.nodes.length % 5) * 18;
      wx = c.x + jitter;
      wy = c.y + jitter;
    } else {
      const w = geo.screenToWorld(view, clientX - r.left, clientY - r.top);
      wx = w.x;
      wy = w.y;
    }
    const { flow: next, id } = addNode(flow, comp, wx - geo.NODE_W / 2, wy - geo.NODE_H / 2);
    actions.editFlow(next, { label: `Added ${comp.name}` });
    actions.select({ kind: "node", id });
    if (!userMoved && next.nodes.length <= 2) requestAnimationFrame(fit);
    requestAnimationFrame(() => {
      const g = nodeEls.get(id);
      if (g) g.focus({ preventScroll: true });
    });
  }

  el.addEventListener("dragover", (ev) => {
    if (ev.dataTransfer && [...ev.dataTransfer.types].includes(COMPONENT_MIME)) {
      ev.preventDefault();
      ev.dataTransfer.dropEffect = "copy";
      el.classList.add("drop-hover");
    }
  });
  el.addEventListener("dragleave", (ev) => {
    if (!el.contains(ev.relatedTarget)) el.classList.remove("drop-hover");
  });
  el.addEventListener("drop", (ev) => {
    el.classList.remove("drop-hover");
    const id = ev.dataTransfer && ev.dataTransfer.getData(COMPONENT_MIME);
    if (!id) return;
    ev.preventDefault();
    dropComponent(id, ev.clientX, ev.clientY);
  });
  document.addEventListener("traceplay:add-component", (ev) => {
    const { componentId, clientX, clientY } = ev.detail || {};
    if (clientX !== undefined) {
      const r = svg.getBoundingClientRect();
      if (clientX < r.left || clientX > r.right || clientY < r.top || clientY > r.bottom) return;
    }
    dropComponent(componentId, clientX, clientY);
  });

  // ---------------------------------------------------------------- store & resize
  store.subscribe((st, prev) => {
    if (changed(st, prev, "flow", "trace", "analysis", "catalogue", "faults")) {
      const onlyMoved = st.flow && prev.flow && st.flow !== prev.flow && !changed(st, prev, "trace", "analysis", "catalogue", "faults") && sameStructure(st.flow, prev.flow);
      if (onlyMoved) {
        for (const n of st.flow.nodes) {
          const b = boxes.get(n.id);
          if (b && (b.x !== n.x || b.y !== n.y)) {
            boxes.set(n.id, geo.nodeBox(n));
            replaceNode(n.id);
            placeEdgesOf(n.id);
          }
        }
      } else {
        render();
      }
    }
    if (changed(st, prev, "hoverSpanId", "selectedSpanId", "hoverNodeId")) highlight();
    if (changed(st, prev, "selection")) markSelection();
    if (changed(st, prev, "fitRequest")) requestAnimationFrame(fit);
    if (changed(st, prev, "connectMode")) {
      connectBtn.setAttribute("aria-pressed", String(Boolean(st.connectMode)));
      svg.classList.toggle("connecting", Boolean(st.connectMode));
      if (!st.connectMode) connectFrom = null;
      markSelection();
    }
    if (changed(st, prev, "canUndo", "canRedo")) {
      undoBtn.disabled = !st.canUndo;
      redoBtn.disabled = !st.canRedo;
    }
    if (changed(st, prev, "loading", "error") && (!st.flow || !st.flow.nodes.length)) renderEmpty(st.flow);
  });

  new ResizeObserver(() => {
    if (!userMoved) fit();
  }).observe(svg);

  undoBtn.disabled = true;
  redoBtn.disabled = true;
  say("");
  render();
  applyView();

  return {
    el,
    layers: { dots: dotsLayer, lit: litLayer, svg },
    boxOf: (id) => boxes.get(id) || null,
    curveOf: (edgeId) => curves.get(edgeId) || null,
    nodeEl: (id) => nodeEls.get(id) || null,
    edgeEl: (id) => (edgeEls.get(id) ? edgeEls.get(id).root : null),
    hud: { time: hudTime, note: hudNote, el: hud },
    fit,
    zoomBy,
    deleteSelection,
    setConnectMode,
    cancel() {
      menu.close();
      if (store.get().connectMode) setConnectMode(false);
      else if (store.get().selection) {
        actions.select(null);
        store.set({ selectedSpanId: null });
      }
    },
  };
}

function sameStructure(a, b) {
  if (a.edges !== b.edges || a.nodes.length !== b.nodes.length) return false;
  return a.nodes.every((n, i) => n.id === b.nodes[i].id && n.label === b.nodes[i].label && n.component === b.nodes[i].component);
}

function arrowMarker(id, kind) {
  return s("marker", {
    id, class: `tp-marker marker-${kind}`, viewBox: "0 0 10 10", refX: 9, refY: 5,
    markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse", markerUnits: "strokeWidth",
  }, s("path", { d: "M0,0 L10,5 L0,10 z" }));
}
