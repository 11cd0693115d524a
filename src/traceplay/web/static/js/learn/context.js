// The app's actions for learning modules mounted by components that only receive (el, store, api)
// (the Analysis panel's fix offers) and the flow library (a fix applied to a built-in goes into a
// custom copy): set once at boot by installLearning() and main.js.

let ctx = { actions: null, flows: null };

export function setLearnContext(next) {
  ctx = { ...ctx, ...next };
}

export function learnContext() {
  return ctx;
}
