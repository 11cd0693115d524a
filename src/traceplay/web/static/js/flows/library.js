// The custom-flow library: what is stored (storage.js), what is open (store.customId), and every
// user action on them — create, open, rename, delete (with undo), duplicate a built-in to edit it,
// export, import, share — plus auto-save, the address (/?flow=ID&variant=V), and a second tab
// saving the same flow (the later save wins; this tab is told and shows it).
//
//   const lib = installFlows({store, api, actions});  await lib.openFromAddress()  (at boot)

import { changed } from "../store.js";
import { emptyFlow, uniqueId } from "../logic/flowedit.js";
import { createAutosave, createFlowStorage, idOfKey, migrate, QUARANTINE_KEY } from "./storage.js";
import { renameCommand } from "./commands.js";
import { download, exportable, fileNameFor, flowText, readFlowFiles } from "./io.js";
import { decodeFlow, sharedPayload, shareUrl } from "./share.js";
import { choose, showImportReport } from "./dialogs.js";
import { NewFlowDialog } from "./NewFlowDialog.js";
import { MyFlows } from "./MyFlows.js";
import { SaveStatus, DuplicateBanner } from "./indicators.js";

const FAULTS = new Set(["slow", "down", "timeout", "error"]);
const AUTOSAVE_MS = 400;

