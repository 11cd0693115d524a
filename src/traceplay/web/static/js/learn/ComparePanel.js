// The Compare tab: the trace on screen against a baseline (another variant, or the flow before a
// fix). The summary sentence says where the time went; "where" lists the operations that moved the
// response time; one row per matched span shows both durations, the delta and the status, with added
// and removed spans marked. A row selects its span everywhere; the canvas colours nodes by heat.

import { changed } from "../store.js";
import { h, clear } from "../dom.js";
import { VARIANTS } from "../actions.js";
import { formatMs } from "../logic/format.js";
import { compareWithVariant, currentComparison, defaultBaselineVariant, stopComparing } from "./compare.js";

const MAX_ROWS = 400;
const CHANGE_TEXT = { slower: "slower", faster: "faster", same: "same", added: "added", removed: "removed" };

export function signedMs(ms) {
  if (ms === null || ms === undefined) return "–";
  if (Math.abs(ms) < 0.05) return "±0 ms";
  return `${ms > 0 ? "+" : "−"}${formatMs(Math.abs(ms))}`;
}

export function ComparePanel(el, store) {
  const intro = h("div", { class: "lp-empty" },
    h("p", { class: "lp-empty-title" }, "Compare this run with another"),
    h("p", {}, "Spans are matched by node and operation, so you see which calls got slower or faster, which failed, " +
      "and which appeared or disappeared — and the diagram glows where the time went."));
  const starters = h("div", { class: "lp-actions" });
  intro.append(starters);

  const baseSelect = h("select", { class: "lp-select", "aria-label": "Compare with", "data-testid": "compare-baseline" });
  baseSelect.addEventListener("change", () => compareWithVariant(store, baseSelect.value));
  const stopBtn = h("button", { type: "button", class: "text-button", "data-testid": "compare-stop",
    onclick: () => stopComparing(store) }, "Stop comparing");
  const title = h("h3", { class: "lp-title" });
  const head = h("div", { class: "lp-head" }, title, h("label", { class: "lp-inline" }, "with ", baseSelect), stopBtn);
  const status = h("p", { class: "lp-status", role: "status" });
  const summary = h("p", { class: "lp-summary", "data-testid": "compare-summary" });
  const claim = h("p", { class: "lp-claim", hidden: true });
  const stats = h("dl", { class: "lp-stats" });
  const where = h("ol", { class: "lp-where", "aria-label": "Where the response time changed" });
  const legend = h("p", { class: "lp-legend" },
    h("span", { class: "lp-swatch heat-up", "aria-hidden": "true" }), "slower ",
    h("span", { class: "lp-swatch heat-down", "aria-hidden": "true" }), "faster — on the diagram, nodes glow by the change of their own time");
  const table = h("table", { class: "lp-table" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Span"), h("th", { scope: "col", class: "num" }, "Before"),
      h("th", { scope: "col", class: "num" }, "Now"), h("th", { scope: "col", class: "num" }, "Δ"),
      h("th", { scope: "col" }, "Status"))));
  const tbody = h("tbody", {});
  table.append(tbody);
  const more = h("p", { class: "lp-dim", hidden: true });
  const body = h("div", { class: "lp-body" }, head, status, summary, claim, stats, where, legend,
    h("div", { class: "lp-table-wrap" }, table), more);
  const root = h("section", { class: "lp lp-compare", "aria-label": "Compare" }, intro, body);
  clear(el);
  el.append(root);

  let drawn = null;

  function drawStarters(st) {
    clear(starters);
    const names = variantNames(st);
    for (const v of names.filter((x) => x !== st.variant)) {
      starters.append(h("button", { type: "button", class: "lp-button", "data-testid": "compare-start", "data-variant": v,
        disabled: !st.trace, onclick: () => compareWithVariant(store, v) }, `⇄ Compare with the ${v} variant`));
    }
  }

  function draw() {
    const st = store.get();
    const b = st.baseline;
    intro.hidden = Boolean(b);
    body.hidden = !b;
    if (!b) {
      drawStarters(st);
      clear(tbody);
      drawn = null;
      return;
    }
    clear(baseSelect);
    for (const v of variantNames(st).filter((x) => x !== st.variant)) {
      baseSelect.append(h("option", { value: v, selected: b.kind === "variant" && b.variant === v }, `the ${v} variant`));
    }
    if (b.kind === "flow") baseSelect.prepend(h("option", { value: "", selected: true, disabled: true }, b.label));
    title.textContent = b.kind === "flow" ? `After the fix: ${b.fix ? b.fix.title : "the fixed flow"}` : `The ${st.variant} variant`;
    claim.hidden = !(b.kind === "flow" && b.claim);
    claim.textContent = b.claim ? `What the fix claims: ${b.claim}` : "";
    const c = currentComparison(st);
    const loading = st.comparisonStatus === "loading" || (!c && st.comparisonStatus !== "error");
    status.textContent = st.comparisonStatus === "error" ? `The comparison failed: ${st.comparisonError}` : loading ? "Comparing…" : "";
    status.classList.toggle("is-error", st.comparisonStatus === "error");
    status.hidden = !status.textContent;
    if (!c) {
      for (const x of [summary, stats, where, legend, table, more]) x.hidden = true;
      drawn = null;
      return;
    }
    for (const x of [summary, stats, where, legend, table]) x.hidden = false;
    if (c === drawn) return;
    drawn = c;
    summary.textContent = c.summary;
    drawStats(c);
    drawWhere(c);
    drawRows(c);
  }

  function drawStats(c) {
    clear(stats);
    const stat = (label, value, tone) =>
      stats.append(h("div", { class: `lp-stat${tone ? ` tone-${tone}` : ""}` }, h("dt", {}, label), h("dd", {}, value)));
    stat("Response", `${formatMs(c.base.response_ms)} → ${formatMs(c.other.response_ms)}`,
      c.response_delta_ms > 0.5 ? "up" : c.response_delta_ms < -0.5 ? "down" : null);
    stat("Change", `${signedMs(c.response_delta_ms)}${c.response_ratio ? ` (${fmtRatio(c.response_ratio)})` : ""}`);
    stat("Status", `${c.base.status} → ${c.other.status}`, c.status_change === "failing" ? "up" : c.status_change === "recovered" ? "down" : null);
    stat("Spans", `${c.base.spans} → ${c.other.spans}`);
  }

  function drawWhere(c) {
    clear(where);
    where.hidden = !c.where.length;
    for (const w of c.where) {
      const share = Number.isFinite(w.share) ? ` · ${Math.round(w.share * 100)} %` : "";
      where.append(h("li", {}, h("span", { class: "lp-where-delta" }, signedMs(w.delta_ms)), " ",
        h("strong", {}, w.service), " ", h("code", {}, w.operation),
        h("span", { class: "lp-dim" }, `${w.calls > 1 ? ` · ${w.calls} calls` : ""}${share}${w.added ? " · new" : w.removed ? " · gone" : ""}`)));
    }
  }

  function drawRows(c) {
    clear(tbody);
    const rows = c.spans.slice(0, MAX_ROWS);
    for (const r of rows) tbody.append(row(r, c));
    more.hidden = c.spans.length <= MAX_ROWS;
    more.textContent = `The first ${MAX_ROWS} of ${c.spans.length.toLocaleString()} spans.`;
  }

  function row(r, c) {
    const spanId = r.other_span_id;
    const statusText = r.status_change ? `${r.base_status} → ${r.other_status}` : r.other_status || r.base_status || "";
    const badge = spanId ? c.badges[spanId] : null;
    const tr = h("tr", {
      class: `lp-row change-${r.change}${r.status_change ? " status-changed" : ""}`,
      "data-testid": "compare-row", "data-change": r.change, "data-span-id": spanId || null, tabindex: spanId ? 0 : null,
      title: badge || null,
    },
    h("td", { class: "lp-span" }, h("span", { class: `lp-chip change-${r.change}` }, CHANGE_TEXT[r.change] || r.change),
      h("span", { class: "lp-svc" }, r.service), " ", h("span", { class: "lp-op" }, r.operation),
      r.occurrence ? h("span", { class: "lp-dim" }, ` #${r.occurrence + 1}`) : null),
    h("td", { class: "num" }, r.base_ms === null ? "–" : formatMs(r.base_ms)),
    h("td", { class: "num" }, r.other_ms === null ? "–" : formatMs(r.other_ms)),
    h("td", { class: `num delta ${r.delta_ms > 0.5 ? "tone-up" : r.delta_ms < -0.5 ? "tone-down" : ""}` },
      r.delta_ms === null ? "–" : `${signedMs(r.delta_ms)}${r.ratio && Math.abs(r.ratio - 1) >= 0.5 ? ` (${fmtRatio(r.ratio)})` : ""}`),
    h("td", { class: `lp-st${r.other_status === "error" ? " is-error" : ""}` }, statusText));
    if (spanId) {
      const pick = () => store.set({ selectedSpanId: spanId });
      tr.addEventListener("click", pick);
      tr.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter" || ev.key === " ") {
          ev.preventDefault();
          pick();
        }
      });
      tr.addEventListener("mouseenter", () => store.set({ hoverSpanId: spanId }));
      tr.addEventListener("mouseleave", () => store.set({ hoverSpanId: null }));
    }
    return tr;
  }

  store.subscribe((st, prev) => {
    if (changed(st, prev, "baseline", "comparison", "comparisonStatus", "trace", "variant", "flow")) draw();
    if (changed(st, prev, "selectedSpanId")) {
      for (const tr of tbody.querySelectorAll(".is-selected")) tr.classList.remove("is-selected");
      if (st.selectedSpanId) {
        const tr = tbody.querySelector(`[data-span-id="${CSS.escape(st.selectedSpanId)}"]`);
        if (tr) tr.classList.add("is-selected");
      }
    }
  });
  draw();
  return { draw, defaultVariant: () => defaultBaselineVariant(store.get()) };
}

function variantNames(st) {
  const names = st.flow && st.flow.variants && Object.keys(st.flow.variants).length ? Object.keys(st.flow.variants) : VARIANTS;
  return names;
}

function fmtRatio(r) {
  if (r >= 1) return `${r >= 10 ? Math.round(r) : r.toFixed(1)}×`;
  const f = 1 / r;
  return `${f >= 10 ? Math.round(f) : f.toFixed(1)}× faster`;
}
