// Playback: the clock and what moves. A requestAnimationFrame loop advances state.cursorMs (TRACE
// time, so the waterfall's cursor line matches) through the time warp of logic/timewarp.js, and
// draws each frame on the canvas: a dot per call in flight along its edge, each busy node lit,
// red when the call fails, and a note while async work continues after the response.

import { changed } from "./store.js";
import { s } from "./dom.js";
import { createWarp } from "./logic/timewarp.js";
import { prepare, frameAt } from "./logic/playframe.js";
import { edgeMode } from "./logic/graph.js";
import { curvePoint } from "./logic/geometry.js";
import { formatMs } from "./logic/format.js";

export function Playback(store, canvas) {
  let warp = createWarp(null);
  let prepared = null;
  let raf = 0;
  let last = 0;
  const dotPool = [];
  const litPool = [];

  function rebuild() {
    const { trace, flow, catalogue } = store.get();
    warp = createWarp(trace);
    if (!trace || !flow) {
      prepared = null;
      draw();
      return;
    }
    const nodesById = new Map(flow.nodes.map((n) => [n.id, n]));
    const comps = (catalogue && catalogue.byId) || new Map();
    const edges = new Map(flow.edges.map((e) => [e.id, { source: e.source, target: e.target, mode: edgeMode(e, nodesById, comps) }]));
    prepared = prepare(trace, edges, warp);
    draw();
  }

  function tick(now) {
    raf = 0;
    const st = store.get();
    if (!st.playing || !prepared) return;
    const dt = last ? Math.min(0.1, (now - last) / 1000) : 0;
    last = now;
    const p = warp.toPlay(st.cursorMs) + dt * (st.speed || 1);
    if (p >= warp.total) {
      store.set({ cursorMs: warp.durationMs, playing: false });
      return;
    }
    store.set({ cursorMs: warp.toTrace(p) });
    raf = requestAnimationFrame(tick);
  }

  function startLoop() {
    if (raf) return;
    last = 0;
    raf = requestAnimationFrame(tick);
  }

  function stopLoop() {
    if (raf) cancelAnimationFrame(raf);
    raf = 0;
  }

  function draw() {
    const st = store.get();
    const layer = canvas.layers.dots;
    const frame = prepared ? frameAt(prepared, st.cursorMs || 0) : null;
    // lit nodes: a halo drawn in the underlay (restyling the graph itself every frame would make
    // the browser lay out the whole SVG again)
    const next = frame ? frame.active : new Map();
    let litUsed = 0;
    for (const [id, status] of next) {
      const b = canvas.boxOf(id);
      if (!b) continue;
      let ring = litPool[litUsed];
      if (!ring) {
        ring = s("rect", { class: "lit", rx: 12 });
        litPool.push(ring);
        canvas.layers.lit.append(ring);
      }
      const key = `${b.x},${b.y},${status}`;
      if (ring._key !== key) {
        ring.setAttribute("x", b.x - 4);
        ring.setAttribute("y", b.y - 4);
        ring.setAttribute("width", b.w + 8);
        ring.setAttribute("height", b.h + 8);
        ring.setAttribute("class", status === "error" ? "lit lit-error" : "lit");
        ring._key = key;
      }
      if (ring.style.display) ring.style.display = "";
      litUsed++;
    }
    for (let i = litUsed; i < litPool.length; i++) if (litPool[i].style.display !== "none") litPool[i].style.display = "none";
    // dots, drawn from a pool of circles
    const dots = frame ? frame.dots : [];
    let used = 0;
    for (const d of dots) {
      const c = canvas.curveOf(d.edgeId);
      if (!c) continue;
      const p = curvePoint(c, d.t);
      let dot = dotPool[used];
      if (!dot) {
        dot = s("g", { class: "dot" }, s("circle", { class: "dot-glow", r: 11 }), s("circle", { class: "dot-core", r: 5.5 }));
        dotPool.push(dot);
        layer.append(dot);
      }
      dot.setAttribute("transform", `translate(${p.x.toFixed(1)},${p.y.toFixed(1)})`);
      const cls = `dot${d.error ? " dot-error" : ""}${d.async ? " dot-async" : ""}${d.back ? " dot-back" : ""}`;
      if (dot._cls !== cls) {
        dot.setAttribute("class", cls);
        dot._cls = cls;
      }
      if (dot.style.display) dot.style.display = "";
      used++;
    }
    for (let i = used; i < dotPool.length; i++) if (dotPool[i].style.display !== "none") dotPool[i].style.display = "none";
    // the HUD
    const { trace } = st;
    if (canvas.hud.el.hidden !== !trace) canvas.hud.el.hidden = !trace;
    if (!trace) return;
    setText(canvas.hud.time, `t = ${formatMs(st.cursorMs || 0)}`);
    let note = "";
    let tone = "";
    if (frame && frame.asyncAfterResponse) {
      note = `Response sent at ${formatMs(trace.response_ms)} — async work still running`;
      tone = "async";
    } else if (frame && frame.responded) {
      note = trace.status === "error" ? `Failed after ${formatMs(trace.response_ms)}` : `Response in ${formatMs(trace.response_ms)}`;
      tone = trace.status === "error" ? "error" : "ok";
    } else {
      note = "Request in flight…";
    }
    setText(canvas.hud.note, note);
    if (canvas.hud.el.dataset.tone !== tone) canvas.hud.el.dataset.tone = tone;
  }

  store.subscribe((st, prev) => {
    const edgesChanged = !prev.flow || !st.flow || st.flow.edges !== prev.flow.edges;
    if (st.trace !== prev.trace || st.catalogue !== prev.catalogue || (st.flow !== prev.flow && edgesChanged)) {
      rebuild();
    } else if (changed(st, prev, "cursorMs", "flow", "analysis", "faults")) {
      draw(); // the canvas may have redrawn its nodes: light them again
    }
    if (changed(st, prev, "playing")) {
      if (st.playing) startLoop();
      else stopLoop();
    }
  });

  document.addEventListener("visibilitychange", () => {
    if (document.hidden) stopLoop();
    else if (store.get().playing) startLoop();
  });

  rebuild();
  return {
    warp: () => warp,
    // the scrubber's position in [0, 1] (play time) and back
    fractionOf: (ms) => (warp.total ? warp.toPlay(ms) / warp.total : 0),
    msAt: (fraction) => warp.toTrace(fraction * warp.total),
  };
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}
