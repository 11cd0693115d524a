// The Learn tab: "Check yourself" (questions about the trace on screen) and "Learning path" (the
// scenarios in levels, with progress and the next one to open), switched by two buttons.

import { changed } from "../store.js";
import { h, clear } from "../dom.js";
import { learnContext } from "./context.js";
import { QuizSection } from "./Quiz.js";
import { LearningPathSection } from "./LearningPath.js";

const VIEWS = [
  { id: "quiz", label: "Check yourself" },
  { id: "path", label: "Learning path" },
];

export function LearnPanel(el, store, api) {
  const switcher = h("div", { class: "lp-switch", role: "group", "aria-label": "Learn" });
  const sections = new Map();
  for (const v of VIEWS) {
    switcher.append(h("button", { type: "button", class: "lp-switch-btn", "data-testid": `learn-view-${v.id}`, "data-view": v.id,
      "aria-pressed": "false", onclick: () => store.set({ learnView: v.id }) }, v.label));
    sections.set(v.id, h("section", { class: `lp-section lp-${v.id}`, "aria-label": v.label, hidden: true }));
  }
  const root = h("div", { class: "lp lp-learn" }, switcher, ...sections.values());
  clear(el);
  el.append(root);
  QuizSection(sections.get("quiz"), store, api);
  LearningPathSection(sections.get("path"), store, api, learnContext().actions);

  function show(st) {
    const view = VIEWS.some((v) => v.id === st.learnView) ? st.learnView : "quiz";
    for (const b of switcher.children) b.setAttribute("aria-pressed", String(b.dataset.view === view));
    for (const [id, sec] of sections) sec.hidden = id !== view;
  }
  store.subscribe((st, prev) => {
    if (changed(st, prev, "learnView")) show(st);
  });
  show(store.get());
}
