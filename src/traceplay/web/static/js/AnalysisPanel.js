// The analysis panel: what happened (headline and overall severity), the response time against the
// whole trace, the findings in the order the analyzer gave them (severity icon and word, detail, tip,
// fix, and "Show on diagram" that lights their spans up everywhere), the scenario's authored tips and
// fixes, and "Explain with AI".

import { AiExplain, cancelAI } from "./AiExplain.js";
import { clear, ensureStylesheet, h, SEVERITY, severityOf } from "./panelkit.js";
import { formatMs } from "./logic/timescale.js";
import { FixOffers } from "./learn/fixes.js";

export function AnalysisPanel(el, store, api) {
  ensureStylesheet("/static/css/AnalysisPanel.css");
  const empty = h(
    "div",
    { className: "an-empty" },
    h("p", { className: "an-empty-title", text: "No analysis yet" }),
    h("p", {
      text: "Open a scenario or run your flow, and this panel explains the trace it produced:",
    }),
    h(
      "ul",
      {},
      h("li", { text: "how bad it is (info, warning, critical) and what happened, in one sentence;" }),
      h("li", { text: "what the caller waited for versus how long the work really ran;" }),
      h("li", { text: "the critical path, its bottleneck and where an error started;" }),
      h("li", { text: "findings with a tip and a fix each — “Show on diagram” points at the spans;" }),
      h("li", { text: "an optional explanation by an AI model of your choice." }),
    ),
  );
  const pending = h("p", { className: "an-pending", text: "Analysing the trace…" });
  const badge = h("span", { className: "an-badge", attrs: { "data-testid": "analysis-severity" } });
  const headline = h("h3", { className: "an-headline", attrs: { "data-testid": "analysis-headline" } });
  const stats = h("dl", { className: "an-stats" });
  const findingsTitle = h("h4", { className: "an-h" });
  const findings = h("ol", { className: "an-findings" });
  const lessons = h("div", { className: "an-lessons" });
  const aiBox = h("section", { className: "an-ai", attrs: { "aria-label": "Explain with AI" } });
  const body = h(
    "div",
    { className: "an-body" },
    h("header", { className: "an-head" }, badge, headline),
    stats,
    findingsTitle,
    findings,
    lessons,
  );
  const root = h(
    "section",
    { className: "an", attrs: { "aria-label": "Analysis" } },
    empty,
    pending,
    body,
    aiBox,
  );
  clear(el);
  el.append(root);
  const ai = AiExplain(aiBox, store, api);
  FixOffers(findings, store, api); // learn/fixes.js: "Apply fix and re-run" on the findings it answers

  let shown = null; // the analysis object drawn
  const cycle = new Map(); // finding id -> next span index for "Show on diagram"

  function draw(state) {
    const a = state.analysis;
    const hasTrace = !!state.trace;
    empty.hidden = !!a || hasTrace;
    pending.hidden = !!a || !hasTrace;
    const failed = state.analysisError;
    pending.textContent = failed
      ? `${failed.title || "The analysis is not available"}: ${failed.message || "unknown error"}`
      : "Analysing the trace…";
    pending.classList.toggle("is-error", !!failed);
    body.hidden = !a;
    aiBox.hidden = !hasTrace;
    if (!a || a === shown) return;
    shown = a;
    cycle.clear();
    const sev = severityOf(a.severity);
    badge.dataset.severity = sev;
    badge.textContent = `${SEVERITY[sev].icon} ${SEVERITY[sev].label}`;
    headline.textContent = a.headline || "";
    drawStats(a, state.trace);
    const list = a.findings || [];
    findingsTitle.textContent = list.length ? `Findings (${list.length})` : "Findings";
    clear(findings);
    if (!list.length)
      findings.append(h("li", { className: "an-none", text: "Nothing to report: the trace looks healthy." }));
    for (const f of list) findings.append(finding(f));
    drawLessons(a);
    markLinked(state);
  }

  function drawStats(a, trace) {
    clear(stats);
    const stat = (label, value, cls) =>
      stats.append(
        h("div", { className: `an-stat ${cls || ""}` }, h("dt", { text: label }), h("dd", { text: value })),
      );
    stat("Response", formatMs(a.response_ms));
    stat("Duration", formatMs(a.duration_ms));
    const ok = a.status !== "error";
    stat("Status", ok ? "✓ ok" : "✖ error", ok ? "is-ok" : "is-error");
    if (trace) stat("Spans", trace.spans.length.toLocaleString());
    if (a.duration_ms > a.response_ms + 1e-6) {
      stat("After the response", `${formatMs(a.duration_ms - a.response_ms)} of work`, "is-async");
    }
  }

  function finding(f) {
    const sev = severityOf(f.severity);
    const spans = f.span_ids || [];
    const nodes = f.node_ids || [];
    const li = h("li", {
      className: "an-finding",
      attrs: { "data-testid": "finding", "data-finding-id": f.id, "data-severity": sev },
    });
    const head = h(
      "div",
      { className: "an-f-head" },
      h(
        "span",
        { className: "an-f-sev", attrs: { "data-severity": sev } },
        h("span", { attrs: { "aria-hidden": "true" }, text: SEVERITY[sev].icon }),
        ` ${SEVERITY[sev].label}`,
      ),
      h("h5", { className: "an-f-title", text: f.title }),
      f.source === "scenario"
        ? h("span", { className: "an-f-source", text: "scenario", title: "written by the scenario's author" })
        : null,
    );
    li.append(head);
    if (f.detail) li.append(h("p", { className: "an-f-detail", text: f.detail }));
    if (f.tip) li.append(h("p", { className: "an-f-tip" }, h("strong", { text: "Tip " }), f.tip));
    if (f.fix) li.append(h("p", { className: "an-f-fix" }, h("strong", { text: "Fix " }), f.fix));
    if (spans.length || nodes.length) {
      const label = spans.length > 1 ? `Show on diagram (${spans.length} spans)` : "Show on diagram";
      const show = h("button", {
        className: "an-show",
        text: `◎ ${label}`,
        attrs: { type: "button", "data-testid": "finding-show" },
      });
      const point = () =>
        store.set({
          hoverSpanId: spans[0] || null,
          hoverNodeId: spans.length ? store.get().hoverNodeId : nodes[0],
        });
      const unpoint = () => store.set({ hoverSpanId: null, ...(spans.length ? {} : { hoverNodeId: null }) });
      show.addEventListener("mouseenter", point);
      show.addEventListener("focus", point);
      show.addEventListener("mouseleave", unpoint);
      show.addEventListener("blur", unpoint);
      show.addEventListener("click", () => {
        if (!spans.length) return point();
        const k = cycle.get(f.id) || 0; // each click steps to the next span of the finding
        cycle.set(f.id, (k + 1) % spans.length);
        store.set({ selectedSpanId: spans[k], hoverSpanId: spans[k] });
      });
      li.append(show);
      li._spans = new Set(spans);
    }
    return li;
  }

  function drawLessons(a) {
    clear(lessons);
    const group = (title, items, cls) => {
      if (!items || !items.length) return;
      const list = h("ul", { className: `an-list ${cls}` });
      for (const t of items) list.append(h("li", { text: t }));
      lessons.append(
        h("section", { className: "an-lesson" }, h("h4", { className: "an-h", text: title }), list),
      );
    };
    group("Tips", a.tips, "is-tips");
    group("Fixes", a.fixes, "is-fixes");
  }

  function markLinked(state) {
    for (const li of findings.children) {
      const linked = !!li._spans && (li._spans.has(state.selectedSpanId) || li._spans.has(state.hoverSpanId));
      li.classList.toggle("is-linked", linked);
    }
  }

  const changedAny = (a, b, ...keys) => keys.some((k) => a[k] !== b[k]);
  const unsubscribe = store.subscribe((state, prev) => {
    if (state.trace !== prev.trace && prev.trace) {
      cancelAI(store); // a new trace: an answer about the old one would mislead
      store.set({ aiText: "", aiStatus: "idle", aiError: null });
    }
    if (changedAny(state, prev, "analysis", "trace", "analysisError")) draw(state);
    if (state.selectedSpanId !== prev.selectedSpanId || state.hoverSpanId !== prev.hoverSpanId)
      markLinked(state);
    if (changedAny(state, prev, "aiText", "aiStatus", "aiError", "aiModel", "trace")) ai.update(state, prev);
  });
  draw(store.get());

  return {
    destroy() {
      unsubscribe();
      ai.destroy();
      root.remove();
    },
  };
}
