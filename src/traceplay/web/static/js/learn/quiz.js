// Check yourself: the questions of POST /api/quiz for the trace on screen, answered by a choice or by
// a click — a span in the waterfall/spans/compare list, or a node on the canvas — while a question is
// *armed* (state.quizArmed). POST /api/quiz/grade grades it (with an explanation either way); the
// result is kept in state.quiz.grades and in the progress store (progress.js).
//
// state.quiz = {trace, scenarioId, variant, status: "loading"|"ready"|"error", error, questions,
//               grades: {questionId: Grade}, pending: questionId | null}

import { isScenarioAsWritten, traceSource } from "./source.js";
import { recordAnswer } from "./progress.js";
import { stopStepping } from "./steps.js";

let ctl = null;

export function loadQuiz(store, api) {
  const st = store.get();
  if (!st.trace || (st.quiz && st.quiz.trace === st.trace)) return;
  if (ctl) ctl.abort();
  const mine = (ctl = new AbortController());
  const base = { trace: st.trace, scenarioId: isScenarioAsWritten(st) ? st.scenarioId : null, variant: st.variant };
  store.set({ quiz: { ...base, status: "loading", questions: [], grades: {}, pending: null }, quizArmed: null });
  api.quiz(traceSource(st), mine.signal).then(
    (answer) => {
      if (mine.signal.aborted) return;
      store.set({ quiz: { ...base, status: "ready", questions: answer.questions || [], grades: {}, pending: null } });
    },
    (err) => {
      if (err && err.name === "AbortError") return;
      store.set({ quiz: { ...base, status: "error", error: (err && err.message) || String(err), questions: [], grades: {}, pending: null } });
    },
  );
}

export function armQuestion(store, questionId) {
  stopStepping(store);
  const q = store.get().quiz && store.get().quiz.questions.find((x) => x.id === questionId);
  const patch = { quizArmed: questionId, selectedSpanId: null, selection: null };
  // a span question is answered in the waterfall: bring it into view (the diagram is always there)
  if (q && q.kind === "pick-span" && store.get().panel === "learn") patch.panel = "waterfall";
  store.set(patch);
}

export function disarm(store) {
  if (store.get().quizArmed) store.set({ quizArmed: null });
}

export function retry(store, questionId) {
  const quiz = store.get().quiz;
  if (!quiz) return;
  const grades = { ...quiz.grades };
  delete grades[questionId];
  store.set({ quiz: { ...quiz, grades } });
}

export async function answer(store, api, questionId, given) {
  const quiz = store.get().quiz;
  const q = quiz && quiz.questions.find((x) => x.id === questionId);
  if (!q || quiz.pending) return;
  store.set({ quiz: { ...quiz, pending: questionId }, quizArmed: null });
  try {
    const grade = await api.gradeAnswer({ question: q, answer: given });
    const now = store.get().quiz;
    if (!now || now.trace !== quiz.trace) return;
    store.set({ quiz: { ...now, pending: null, grades: { ...now.grades, [questionId]: { ...grade, given } } }, quizLast: questionId });
    recordAnswer(quiz.scenarioId, quiz.variant, quiz.questions.map((x) => x.id), questionId, grade.correct);
  } catch (err) {
    const now = store.get().quiz;
    if (now) store.set({ quiz: { ...now, pending: null } });
    store.set({ notice: { message: `Could not grade the answer: ${(err && err.message) || err}`, tone: "error", at: performance.now() } });
  }
}

// clicks on the trace or the diagram answer the armed question
export function startQuiz(store, api) {
  store.subscribe((st, prev) => {
    if (st.panel === "learn" && st.trace && (st.panel !== prev.panel || st.trace !== prev.trace)) loadQuiz(store, api);
    if (st.trace !== prev.trace && st.quizArmed) store.set({ quizArmed: null });
    const armed = st.quizArmed;
    if (!armed || armed !== prev.quizArmed) return; // armed before this change: the arming itself is no answer
    const q = st.quiz && st.quiz.questions.find((x) => x.id === armed);
    if (!q) return;
    if (st.selection !== prev.selection && st.selection && st.selection.kind === "node") {
      const nodeId = st.selection.id;
      const spans = ((st.trace && st.trace.spans) || []).filter((s) => s.node_id === nodeId);
      const given = { node_id: nodeId };
      if (q.kind === "pick-span" && spans.length === 1) given.span_id = spans[0].span_id;
      answer(store, api, armed, given);
    } else if (st.selectedSpanId !== prev.selectedSpanId && st.selectedSpanId && st.selection === prev.selection) {
      answer(store, api, armed, { span_id: st.selectedSpanId });
    }
  });
}
