// "Fix it, re-run it" in the Analysis panel. For the run on screen, POST /api/fixes lists the fixes
// the trace shows would help, each tied to the finding it answers: the finding gets an "Apply fix"
// block (title, what the fix claims, the button). Applying POSTs /api/fixes/apply and puts the fixed
// flow on the canvas as an edit (undoable) of a custom flow, which the flow library auto-saves
// (js/flows/library.js): the open custom flow is updated; a built-in is first copied into a new one,
// "<name> (fixed)", so the scenario stays as written. The session re-runs the same variant, and the
// Compare tab opens on before/after.

import { changed } from "../store.js";
import { h, clear } from "../dom.js";
import { learnContext } from "./context.js";
import { isScenarioAsWritten, runSource } from "./source.js";
import { setComparison } from "./compare.js";

export function FixOffers(findingsEl, store, api) {
  const extra = h("section", { class: "lp-fixes-extra", hidden: true, "aria-label": "Fixes to try" });
  findingsEl.after(extra);
  let offers = [];
  let offersKey = null;
  let ctl = null;
  let busy = null; // fix id being applied

  async function load() {
    const st = store.get();
    if (!st.flow || !st.trace || !st.analysis) return;
    const source = runSource(st);
    const key = JSON.stringify([source.template || st.flowRev, source.variant, source.faults, st.trace.trace_id]);
    if (key === offersKey) return decorate();
    offersKey = key;
    offers = [];
    decorate();
    if (ctl) ctl.abort();
    const mine = (ctl = new AbortController());
    try {
      const answer = await api.fixOffers(source, mine.signal);
      if (mine.signal.aborted) return;
      offers = answer.offers || [];
    } catch (err) {
      if (err && err.name === "AbortError") return;
      offers = []; // the findings still stand; offers are a bonus, their absence needs no alarm
    }
    decorate();
  }

  function decorate() {
    for (const old of findingsEl.querySelectorAll(".lp-fix")) old.remove();
    clear(extra);
    const loose = [];
    for (const offer of offers) {
      const li = offer.finding_id && findingsEl.querySelector(`[data-finding-id="${CSS.escape(offer.finding_id)}"]`);
      if (li) li.append(block(offer));
      else loose.push(offer);
    }
    extra.hidden = !loose.length;
    if (loose.length) {
      extra.append(h("h4", { class: "an-h" }, "Fixes to try"));
      for (const offer of loose) extra.append(block(offer));
    }
  }

  function block(offer) {
    const btn = h("button", {
      type: "button", class: "lp-button lp-apply", "data-testid": "fix-apply", "data-fix-id": offer.fix_id,
      disabled: Boolean(busy), onclick: () => apply(offer),
    }, busy === offer.fix_id ? "Applying…" : "Apply fix and re-run");
    return h("div", { class: "lp-fix", "data-fix-id": offer.fix_id },
      h("p", { class: "lp-fix-title" }, h("span", { "aria-hidden": "true" }, "🛠 "), offer.title),
      h("p", { class: "lp-fix-claim" }, offer.claim), btn);
  }

  async function apply(offer) {
    const st = store.get();
    const { actions, flows } = learnContext();
    if (busy || !actions) return;
    busy = offer.fix_id;
    decorate();
    const source = runSource(st);
    try {
      const res = await api.applyFix({ ...source, fix_id: offer.fix_id, target: offer.target });
      const before = store.get();
      const baseline = {
        kind: "flow",
        label: "the flow before the fix",
        flow: before.flow,
        template: isScenarioAsWritten(before) ? before.scenarioId : null,
        fix: res.fix,
        claim: res.claim,
        skipTrace: before.trace,
      };
      // a built-in stays as written: the fix goes into a custom copy (saved in My flows); a custom
      // flow is updated in place. Either way one undo takes the fix back.
      const copied = !before.customId && flows ? flows.duplicateCurrent({ suffix: "fixed", quiet: true }) : null;
      const mine = store.get().flow;
      actions.editFlow({ ...res.flow, id: mine.id, name: mine.name }, {
        label: copied ? `Applied: ${res.fix.title} — saved as “${mine.name}” in My flows` : `Applied: ${res.fix.title}`,
      });
      setComparison(store, baseline, res.comparison);
    } catch (err) {
      if (actions) actions.notify(`The fix could not be applied: ${(err && err.message) || err}`, "error");
    } finally {
      busy = null;
      decorate();
    }
  }

  new MutationObserver(() => {
    // the panel redrew its findings: put the blocks back (the observer ignores our own additions)
    if (offers.length && !findingsEl.querySelector(".lp-fix") && findingsEl.querySelector("[data-finding-id]")) decorate();
  }).observe(findingsEl, { childList: true });

  store.subscribe((st, prev) => {
    if (changed(st, prev, "analysis", "trace") && st.analysis) load();
    if (changed(st, prev, "trace") && !st.analysis) {
      offers = [];
      decorate();
    }
  });
  load();
}
