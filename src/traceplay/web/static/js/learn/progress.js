// Check-yourself progress, kept in the browser: localStorage "traceplay.progress.v1" =
//   {version: 1, scenarios: {scenarioId: {variant: {questions: [ids], passed: [ids], tries: n}}}}
// A variant is done when every one of its questions was answered right (retries allowed); a
// scenario gets its check mark in the sidebar when one of its variants is done.

const KEY = "traceplay.progress.v1";
const listeners = new Set();

export function loadProgress() {
  try {
    const data = JSON.parse(localStorage.getItem(KEY) || "null");
    if (data && data.version === 1 && data.scenarios && typeof data.scenarios === "object") return data;
  } catch {
    /* a damaged entry starts over */
  }
  return { version: 1, scenarios: {} };
}

function save(data) {
  try {
    localStorage.setItem(KEY, JSON.stringify(data));
  } catch {
    /* private mode: progress lasts for this page */
  }
  for (const fn of listeners) fn(data);
}

export function onProgress(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function recordAnswer(scenarioId, variant, questionIds, questionId, correct) {
  if (!scenarioId || !variant) return;
  const data = loadProgress();
  const sc = (data.scenarios[scenarioId] ||= {});
  const v = (sc[variant] ||= { questions: [], passed: [], tries: 0 });
  v.questions = [...new Set([...questionIds])];
  v.tries += 1;
  if (correct && !v.passed.includes(questionId)) v.passed.push(questionId);
  save(data);
}

export function variantState(data, scenarioId, variant) {
  const v = data.scenarios[scenarioId] && data.scenarios[scenarioId][variant];
  if (!v) return { done: false, passed: 0, total: 0 };
  const passed = v.questions.filter((q) => v.passed.includes(q)).length;
  return { done: v.questions.length > 0 && passed === v.questions.length, passed, total: v.questions.length };
}

// {level: "done" | "started" | null, doneVariants: [...]} for one scenario
export function scenarioState(data, scenarioId) {
  const sc = data.scenarios[scenarioId];
  if (!sc) return { level: null, doneVariants: [] };
  const doneVariants = Object.keys(sc).filter((v) => variantState(data, scenarioId, v).done);
  return { level: doneVariants.length ? "done" : "started", doneVariants };
}