export function installFlows({ store, api, actions }) {
  const tab = Math.random().toString(36).slice(2, 10);
  const storage = createFlowStorage({ tab });
  const entries = new Map(); // id -> the latest entry, saved or not
  const unsaved = new Set();
  let applyingRemote = false;

  const report = storage.load();
  for (const e of report.entries) entries.set(e.id, e);

  const autosave = createAutosave((job) => {
    const res = storage.save(job);
    if (res.ok) {
      entries.set(job.id, res.entry);
      unsaved.delete(job.id);
    } else {
      unsaved.add(job.id);
    }
    return res;
  }, { delay: AUTOSAVE_MS, onState: onSaveState });

  function onSaveState(state, res, job) {
    const patch = { saveStatus: state };
    if (state !== "saving") patch.customFlows = summaries();
    store.set(patch);
    if (state === "error") quotaAlert(job, res);
    else if (state === "saved" && store.get().flowsAlert && store.get().flowsAlert.kind === "quota") {
      store.set({ flowsAlert: null });
      actions.notify("Saved again: the browser had room this time.");
    }
  }

  function quotaAlert(job, res) {
    const full = res && res.reason === "quota";
    store.set({
      flowsAlert: {
        tone: "error", kind: "quota",
        message: full
          ? `Browser storage is full: “${job.flow.name}” could not be saved. It stays open in this tab — export it to keep a copy, or delete flows you no longer need.`
          : `“${job.flow.name}” could not be saved: ${res ? res.message : "storage is not available"} It stays open in this tab; export it to keep a copy.`,
        actions: [{ label: "Export .json", testid: "alert-export", run: () => exportFlow(job.id) }],
      },
    });
  }

  function summaries() {
    return [...entries.values()].map((e) => ({
      id: e.id, name: e.flow.name, description: e.flow.description || "", nodes: e.flow.nodes.length, unsaved: unsaved.has(e.id),
    }));
  }

  function takenIds() {
    const ids = new Set(entries.keys());
    for (const t of store.get().templates || []) ids.add(t.id);
    return ids;
  }

  function freshId(base) {
    const slug = String(base || "flow").toLowerCase().replace(/[^a-z0-9_.:-]+/g, "-").replace(/^-+|-+$/g, "") || "flow";
    return uniqueId(slug, takenIds());
  }

  // Add a new entry (saved at once); answers it. The flow's id is the entry's id.
  function add(flow, { faults = {}, variant = "success" } = {}) {
    const now = Date.now();
    const entry = { schema: 1, id: flow.id, flow, faults, variant, created: now, updated: now, rev: 0 };
    entries.set(entry.id, entry);
    const res = storage.save(entry);
    if (res.ok) {
      entries.set(entry.id, res.entry);
      unsaved.delete(entry.id);
    } else {
      unsaved.add(entry.id);
      quotaAlert(entry, res);
    }
    store.set({ customFlows: summaries() });
    return entries.get(entry.id);
  }

  function open(id, { variant, faults, keepHistory = false } = {}) {
    const e = entries.get(id);
    if (!e) return false;
    if (store.get().customId !== id) autosave.flush();
    actions.openFlow(e.flow, {
      faults: faults || e.faults || {},
      variant: variant || e.variant || "success",
      keepHistory,
      extra: { customId: id, saveStatus: unsaved.has(id) ? "error" : "saved" },
    });
    return true;
  }

  async function create({ name, description, from }) {
    let flow;
    try {
      flow = from ? structuredClone(await api.getTemplate(from)) : emptyFlow(name);
    } catch (err) {
      actions.notify(`Could not copy the scenario: ${err.message}`, "error");
      return null;
    }
    const id = freshId(name);
    flow = { ...flow, id, name, description: description || (from ? flow.description || "" : "") };
    add(flow);
    open(id);
    actions.notify(from ? `Created “${name}”, a copy you can edit.` : `Created “${name}”: drag components onto the canvas.`);
    return id;
  }

  const dialog = NewFlowDialog(store);
  async function openNewDialog(opts) {
    const answer = await dialog.open(opts);
    if (answer) await create(answer);
  }

  // A built-in was edited: copy it — edits included — into a new custom flow and keep editing there.
  // suffix: what the copy's name and id add to the built-in's ("copy", "fixed"); quiet: no notice.
  function duplicateCurrent({ suffix = "copy", quiet = false } = {}) {
    const st = store.get();
    if (!st.flow) return null;
    const base = st.original || st.flow;
    const builtin = Boolean(st.scenarioId && st.original);
    const name = builtin ? `${base.name} (${suffix})` : base.name;
    const id = freshId(builtin ? `${base.id}-${suffix}` : st.imported ? base.id : base.name);
    add({ ...st.flow, id, name }, { faults: st.faults || {}, variant: st.variant });
    open(id, { keepHistory: true });
    if (!quiet) actions.notify(builtin ? `“${name}” is yours to edit; the built-in stays as it was.` : `Saved “${name}” in My flows.`);
    return id;
  }

  function rename(id, name) {
    const e = entries.get(id);
    if (!e || !name) return;
    if (store.get().customId === id) {
      const flow = store.get().flow;
      actions.execute(renameCommand({ name: flow.name }, { name }));
    } else {
      const next = { ...e, flow: { ...e.flow, name } };
      const res = storage.save(next);
      entries.set(id, res.ok ? res.entry : next);
      if (res.ok) unsaved.delete(id);
      else {
        unsaved.add(id);
        quotaAlert(next, res);
      }
      store.set({ customFlows: summaries() });
    }
  }

  function remove(id) {
    const e = entries.get(id);
    if (!e) return;
    const wasOpen = store.get().customId === id;
    if (wasOpen) autosave.flush();
    const kept = entries.get(id);
    storage.remove(id);
    entries.delete(id);
    unsaved.delete(id);
    store.set({
      customFlows: summaries(),
      flowsAlert: {
        tone: "info", kind: "deleted", message: `Deleted “${kept.flow.name}”.`,
        actions: [{ label: "Undo", testid: "undo-delete", run: () => restore(kept, wasOpen) }],
      },
    });
    if (wasOpen) {
      const first = (store.get().templates || [])[0];
      if (first) actions.selectScenario(first.id);
      else actions.newFlow();
    }
  }

  function restore(entry, reopen) {
    entries.set(entry.id, entry);
    const res = storage.save(entry);
    if (res.ok) entries.set(entry.id, res.entry);
    else unsaved.add(entry.id);
    store.set({ customFlows: summaries(), flowsAlert: null });
    if (reopen) open(entry.id);
    actions.notify(`Restored “${entry.flow.name}”.`);
  }

  function flowOf(id) {
    const st = store.get();
    return st.customId === id && st.flow ? { ...st.flow, id } : entries.get(id) && entries.get(id).flow;
  }

  // an entry this tab no longer holds (replaced by another tab's save), as it was
  function exportEntry(entry) {
    download(fileNameFor(entry.flow), flowText(entry.flow));
    actions.notify(`Exported ${fileNameFor(entry.flow)}.`);
  }

  async function exportFlow(id) {
    const flow = flowOf(id);
    if (!flow) return;
    const out = await exportable(flow, api);
    download(fileNameFor(out.flow), flowText(out.flow));
    if (out.problems.length) actions.notify(`Exported as it is; the server found a problem: ${out.problems[0].message}`, "error");
    else actions.notify(`Exported ${fileNameFor(out.flow)}.`);
  }

  async function shareFlow(id) {
    const flow = flowOf(id);
    if (!flow) return;
    const link = await shareUrl(flow);
    let copied = false;
    try {
      await navigator.clipboard.writeText(link);
      copied = true;
    } catch {
      copied = false;
    }
    store.set({
      flowsAlert: {
        tone: "info", kind: "share", link,
        message: `${copied ? "Copied a" : "A"} link to “${flow.name}” (${Math.ceil(link.length / 1024)} KB): whoever opens it gets their own copy.`,
      },
    });
  }

  // Trace files (picked with Import or dropped) go to the trace importer (js/traces), flows stay here.
  let traceImporter = null;
  function routeTracesTo(importer) {
    traceImporter = importer;
  }

  async function importFiles(all) {
    let files = all;
    if (traceImporter) {
      const kinds = await Promise.all(all.map((f) => traceImporter.isTraceFile(f)));
      const traces = all.filter((_, i) => kinds[i]);
      files = all.filter((_, i) => !kinds[i]);
      if (traces.length) {
        await traceImporter.importFile(traces[traces.length - 1]);
        if (traces.length > 1) actions.notify(`Opened ${traces[traces.length - 1].name}; one trace file at a time.`);
      }
      if (!files.length) return { added: [], invalid: [] };
    }
    const { valid, invalid } = await readFlowFiles(files, api);
    const added = [];
    let last = null;
    for (const { flow } of valid) {
      let id = flow.id;
      if (entries.has(id)) {
        const answer = await choose(`“${id}” already exists`, [
          `My flows already has a flow with the id “${id}” (“${entries.get(id).flow.name}”).`,
          "Replace it with the imported one, or keep both (the import gets a new id)?",
        ], [
          { value: "skip", label: "Skip", testid: "conflict-skip" },
          { value: "both", label: "Keep both", testid: "conflict-keep-both" },
          { value: "replace", label: "Replace", testid: "conflict-replace", primary: true },
        ]);
        if (!answer || answer === "skip") continue;
        if (answer === "both") id = freshId(id);
        else {
          if (store.get().customId === id) autosave.cancel();
          entries.delete(id);
        }
      }
      add({ ...flow, id });
      added.push(flow.name);
      last = id;
    }
    if (last) open(last);
    if (invalid.length) showImportReport({ invalid, added });
    else if (added.length) actions.notify(`Imported ${added.length === 1 ? `“${added[0]}”` : `${added.length} flows`}.`);
    return { added, invalid };
  }

  // At boot: a share link (#share=...) or /?flow=ID. True when it opened a custom flow.
  async function openFromAddress() {
    const payload = sharedPayload(location.hash);
    if (payload) {
      history.replaceState(history.state, "", location.pathname + location.search);
      try {
        const raw = await decodeFlow(payload);
        const answer = await api.validateFlow({ text: JSON.stringify(raw), name: "shared-flow.json" });
        const flow = answer.flow;
        const id = entries.has(flow.id) || takenIds().has(flow.id) ? freshId(flow.id) : flow.id;
        add({ ...flow, id });
        open(id);
        store.set({ flowsAlert: { tone: "info", kind: "shared", message: `Opened the shared flow “${flow.name}”; it is saved in My flows.` } });
        return true;
      } catch (err) {
        store.set({ flowsAlert: { tone: "error", kind: "share-error", message: `The share link could not be opened: ${err.message}` } });
        return false;
      }
    }
    const params = new URLSearchParams(location.search);
    const id = params.get("flow");
    if (!id) return false;
    if (!entries.has(id)) {
      actions.notify(`There is no saved flow “${id}” in this browser; here is the first scenario.`);
      return false;
    }
    return open(id, { variant: params.get("variant") || undefined, faults: faultsOf(params) });
  }

  // ------------------------------------------------------------------ reacting to the state
  store.subscribe((st, prev) => {
    if (st.scenarioId && st.customId) {
      autosave.flush();
      store.set({ customId: null, saveStatus: null });
      return;
    }
    if (!st.customId) return;
    if (st.customId !== prev.customId) {
      writeAddress(st, "push");
      return;
    }
    if (changed(st, prev, "variant", "faults")) writeAddress(st, "replace");
    if (applyingRemote || !changed(st, prev, "flow", "faults", "variant") || !st.flow) return;
    const e = entries.get(st.customId);
    if (!e) return;
    const job = { ...e, flow: st.flow.id === st.customId ? st.flow : { ...st.flow, id: st.customId }, faults: st.faults || {}, variant: st.variant };
    entries.set(st.customId, job);
    autosave.schedule(job);
  });

  function writeAddress(st, how) {
    const params = new URLSearchParams();
    params.set("flow", st.customId);
    if (st.variant) params.set("variant", st.variant);
    for (const [node, kind] of Object.entries(st.faults || {}).sort()) params.append("fault", `${node}:${kind}`);
    const url = `?${params}`;
    if (location.search === url) return;
    const state = { flow: st.customId };
    if (how === "push" && new URLSearchParams(location.search).get("flow") !== st.customId) history.pushState(state, "", url);
    else history.replaceState(state, "", url);
  }

  window.addEventListener("popstate", () => {
    const params = new URLSearchParams(location.search);
    const id = params.get("flow");
    if (id && entries.has(id) && id !== store.get().customId) open(id, { variant: params.get("variant") || undefined, faults: faultsOf(params) });
  });

  // another tab saved (or deleted) a flow
  window.addEventListener("storage", (ev) => {
    const id = idOfKey(ev.key);
    if (!id) return;
    const current = store.get().customId === id;
    if (ev.newValue === null) {
      if (current) {
        unsaved.add(id);
        store.set({ flowsAlert: { tone: "warning", kind: "tab", message: `“${entries.get(id).flow.name}” was deleted in another tab. It is still open here; your next edit saves it again.` } });
      } else entries.delete(id);
      store.set({ customFlows: summaries() });
      return;
    }
    let entry;
    try {
      entry = migrate(JSON.parse(ev.newValue));
    } catch {
      return; // the other tab's write is unreadable: the next load quarantines it
    }
    const replaced = unsaved.has(id) ? entries.get(id) : null; // changes this tab could not save
    entries.set(id, entry);
    unsaved.delete(id);
    if (replaced && !current) {
      store.set({
        flowsAlert: {
          tone: "warning", kind: "tab",
          message: `“${entry.flow.name}” was saved in another tab; the changes this tab could not save were replaced by that version (the later save wins). Export them to keep a copy.`,
          actions: [{ label: "Export the replaced version", testid: "alert-export-replaced", run: () => exportEntry(replaced) }],
        },
      });
    }
    if (current) {
      autosave.cancel();
      applyingRemote = true;
      try {
        actions.openFlow(entry.flow, { faults: entry.faults, variant: entry.variant, fit: false, extra: { customId: id, saveStatus: "saved" } });
      } finally {
        applyingRemote = false;
      }
      store.set({
        flowsAlert: {
          tone: "warning", kind: "tab",
          message: `“${entry.flow.name}” was saved in another tab; this tab now shows that version (the later save wins).`,
          actions: replaced ? [{ label: "Export the replaced version", testid: "alert-export-replaced", run: () => exportEntry(replaced) }] : [],
        },
      });
    }
    store.set({ customFlows: summaries() });
  });

  // Leaving the page: save what is pending, and try again what could not be saved (storage may
  // have room now), so a reload keeps it.
  function saveAll() {
    autosave.flush();
    let saved = 0;
    for (const id of [...unsaved]) {
      const e = entries.get(id);
      if (!e) continue;
      const res = storage.save(e);
      if (!res.ok) continue;
      entries.set(id, res.entry);
      unsaved.delete(id);
      saved += 1;
    }
    if (!saved) return;
    const st = store.get();
    const quotaGone = !unsaved.size && st.flowsAlert && st.flowsAlert.kind === "quota";
    store.set({
      customFlows: summaries(),
      ...(st.customId && !unsaved.has(st.customId) && st.saveStatus === "error" ? { saveStatus: "saved" } : {}),
      ...(quotaGone ? { flowsAlert: null } : {}),
    });
  }
  window.addEventListener("pagehide", saveAll);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") saveAll();
  });

  // files dropped anywhere on the page
  document.addEventListener("dragover", (ev) => {
    if (ev.dataTransfer && [...ev.dataTransfer.types].includes("Files")) {
      ev.preventDefault();
      ev.dataTransfer.dropEffect = "copy";
    }
  });
  document.addEventListener("drop", (ev) => {
    const files = ev.dataTransfer ? [...ev.dataTransfer.files] : [];
    if (!files.length) return;
    ev.preventDefault();
    importFiles(files);
  });

  // ------------------------------------------------------------------ the UI pieces
  const lib = {
    open, create, openNewDialog, duplicateCurrent, rename, remove, exportFlow, shareFlow, importFiles,
    routeTracesTo, openFromAddress, flush: () => autosave.flush(), entries: () => [...entries.values()], storage,
  };
  store.set({ customFlows: summaries(), customId: null, saveStatus: null, flowsAlert: null });
  MyFlows(document.getElementById("sidebar"), store, lib);
  SaveStatus(store);
  DuplicateBanner(document.getElementById("canvas"), store, lib);

  const bad = report.quarantined;
  if (bad.length || report.newer.length) {
    const lines = bad.map((q) => `${q.key}: ${q.reason}`).concat(report.newer.map((q) => `${q.key}: ${q.reason} (left untouched)`));
    store.set({
      flowsAlert: {
        tone: "warning", kind: "quarantine",
        message: `${bad.length ? `${bad.length} saved flow${bad.length === 1 ? "" : "s"} could not be read and ${bad.length === 1 ? "was" : "were"} set aside under “${QUARANTINE_KEY}” (nothing deleted). ` : ""}${lines.join("; ")}`,
        actions: bad.length ? [{ label: "Download what was set aside", testid: "download-quarantine", run: () => download("traceplay-quarantine.json", JSON.stringify(storage.quarantined(), null, 2)) }] : [],
      },
    });
  }
  if (report.migrated) actions.notify(`Updated ${report.migrated} saved flow${report.migrated === 1 ? "" : "s"} to the current format.`);
  return lib;
}

function faultsOf(params) {
  const out = {};
  for (const item of params.getAll("fault")) {
    const cut = item.lastIndexOf(":");
    if (cut > 0 && FAULTS.has(item.slice(cut + 1))) out[item.slice(0, cut)] = item.slice(cut + 1);
  }
  return out;
}

