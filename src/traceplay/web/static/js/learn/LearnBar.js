// The learning tools on the canvas (top right): ⇄ Compare, ◆ Critical path (drawn on the diagram),
// ⏵ Step through. Below them, while stepping, the caption: "Step 3 of 9 · 140 ms", the step's
// sentence, the scenario's notes for it, ← / → buttons. While a check-yourself question waits for a
// click on the trace, a banner says which, and then shows the grade.

import { changed } from "../store.js";
import { h, clear } from "../dom.js";
import { formatMs } from "../logic/format.js";
import { compareWithVariant, defaultBaselineVariant, stopComparing } from "./compare.js";
import { goTo, startStepping, stepBy, stopStepping } from "./steps.js";
import { disarm } from "./quiz.js";

export function LearnBar(canvasEl, store, api) {
  const compareBtn = h("button", {
    type: "button", class: "tool-button lp-tool", "data-testid": "compare-button", "aria-pressed": "false",
    title: "Compare this run with another variant", "aria-label": "Compare with another variant",
    onclick: () => {
      const st = store.get();
      if (st.baseline && st.panel === "compare") stopComparing(store);
      else if (st.baseline) store.set({ panel: "compare" });
      else compareWithVariant(store, defaultBaselineVariant(st));
    },
  }, h("span", { class: "lp-tool-icon", "aria-hidden": "true" }, "⇄"), h("span", { class: "lp-tool-text" }, "Compare"));
  const criticalBtn = h("button", {
    type: "button", class: "tool-button lp-tool", "data-testid": "critical-toggle", "aria-pressed": "false",
    title: "Draw the critical path on the diagram", "aria-label": "Critical path on the diagram",
    onclick: () => store.set({ criticalOverlay: !store.get().criticalOverlay }),
  }, h("span", { class: "lp-tool-icon", "aria-hidden": "true" }, "◆"), h("span", { class: "lp-tool-text" }, "Critical path"));
  const stepBtn = h("button", {
    type: "button", class: "tool-button lp-tool", "data-testid": "step-toggle", "aria-pressed": "false",
    title: "Step through the request hop by hop (← →)", "aria-label": "Step through hop by hop",
    onclick: () => (store.get().stepping ? stopStepping(store) : startStepping(store, api)),
  }, h("span", { class: "lp-tool-icon", "aria-hidden": "true" }, "⏯"), h("span", { class: "lp-tool-text" }, "Step"));
  const bar = h("div", { class: "lp-bar", role: "toolbar", "aria-label": "Learning tools" }, compareBtn, criticalBtn, stepBtn);

  // ---- the step caption
  const count = h("span", { class: "lp-cap-count" });
  const text = h("p", { class: "lp-cap-text" });
  const notes = h("ul", { class: "lp-cap-notes" });
  const prevBtn = h("button", { type: "button", class: "tool-button lp-tool", "data-testid": "step-prev", "aria-label": "Previous step (←)",
    title: "Previous step (←)", onclick: () => stepBy(store, -1) }, "←");
  const nextBtn = h("button", { type: "button", class: "tool-button lp-tool", "data-testid": "step-next", "aria-label": "Next step (→)",
    title: "Next step (→)", onclick: () => stepBy(store, 1) }, "→");
  const closeBtn = h("button", { type: "button", class: "tool-button lp-tool", "aria-label": "Stop stepping (Esc)", title: "Stop stepping (Esc)",
    onclick: () => stopStepping(store) }, "✕");
  const caption = h("section", { class: "lp-caption", "data-testid": "step-caption", "aria-live": "polite", hidden: true,
    "aria-label": "Step-through" },
  h("div", { class: "lp-cap-head" }, count, h("span", { class: "lp-cap-nav" }, prevBtn, nextBtn, closeBtn)), text, notes);

  // ---- the banner of an armed question
  const banner = h("section", { class: "lp-banner", "data-testid": "quiz-banner", "aria-live": "polite", hidden: true,
    "aria-label": "Question" });

  canvasEl.append(bar, caption, banner);

  function drawCaption(st) {
    const s = st.stepping;
    caption.hidden = !s;
    if (!s) return;
    if (s.loading) {
      count.textContent = "Step-through";
      text.textContent = "Telling the request hop by hop…";
      clear(notes);
      prevBtn.disabled = nextBtn.disabled = true;
      return;
    }
    const step = s.steps[s.index];
    if (!step) {
      count.textContent = "Step-through";
      text.textContent = "This trace has no steps.";
      return;
    }
    count.textContent = `Step ${s.index + 1} of ${s.steps.length} · ${formatMs(step.t_ms)}${step.after_response ? " · after the response" : ""}`;
    caption.dataset.kind = step.kind;
    caption.dataset.status = step.status;
    text.textContent = step.text;
    clear(notes);
    for (const n of step.notes || []) {
      notes.append(h("li", { class: `lp-note sev-${n.severity || "info"}` }, h("strong", {}, n.title), n.detail ? ` — ${n.detail}` : ""));
    }
    notes.hidden = !(step.notes || []).length;
    prevBtn.disabled = s.index <= 0;
    nextBtn.disabled = s.index >= s.steps.length - 1;
  }

  function drawBanner(st) {
    const quiz = st.quiz;
    const armed = st.quizArmed && quiz && quiz.questions.find((q) => q.id === st.quizArmed);
    const last = !armed && st.quizLast && quiz && quiz.grades[st.quizLast] && quiz.questions.find((q) => q.id === st.quizLast);
    const show = armed || (last && last.kind !== "choice" && st.panel !== "learn");
    banner.hidden = !show;
    clear(banner);
    if (!show) return;
    const q = armed || last;
    banner.append(h("p", { class: "lp-banner-q" }, q.prompt));
    if (armed) {
      banner.append(h("p", { class: "lp-dim" }, q.kind === "pick-node" ? "Click a node on the diagram." : "Click a span in the waterfall, or a node on the diagram."),
        h("div", { class: "lp-actions" }, h("button", { type: "button", class: "text-button", onclick: () => disarm(store) }, "Cancel")));
      return;
    }
    const g = quiz.grades[q.id];
    banner.dataset.correct = String(g.correct);
    banner.append(h("p", { class: `lp-verdict ${g.correct ? "is-right" : "is-wrong"}` }, g.correct ? "✓ Right" : "✗ Not quite"),
      h("p", {}, g.explanation),
      h("div", { class: "lp-actions" },
        h("button", { type: "button", class: "text-button", onclick: () => store.set({ panel: "learn", quizLast: null }) }, "Back to the questions"),
        h("button", { type: "button", class: "text-button", onclick: () => store.set({ quizLast: null }) }, "Close")));
  }

  store.subscribe((st, prev) => {
    if (changed(st, prev, "baseline", "panel")) compareBtn.setAttribute("aria-pressed", String(Boolean(st.baseline)));
    if (changed(st, prev, "criticalOverlay")) criticalBtn.setAttribute("aria-pressed", String(Boolean(st.criticalOverlay)));
    if (changed(st, prev, "stepping")) {
      stepBtn.setAttribute("aria-pressed", String(Boolean(st.stepping)));
      drawCaption(st);
    }
    if (changed(st, prev, "trace")) {
      compareBtn.disabled = !st.trace;
      stepBtn.disabled = !st.trace;
      criticalBtn.disabled = !st.trace;
    }
    if (changed(st, prev, "quiz", "quizArmed", "quizLast", "panel")) drawBanner(st);
  });
  compareBtn.disabled = stepBtn.disabled = criticalBtn.disabled = !store.get().trace;
  drawCaption(store.get());
  return { goTo: (i) => goTo(store, i) };
}
