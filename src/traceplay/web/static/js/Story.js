// The caption above the canvas: what this scenario and variant teach (title + summary) — or, for an
// imported trace, whether the recorded run or a simulation of its graph is on screen — the
// injected faults (each removable), a quiet "running…" while the server works, and any error in
// plain words with the problems the server listed (which field, which node).

import { changed } from "./store.js";
import { h, icon } from "./dom.js";

export function Story(el, store, api, actions, { onBackToRecorded = () => {} } = {}) {
  const onBack = () => onBackToRecorded();
  el.classList.add("story");
  el.setAttribute("aria-live", "polite");

  function render() {
    const st = store.get();
    el.replaceChildren();
    const variant = st.flow && st.flow.variants ? st.flow.variants[st.variant] : null;
    const head = h("div", { class: "story-head" });
    const imp = st.imported;
    if (imp) {
      const recorded = Boolean(st.trace && st.trace === imp.trace);
      head.dataset.testid = "imported-story";
      head.append(h("span", { class: "story-title", "data-testid": "imported-title" }, recorded ? "Recorded trace" : "Simulated from the recorded trace's graph"));
      head.append(h("span", { class: "story-summary" }, recorded
        ? `${imp.name}: ${imp.spans.toLocaleString()} spans from ${imp.services} service${imp.services === 1 ? "" : "s"}, as recorded. The graph is derived from its calls; edit it, switch variant or inject a fault to simulate it instead.`
        : `The ${st.variant} variant${Object.keys(st.faults || {}).length ? " with faults" : ""} of ${st.edited ? "your edit of " : ""}the graph, with each call at its usual latency: not the recorded run.`));
      if (!recorded && !st.loading) {
        head.append(h("button", { type: "button", class: "text-button small", "data-testid": "back-to-recorded", onclick: onBack }, "Back to the recorded trace"));
      }
    } else if (variant && variant.title) {
      head.append(h("span", { class: `story-title tone-${variant.severity || "info"}` },
        h("span", { class: `sev sev-${variant.severity || "info"}`, "aria-hidden": "true" }), variant.title));
      if (variant.summary) head.append(h("span", { class: "story-summary" }, variant.summary));
    } else if (st.flow && !st.original) {
      head.append(h("span", { class: "story-title" }, "Your flow"),
        h("span", { class: "story-summary" }, st.flow.nodes.length
          ? "success uses each component's usual latency; slow and error put a fault on the deepest call."
          : "Add components and calls; it runs as soon as it has a node."));
    } else if (st.flow && st.flow.description) {
      head.append(h("span", { class: "story-summary" }, st.flow.description));
    }
    if (st.loading) head.append(h("span", { class: "story-running", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), "running…"));
    el.append(head);

    const faults = Object.entries(st.faults || {});
    if (faults.length) {
      const chips = h("div", { class: "fault-chips", "aria-label": "Injected faults" });
      for (const [node, kind] of faults) {
        chips.append(h("span", { class: `fault-chip fault-${kind}`, "data-testid": "fault-chip", "data-node-id": node },
          h("span", {}, `${node}: ${kind}`),
          h("button", { type: "button", class: "chip-x", "aria-label": `Remove the ${kind} fault on ${node}`, onclick: () => actions.setFault(node, null) }, icon("close", { size: 12 }))));
      }
      if (faults.length > 1) chips.append(h("button", { type: "button", class: "text-button", onclick: () => actions.clearFaults() }, "Clear all"));
      el.append(chips);
    }

    const err = st.error || (st.analysisError && st.trace ? { ...st.analysisError, soft: true } : null);
    if (err) {
      const problems = (err.details && err.details.problems) || [];
      const box = h("div", { class: `story-error${err.soft ? " soft" : ""}`, role: err.soft ? "note" : "alert", "data-testid": "story-error" },
        h("strong", {}, `${err.title || "Error"}: `), h("span", {}, err.message));
      if (problems.length > 1) {
        const ul = h("ul", {});
        for (const p of problems.slice(0, 6)) ul.append(h("li", {}, p.loc ? `${p.loc}: ${p.message}` : p.message));
        box.append(ul);
      }
      if (!err.soft) box.append(h("button", { type: "button", class: "text-button", onclick: () => store.set({ retryRequest: (store.get().retryRequest || 0) + 1 }) }, "Try again"));
      el.append(box);
    }
  }

  store.subscribe((st, prev) => {
    if (changed(st, prev, "flow", "variant", "loading", "error", "analysisError", "faults", "original", "trace", "imported")) render();
  });
  render();
}
