// The waterfall's time axis and what is drawn across all rows: nice ticks with labels and grid
// lines, the response and end-of-trace markers (merged when they would overlap), the stretch of
// work after the response, the playback cursor, and the one-line summary above them.
//
// `ui` holds the elements Waterfall.js built: ticks, grid, axis, respLine, respFlag, endLine,
// endFlag, after, cursor.

import { clear, h } from "./panelkit.js";
import { formatMs, formatTick, fraction, niceStep, tickCount, ticks } from "./logic/timescale.js";

export function drawAxis(ui, tree, domain) {
  clear(ui.ticks);
  clear(ui.grid);
  if (!tree || tree.count === 0) return;
  const width = ui.axis.clientWidth || 600;
  const step = niceStep(domain.end - domain.start, tickCount(width, 84));
  for (const t of ticks(domain, tickCount(width, 84))) {
    const f = fraction(t, domain);
    const x = `${f * 100}%`;
    const tick = h("span", { className: "wf-tick", text: formatTick(t, step) });
    tick.style.left = x;
    tick.classList.toggle("is-first", f < 0.03);
    tick.classList.toggle("is-last", f > 0.97);
    ui.ticks.append(tick);
    const line = h("span", { className: "wf-gridline" });
    line.style.left = x;
    ui.grid.append(line);
  }
  const trace = tree.trace;
  const resp = Number(trace.response_ms);
  const end = Math.max(Number(trace.duration_ms) || 0, domain.end);
  const showResp = resp > 0;
  const sameEnd = Math.abs(end - resp) <= (domain.end - domain.start) * 0.002;
  const close = (fraction(end, domain) - fraction(resp, domain)) * width < 180; // flags would overlap
  const respText = sameEnd ? `response = end ${formatMs(resp)}` : `response ${formatMs(resp)}`;
  placeMarker(ui.respLine, ui.respFlag, domain, showResp ? resp : null, close && !sameEnd ? "" : respText);
  placeMarker(
    ui.endLine,
    ui.endFlag,
    domain,
    sameEnd ? null : end,
    close && showResp ? `response ${formatMs(resp)} · end ${formatMs(end)}` : `end ${formatMs(end)}`,
  );
  ui.respFlag.hidden = ui.respFlag.hidden || !ui.respFlag.textContent;
  ui.endFlag.classList.add("is-right");
  ui.after.hidden = !showResp || sameEnd;
  if (!ui.after.hidden) {
    ui.after.style.left = `${fraction(resp, domain) * 100}%`;
    ui.after.style.width = `${(fraction(end, domain) - fraction(resp, domain)) * 100}%`;
  }
}

function placeMarker(line, flag, domain, ms, text) {
  line.hidden = flag.hidden = ms === null;
  if (ms === null) return;
  const f = fraction(ms, domain);
  line.style.left = flag.style.left = `${f * 100}%`;
  flag.textContent = text;
  flag.classList.toggle("is-right", f > 0.7);
}

export function drawSummary(summary, tree) {
  clear(summary);
  if (!tree || tree.count === 0) return;
  const services = new Set(tree.spans.map((s) => s.service)).size;
  const bits = [
    `${tree.count.toLocaleString()} span${tree.count === 1 ? "" : "s"}`,
    `${services} service${services === 1 ? "" : "s"}`,
    `depth ${tree.maxDepth + 1}`,
  ];
  summary.append(h("span", { text: bits.join(" · ") }));
  if (tree.errorCount) {
    summary.append(
      h("span", {
        className: "wf-summary-errors",
        text: ` · ✖ ${tree.errorCount} error${tree.errorCount === 1 ? "" : "s"}`,
      }),
    );
  }
}

export function drawCursor(ui, tree, domain, ms) {
  const show = tree && tree.count > 0 && typeof ms === "number" && Number.isFinite(ms);
  ui.cursor.hidden = !show;
  if (show) ui.cursor.style.left = `${Math.min(1, Math.max(0, fraction(ms, domain))) * 100}%`;
}
