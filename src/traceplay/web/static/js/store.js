// A tiny observable store: data down (subscribe), actions up (set).
//   createStore(initial) -> { get(), set(patch), subscribe(fn) -> unsubscribe }
// fn(state, prev) runs after every set() that changed at least one key (compared with Object.is).
// A set() made while subscribers run is queued and delivered after them, in order, so every
// subscriber sees every state in sequence.

export function createStore(initial = {}) {
  let state = Object.freeze({ ...initial });
  const subscribers = new Set();
  const queue = [];
  let notifying = false;

  function get() {
    return state;
  }

  function set(patch) {
    if (!patch || typeof patch !== "object") throw new TypeError("store.set expects an object");
    let changed = false;
    for (const key of Object.keys(patch)) {
      if (!Object.is(state[key], patch[key])) {
        changed = true;
        break;
      }
    }
    if (!changed) return;
    queue.push(patch);
    if (notifying) return;
    notifying = true;
    try {
      while (queue.length) {
        const next = queue.shift();
        const prev = state;
        state = Object.freeze({ ...prev, ...next });
        for (const fn of [...subscribers]) {
          try {
            fn(state, prev);
          } catch (err) {
            // one broken subscriber must not stop the others; report it like an uncaught error
            setTimeout(() => {
              throw err;
            });
          }
        }
      }
    } finally {
      notifying = false;
    }
  }

  function subscribe(fn) {
    subscribers.add(fn);
    return () => subscribers.delete(fn);
  }

  return { get, set, subscribe };
}

// True when any of `keys` differs between two states: subscribers use it to skip work.
export function changed(state, prev, ...keys) {
  return keys.some((k) => !Object.is(state[k], prev[k]));
}
