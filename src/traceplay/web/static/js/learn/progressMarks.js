// A check mark on each scenario in the sidebar whose check-yourself questions were answered (✓ when
// a variant is done, • when started). Sidebar.js redraws its list on search and on a new scenario;
// an observer puts the marks back, so the sidebar needs no knowledge of progress.

import { h } from "../dom.js";
import { loadProgress, onProgress, scenarioState } from "./progress.js";

export function progressMarks(sidebarEl) {
  let data = loadProgress();

  function decorate() {
    for (const item of sidebarEl.querySelectorAll("[data-testid='scenario-item']")) {
      const id = item.dataset.scenarioId;
      const st = scenarioState(data, id);
      let mark = item.querySelector(".lp-mark");
      if (!st.level) {
        if (mark) mark.remove();
        continue;
      }
      const text = st.level === "done" ? "✓" : "•";
      const title = st.level === "done" ? `Checked yourself: ${st.doneVariants.join(", ")}` : "Check yourself: started";
      if (!mark) {
        mark = h("span", { class: "lp-mark", "data-testid": "progress-mark", "data-scenario-id": id });
        const dots = item.querySelector(".sev-dots");
        if (dots) dots.before(mark);
        else item.append(mark);
      }
      if (mark.textContent !== text) mark.textContent = text;
      mark.dataset.level = st.level;
      mark.title = title;
      mark.setAttribute("aria-label", title);
    }
  }

  const observer = new MutationObserver((records) => {
    if (records.some((r) => [...r.addedNodes].some((n) => n instanceof Element && !n.classList.contains("lp-mark")))) decorate();
  });
  observer.observe(sidebarEl, { childList: true, subtree: true });
  onProgress((next) => {
    data = next;
    decorate();
  });
  decorate();
  return { refresh: decorate };
}
