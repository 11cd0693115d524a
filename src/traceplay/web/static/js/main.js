// Boot: create the store, mount the components, wire the address bar, the theme and the request
// pipeline, then load the catalogue and the scenarios. Data flows down through the store; user
// intent flows up through actions.js.

import { createStore, changed } from "./store.js";
import * as api from "./api.js";
import { createActions, VARIANTS, SPEEDS } from "./actions.js";
import { startSession, describe } from "./session.js";
import { parseSearch, buildSearch, historyAction } from "./logic/url.js";
import { TopBar } from "./TopBar.js";
import { Sidebar } from "./Sidebar.js";
import { Canvas } from "./Canvas.js";
import { Playback } from "./Playback.js";
import { Panels } from "./Panels.js";
import { Story } from "./Story.js";
import { ShortcutsDialog } from "./ShortcutsDialog.js";
import { installShortcuts } from "./keyboard.js";
import { installLearning } from "./learn/index.js";
import { installFlows } from "./flows/library.js";
import { setLearnContext } from "./learn/context.js";
import { installTraces } from "./traces/index.js";
import { readPref, writePref } from "./prefs.js";

const $ = (id) => document.getElementById(id);
const saved = readPref;

const fromUrl = parseSearch(location.search);
const savedSpeed = Number(saved("traceplay.speed", "1"));
const store = createStore({
  // the contract keys (notes/contracts.md)
  flow: null,
  scenarioId: null,
  variant: VARIANTS.includes(fromUrl.variant) ? fromUrl.variant : "success",
  faults: fromUrl.faults,
  trace: null,
  analysis: null,
  cursorMs: 0,
  playing: false,
  speed: SPEEDS.includes(savedSpeed) ? savedSpeed : 1,
  hoverSpanId: null,
  selectedSpanId: null,
  hoverNodeId: null,
  theme: saved("traceplay.theme", "dark") === "light" ? "light" : "dark",
  panel: ["waterfall", "spans", "analysis"].includes(saved("traceplay.panel", "")) ? saved("traceplay.panel", "") : "waterfall",
  aiText: "",
  aiStatus: "idle",
  // app keys
  original: null, // the scenario as written (read-only), for revert and reset layout
  edited: false,
  flowRev: 0, // bumped by structural edits: a new flow to simulate
  templates: null,
  catalogue: null,
  traceEndMs: 0,
  loading: true,
  error: null,
  analysisError: null,
  selection: null, // {kind: "node" | "edge", id}
  connectMode: false,
  drawerOpen: false,
  fitRequest: 0,
  canUndo: false,
  canRedo: false,
  notice: null,
});
const actions = createActions(store);

// ---------------------------------------------------------------- components
const dialog = ShortcutsDialog();
const sidebar = Sidebar($("sidebar"), store, api, actions);
const story = { onBackToRecorded: () => traces.backToRecorded() };
Story($("story"), store, api, actions, story);
const canvas = Canvas($("canvas"), store, api, actions);
const playback = Playback(store, canvas);
TopBar($("topbar"), store, api, { actions, playback, onHelp: () => dialog.open() });
Panels($("panels"), store, api, { layout: $("workspace") });
installShortcuts({ store, actions, canvas, dialog, sidebar });
installLearning({ store, api, actions, canvas, sidebarEl: $("sidebar") });
const flows = installFlows({ store, api, actions }); // custom flows: My flows, auto-save, import/export, share
setLearnContext({ flows }); // "apply fix" saves into a custom copy
const traces = installTraces({ store, api, actions }); // real trace files in (drop, picker) and out (Export)
flows.routeTracesTo(traces); // a trace file given to My flows' Import (or dropped) opens as a trace
startSession(store, api);

// ---------------------------------------------------------------- effects of state
const scrim = $("scrim");
scrim.addEventListener("click", () => actions.toggleDrawer(false));
const toast = $("toast");
let toastTimer = 0;

store.subscribe((st, prev) => {
  if (changed(st, prev, "theme")) {
    document.documentElement.dataset.theme = st.theme;
    writePref("traceplay.theme", st.theme); // private mode: the toggle still works for this page
  }
  if (changed(st, prev, "speed")) writePref("traceplay.speed", st.speed);
  if (changed(st, prev, "panel")) writePref("traceplay.panel", st.panel);
  if (changed(st, prev, "drawerOpen")) {
    document.body.classList.toggle("drawer-open", Boolean(st.drawerOpen));
    scrim.hidden = !st.drawerOpen;
    // a modal drawer on phones: what is behind it cannot be tabbed to or read
    const modal = Boolean(st.drawerOpen) && window.matchMedia("(max-width: 899px)").matches;
    for (const id of ["topbar", "workspace"]) $(id).inert = modal;
    if (!st.drawerOpen && prev.drawerOpen && $("sidebar").contains(document.activeElement)) {
      const btn = document.querySelector("[data-testid='drawer-button']");
      if (btn && btn.offsetParent) btn.focus();
    }
  }
  if (changed(st, prev, "scenarioId", "variant", "faults") && st.scenarioId) {
    const next = { scenario: st.scenarioId, variant: st.variant, faults: st.faults };
    const how = historyAction(location.search, next);
    if (how === "push") history.pushState(next, "", buildSearch(next) || "/");
    else if (how === "replace") history.replaceState(next, "", buildSearch(next) || "/");
  }
  if (changed(st, prev, "notice") && st.notice) {
    toast.textContent = st.notice.message;
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => {
      toast.hidden = true;
    }, 2600);
  }
});

window.addEventListener("popstate", () => {
  const where = parseSearch(location.search);
  const { templates } = store.get();
  if (!where.scenario || !templates || !templates.some((t) => t.id === where.scenario)) return;
  if (where.scenario !== store.get().scenarioId) actions.selectScenario(where.scenario);
  store.set({ variant: VARIANTS.includes(where.variant) ? where.variant : "success", faults: where.faults });
});

// ---------------------------------------------------------------- boot
async function boot() {
  document.documentElement.dataset.theme = store.get().theme;
  try {
    const [catalogue, templates] = await Promise.all([api.getComponents(), api.getTemplates()]);
    store.set({
      catalogue: { ...catalogue, byId: new Map(catalogue.components.map((c) => [c.id, c])) },
      templates,
    });
    const wanted = fromUrl.scenario && templates.some((t) => t.id === fromUrl.scenario) ? fromUrl.scenario : null;
    if (fromUrl.scenario && !wanted) actions.notify(`There is no scenario “${fromUrl.scenario}”; here is the first one.`);
    const first = wanted || (templates[0] && templates[0].id);
    if (!wanted && traces.openFromAddress()) return; // /?trace=NAME: the last import of this tab
    if (!wanted && (await flows.openFromAddress())) return; // /?flow=ID or a share link
    if (first) store.set({ scenarioId: first });
    else actions.newFlow();
  } catch (err) {
    store.set({ loading: false, error: describe(err, "The page could not load its data") });
  }
}

window.__traceplay = { store, actions, api, flows, traces }; // for the browser's devtools (and the benchmarks)
boot();
