// The learning loop in the page (docs/learning.md): compare, critical path on the diagram, fix and
// re-run, step-through, check yourself and the learning path. Mounted once by main.js after the
// canvas and the sidebar; the Compare and Learn tabs are panels loaded by Panels.js.

import { setLearnContext } from "./context.js";
import { startComparing } from "./compare.js";
import { canvasMarks } from "./canvasMarks.js";
import { LearnBar } from "./LearnBar.js";
import { followTrace, installStepKeys } from "./steps.js";
import { startQuiz } from "./quiz.js";
import { progressMarks } from "./progressMarks.js";

export function installLearning({ store, api, actions, canvas, sidebarEl }) {
  setLearnContext({ actions });
  startComparing(store, api);
  followTrace(store, api);
  startQuiz(store, api);
  canvasMarks(canvas, store);
  LearnBar(canvas.el, store, api);
  installStepKeys(store);
  progressMarks(sidebarEl);
}
