// The "Check yourself" section of the Learn tab: one card per question of the trace on screen. A
// choice is answered with its buttons; a pick ("Which span decides the response time?") with a click
// on the waterfall or the diagram after "Answer on the trace". The grade comes with an explanation
// either way, "Show the answer" points at the solution, and a wrong answer can be tried again.

import { changed } from "../store.js";
import { h, clear } from "../dom.js";
import { answer, armQuestion, disarm, loadQuiz, retry } from "./quiz.js";
import { loadProgress, onProgress, variantState } from "./progress.js";

export function QuizSection(el, store, api) {
  const head = h("div", { class: "lp-head" });
  const status = h("p", { class: "lp-status", role: "status" });
  const list = h("ol", { class: "lp-questions" });
  el.append(head, status, list);
  let drawnKey = null;

  function drawHead(st) {
    clear(head);
    const quiz = st.quiz;
    head.append(h("h3", { class: "lp-title" }, `Check yourself · ${st.variant}`));
    if (quiz && quiz.scenarioId) {
      const p = variantState(loadProgress(), quiz.scenarioId, quiz.variant);
      if (p.total) head.append(h("span", { class: `lp-progress${p.done ? " is-done" : ""}`, "data-testid": "quiz-progress" },
        p.done ? `✓ all ${p.total} right` : `${p.passed} of ${p.total} right`));
    } else if (quiz) {
      head.append(h("span", { class: "lp-dim" }, "an edited flow: progress is kept for the scenarios as written"));
    }
  }

  function draw() {
    const st = store.get();
    drawHead(st);
    const quiz = st.quiz;
    status.hidden = Boolean(quiz && quiz.status === "ready" && quiz.questions.length);
    status.classList.toggle("is-error", Boolean(quiz && quiz.status === "error"));
    status.textContent = !st.trace ? "Open a scenario: the questions are about its trace."
      : !quiz || quiz.status === "loading" ? "Preparing the questions…"
        : quiz.status === "error" ? `The questions are not available: ${quiz.error}`
          : "No questions for this trace.";
    const key = quiz ? [quiz, st.quizArmed] : null;
    if (key && drawnKey && key[0] === drawnKey[0] && key[1] === drawnKey[1]) return;
    drawnKey = key;
    clear(list);
    if (!quiz || quiz.status !== "ready") return;
    quiz.questions.forEach((q, i) => list.append(card(q, i, quiz, st)));
  }

  function card(q, i, quiz, st) {
    const g = quiz.grades[q.id];
    const pending = quiz.pending === q.id;
    const armed = st.quizArmed === q.id;
    const li = h("li", { class: `lp-q${armed ? " is-armed" : ""}`, "data-testid": "quiz-question", "data-question-id": q.id,
      "data-kind": q.kind, "data-answered": g ? String(g.correct) : null },
    h("p", { class: "lp-q-prompt" }, h("span", { class: "lp-q-n" }, `${i + 1}.`), " ", q.prompt));
    const hint = h("p", { class: "lp-q-hint", hidden: true }, q.hint);
    if (q.kind === "choice") {
      const choices = h("div", { class: "lp-choices", role: "group", "aria-label": "Choices" });
      for (const c of q.choices) {
        const picked = g && g.given && g.given.choice === c.id;
        const right = g && g.solution && g.solution.choice === c.id && g.correct;
        choices.append(h("button", {
          type: "button", class: `lp-choice${picked ? " is-picked" : ""}${right ? " is-right" : ""}${picked && !g.correct ? " is-wrong" : ""}`,
          "data-testid": "quiz-choice", "data-choice": c.id, disabled: Boolean(g) || pending,
          onclick: () => answer(store, api, q.id, { choice: c.id }),
        }, h("span", { class: "lp-choice-id", "aria-hidden": "true" }, c.id), c.label));
      }
      li.append(choices);
    } else if (!g) {
      li.append(h("div", { class: "lp-actions" },
        armed
          ? h("button", { type: "button", class: "lp-button is-armed", "data-testid": "quiz-pick", "aria-pressed": "true",
            onclick: () => disarm(store) }, q.kind === "pick-node" ? "Now click a node on the diagram… (cancel)" : "Now click a span or a node… (cancel)")
          : h("button", { type: "button", class: "lp-button", "data-testid": "quiz-pick", "aria-pressed": "false", disabled: pending,
            onclick: () => armQuestion(store, q.id) }, q.kind === "pick-node" ? "Answer on the diagram" : "Answer on the trace")));
    }
    if (!g) {
      li.append(h("button", { type: "button", class: "text-button lp-hint-btn", onclick: (ev) => {
        hint.hidden = false;
        ev.currentTarget.remove();
      } }, "Hint"), hint);
    }
    if (pending) li.append(h("p", { class: "lp-dim", role: "status" }, "Grading…"));
    if (g) {
      const fb = h("div", { class: `lp-feedback ${g.correct ? "is-right" : "is-wrong"}`, "data-testid": "quiz-feedback",
        "data-correct": String(g.correct), role: "status" },
      h("p", { class: "lp-verdict" }, g.correct ? "✓ Right" : "✗ Not quite"), h("p", {}, g.explanation));
      const actions = h("div", { class: "lp-actions" });
      const sol = g.solution || {};
      if ((sol.span_ids || []).length || (sol.node_ids || []).length) {
        actions.append(h("button", { type: "button", class: "text-button", "data-testid": "quiz-show", onclick: () => {
          if ((sol.span_ids || []).length) store.set({ selectedSpanId: sol.span_ids[0], hoverSpanId: sol.span_ids[0] });
          else store.set({ hoverNodeId: sol.node_ids[0] });
        } }, "◎ Show the answer"));
      }
      if (!g.correct) actions.append(h("button", { type: "button", class: "text-button", "data-testid": "quiz-retry",
        onclick: () => retry(store, q.id) }, "Try again"));
      fb.append(actions);
      li.append(fb);
    }
    return li;
  }

  store.subscribe((st, prev) => {
    if (changed(st, prev, "quiz", "quizArmed", "trace", "variant")) draw();
  });
  onProgress(() => drawHead(store.get()));
  loadQuiz(store, api);
  draw();
}
