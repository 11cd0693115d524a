// Real traces in and out of the page. Import: a trace file (OTLP JSON or JSON Lines, Jaeger, Zipkin
// v2, Chrome trace events, a traceplay trace) picked or dropped on the page goes to
// POST /api/traces/import, which answers the trace, the service graph derived from it, the format
// and how many traces the file holds. The graph goes on the canvas and the recorded trace plays on
// it, with waterfall, spans and analysis (session.js shows `state.imported.trace` instead of a
// simulation while the graph, variant and faults are as imported). Editing the graph, switching
// variant or injecting a fault simulates the graph instead; "Back to the recorded trace" returns.
// "Save to My flows" (the canvas banner) keeps the graph as a custom flow. The last import is also
// kept in sessionStorage (when it fits) so a reload of /?trace=… shows it again.
// Export: the trace on screen as OTLP, Jaeger, Zipkin or Chrome JSON (POST /api/traces/export),
// or as a traceplay trace (the Trace contract, written here).
//
//   const traces = installTraces({store, api, actions});  await traces.openFromAddress()  (at boot)

import { structureKey } from "../logic/flowedit.js";
import { download } from "../flows/io.js";
import { ExportMenu } from "./ExportMenu.js";
import { TraceSection } from "./TraceSection.js";
import { formatLabel, isTraceFile } from "./files.js";

const SESSION_KEY = "traceplay.importedTrace";
const MAX_SESSION_CHARS = 4_000_000; // sessionStorage holds ~5 MB per origin

export function installTraces({ store, api, actions }) {
  let lastFile = null; // the File behind the trace on screen, to pick another trace of the same file
  let ctl = null;

  async function importFile(file, { index = 0 } = {}) {
    const name = file.name || "trace.json";
    if (ctl) ctl.abort();
    const mine = (ctl = new AbortController());
    store.set({ traceImport: { status: "loading", name } });
    let answer;
    try {
      answer = await api.importTrace(file, { name, index, signal: mine.signal });
    } catch (err) {
      if (err && err.name === "AbortError") return false;
      // nothing on screen changes: the error says what is wrong and where
      const problems = (err && err.details && err.details.problems) || [];
      store.set({
        traceImport: {
          status: "error", name,
          message: (err && err.message) || "the file could not be read",
          problems: problems.map((p) => (p.loc ? `${p.loc}: ${p.message}` : p.message)).slice(0, 8),
        },
      });
      return false;
    }
    if (mine.signal.aborted) return false;
    lastFile = file;
    open(answer, { name, index });
    remember(answer, name, index);
    writeAddress(name, "push");
    return true;
  }

  // Put an import's answer on screen: its graph on the canvas, its recorded trace in the panels.
  function open(answer, { name, index }) {
    const flow = answer.flow;
    const spans = answer.trace.spans;
    const imported = {
      trace: answer.trace,
      flow,
      flowKey: structureKey(flow),
      variant: "success",
      name,
      index,
      format: answer.format,
      traces: answer.traces,
      spans: spans.length,
      services: new Set(spans.map((s) => s.service)).size,
    };
    actions.openFlow(flow, {
      variant: "success",
      faults: {},
      extra: {
        original: flow, // "Revert" and "Reset layout" go back to the graph as derived
        customId: null,
        saveStatus: null,
        imported,
        traceImport: { status: "done", name },
        panel: "waterfall",
      },
    });
    actions.notify(`Opened ${name}: ${imported.spans.toLocaleString()} spans from ${imported.services} service${imported.services === 1 ? "" : "s"} (${formatLabel(answer.format)}).`);
  }

  function backToRecorded() {
    const st = store.get();
    if (!st.imported) return;
    if (st.flow !== st.imported.flow && structureKey(st.flow) !== st.imported.flowKey) actions.revert();
    store.set({ variant: st.imported.variant, faults: {} });
  }

  async function pickTrace(index) {
    const st = store.get();
    if (!st.imported || index === st.imported.index) return;
    if (lastFile) {
      await importFile(lastFile, { index });
      return;
    }
    actions.notify("Open the file again to pick another of its traces.", "error");
  }

  async function exportTrace(format) {
    const { trace } = store.get();
    if (!trace) return;
    try {
      if (format === "traceplay") {
        download(`trace-${trace.trace_id}.trace.json`, JSON.stringify(trace, null, 2) + "\n");
      } else {
        const { blob, filename } = await api.exportTrace(trace, format);
        download(filename, blob, blob.type || "application/json");
      }
      actions.notify(`Exported the trace as ${formatLabel(format)}.`);
    } catch (err) {
      actions.notify(`The export failed: ${(err && err.message) || err}`, "error");
    }
  }

  // At boot: /?trace=NAME reopens the last import of this tab (sessionStorage), if it was kept.
  function openFromAddress() {
    const wanted = new URLSearchParams(location.search).get("trace");
    if (wanted === null) return false;
    let kept = null;
    try {
      kept = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
    } catch {
      kept = null;
    }
    if (!kept || !kept.answer || kept.name !== wanted) {
      actions.notify(`The trace “${wanted}” is no longer in this tab; open the file again (or drop it on the page).`);
      return false;
    }
    open(kept.answer, { name: kept.name, index: kept.index || 0 });
    return true;
  }

  function remember(answer, name, index) {
    let text = "";
    try {
      text = JSON.stringify({ answer, name, index });
    } catch {
      text = "";
    }
    try {
      if (text && text.length <= MAX_SESSION_CHARS) sessionStorage.setItem(SESSION_KEY, text);
      else sessionStorage.removeItem(SESSION_KEY);
    } catch {
      // no room: the trace stays on screen; a reload would need the file again
      try {
        sessionStorage.removeItem(SESSION_KEY);
      } catch {
        /* storage unavailable */
      }
    }
  }

  function writeAddress(name, how) {
    const url = `?${new URLSearchParams({ trace: name })}`;
    if (location.search === url) return;
    if (how === "push") history.pushState({ trace: name }, "", url);
    else history.replaceState({ trace: name }, "", url);
  }

  // leaving the imported trace (a scenario, a custom flow, a new flow) forgets it
  store.subscribe((st, prev) => {
    if (!st.imported) return;
    if ((st.scenarioId && !prev.scenarioId) || (st.customId && !prev.customId) || (st.original !== st.imported.flow && st.original !== prev.original)) {
      store.set({ imported: null, traceImport: null });
    }
  });

  const lib = { importFile, isTraceFile, backToRecorded, pickTrace, exportTrace, openFromAddress };
  store.set({ imported: null, traceImport: null });
  TraceSection(document.getElementById("sidebar"), store, lib);
  ExportMenu(store, lib);
  return lib;
}
