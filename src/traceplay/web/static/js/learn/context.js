// The app's actions for learning modules mounted by components that only receive (el, store, api)
// (the Analysis panel's fix offers): set once at boot by installLearning().

let ctx = { actions: null };

export function setLearnContext(next) {
  ctx = { ...ctx, ...next };
}

export function learnContext() {
  return ctx;
}
