// The baseline badge of a waterfall row ("12× its time in the success variant"), from the current
// comparison's badges. Created on first use inside the row's label; hidden when there is none.

import { currentComparison } from "./compare.js";

export function baselineBadge(row, state, span) {
  const c = currentComparison(state);
  const text = (c && c.badges[span.span_id]) || "";
  let el = row._parts.baseline;
  if (!el) {
    if (!text) return;
    el = document.createElement("span");
    el.className = "wf-baseline";
    el.dataset.testid = "baseline-badge";
    row._parts.label.append(el);
    row._parts.baseline = el;
  }
  if (el.textContent !== text) el.textContent = text;
  el.hidden = !text;
  const tone = /faster|^ok in/.test(text) ? "down" : "up";
  if (el.dataset.tone !== tone) el.dataset.tone = tone;
}
