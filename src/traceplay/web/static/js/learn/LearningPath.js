// The "Learning path" section of the Learn tab: the 43 scenarios in levels from first steps to
// advanced patterns (GET /api/learning-path), each with its check mark, and the next one to open —
// the first not yet checked, after the one on screen.

import { changed } from "../store.js";
import { h, clear } from "../dom.js";
import { loadProgress, onProgress, scenarioState } from "./progress.js";

// the first scenario in path order after `current` (wrapping) whose check is not done
export function nextScenario(levels, data, current) {
  const order = levels.flatMap((lv) => lv.scenarios.map((s) => s.id));
  if (!order.length) return null;
  const from = Math.max(0, order.indexOf(current));
  for (let k = 1; k <= order.length; k++) {
    const id = order[(from + k) % order.length];
    if (scenarioState(data, id).level !== "done") return id;
  }
  return null;
}

export function LearningPathSection(el, store, api, actions) {
  const next = h("div", { class: "lp-next" });
  const levelsEl = h("ol", { class: "lp-levels" });
  const status = h("p", { class: "lp-status", role: "status" }, "Loading the learning path…");
  el.append(next, status, levelsEl);
  let levels = null;

  function draw() {
    if (!levels) return;
    const st = store.get();
    const data = loadProgress();
    const byId = new Map(levels.flatMap((lv) => lv.scenarios.map((s) => [s.id, s])));
    const total = byId.size;
    const done = [...byId.keys()].filter((id) => scenarioState(data, id).level === "done").length;
    clear(next);
    const nid = nextScenario(levels, data, st.scenarioId);
    next.append(h("p", { class: "lp-dim" }, `${done} of ${total} scenarios checked`));
    if (nid) {
      const s = byId.get(nid);
      next.append(h("p", { class: "lp-next-line" }, "Next: ", h("strong", {}, s.name), ` — ${s.description}`),
        h("button", { type: "button", class: "lp-button", "data-testid": "path-next", "data-scenario-id": nid,
          onclick: () => open(nid) }, `Open ${s.name}`));
    } else {
      next.append(h("p", { class: "lp-next-line" }, "Every scenario checked. Try the other variants, or build your own flow."));
    }
    clear(levelsEl);
    for (const lv of levels) {
      const items = h("ul", { class: "lp-level-items" });
      for (const s of lv.scenarios) {
        const p = scenarioState(data, s.id);
        items.append(h("li", {}, h("button", {
          type: "button", class: `lp-path-item${s.id === st.scenarioId ? " is-current" : ""}${s.id === nid ? " is-next" : ""}`,
          "data-testid": "path-scenario", "data-scenario-id": s.id, "aria-current": s.id === st.scenarioId ? "true" : null,
          title: s.description, onclick: () => open(s.id),
        }, h("span", { class: `lp-path-mark${p.level ? ` is-${p.level}` : ""}`, "aria-hidden": "true" }, p.level === "done" ? "✓" : p.level ? "•" : "○"),
        h("span", {}, s.name), p.level === "done" ? h("span", { class: "sr-only" }, " (checked)") : null)));
      }
      levelsEl.append(h("li", { class: "lp-level" },
        h("h4", { class: "lp-level-title" }, h("span", { class: "lp-level-n" }, String(lv.number)), lv.title),
        h("p", { class: "lp-dim" }, lv.summary), items));
    }
  }

  function open(id) {
    if (actions) actions.selectScenario(id);
  }

  api.learningPath().then(
    (answer) => {
      levels = answer.levels || [];
      status.hidden = true;
      draw();
    },
    (err) => {
      status.textContent = `The learning path is not available: ${(err && err.message) || err}`;
      status.classList.add("is-error");
    },
  );
  store.subscribe((st, prev) => {
    if (changed(st, prev, "scenarioId")) draw();
  });
  onProgress(draw);
}
