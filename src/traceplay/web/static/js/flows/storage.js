// Custom flows in the browser's localStorage — one entry per flow, so saving one flow writes only
// that flow (and two tabs editing different flows never collide).
//
//   traceplay.flows.v1/<id>      {schema: 1, id, flow, faults, variant, created, updated, rev, tab}
//   traceplay.flows.quarantine   [{key, raw, reason, at}]: entries that could not be read, set aside
//   traceplay.flows              the version-0 layout (one key, an array of bare flows): migrated
//
// Reading migrates older schema versions (MIGRATIONS, one step per version) and writes the result
// back; an entry that cannot be read is moved to the quarantine key (its text kept as it was) and
// reported, never silently deleted. Writing reports {ok: false, reason: "quota"} when the browser's
// storage is full, so the caller can keep the flow in memory and offer an export.

export const SCHEMA = 1;
export const PREFIX = "traceplay.flows.v1/";
export const QUARANTINE_KEY = "traceplay.flows.quarantine";
export const LEGACY_KEY = "traceplay.flows";

// schema n -> n + 1. Version 0: the entry was a bare Flow document.
const MIGRATIONS = {
  0: (old) => ({ schema: 1, id: old.id, flow: old, faults: {}, variant: "success", created: 0, updated: 0, rev: 0 }),
};

export class StorageFull extends Error {}

export function entryKey(id) {
  return PREFIX + id;
}

export function idOfKey(key) {
  return key && key.startsWith(PREFIX) ? key.slice(PREFIX.length) : null;
}

export function isQuotaError(err) {
  return Boolean(err) && (err.name === "QuotaExceededError" || err.name === "NS_ERROR_DOM_QUOTA_REACHED" || err.code === 22 || err.code === 1014);
}

// Bring an entry (any schema) to SCHEMA, or throw an Error saying what is wrong with it.
export function migrate(raw) {
  let entry = raw;
  if (!entry || typeof entry !== "object" || Array.isArray(entry)) throw new Error("not an object");
  if (entry.schema === undefined && Array.isArray(entry.nodes)) entry = { ...entry, schema: 0 };
  let version = entry.schema;
  if (!Number.isInteger(version) || version < 0) throw new Error(`unknown schema version ${JSON.stringify(version)}`);
  if (version > SCHEMA) throw new Error(`saved by a newer traceplay (schema ${version})`);
  while (version < SCHEMA) {
    const { schema: _s, ...body } = entry;
    entry = MIGRATIONS[version](version === 0 ? body : entry);
    version = entry.schema;
  }
  return checkEntry(entry);
}

function checkEntry(e) {
  const f = e.flow;
  if (!f || typeof f !== "object") throw new Error("no flow in the entry");
  if (typeof f.id !== "string" || !f.id) throw new Error("the flow has no id");
  if (typeof f.name !== "string") throw new Error("the flow has no name");
  if (!Array.isArray(f.nodes) || !Array.isArray(f.edges)) throw new Error("the flow has no nodes/edges lists");
  return {
    schema: SCHEMA,
    id: f.id,
    flow: { variants: {}, ...f },
    faults: e.faults && typeof e.faults === "object" ? e.faults : {},
    variant: typeof e.variant === "string" ? e.variant : "success",
    created: Number(e.created) || 0,
    updated: Number(e.updated) || 0,
    rev: Number(e.rev) || 0,
    tab: e.tab || null,
  };
}

export function createFlowStorage({ storage = globalThis.localStorage, tab = "", now = () => Date.now() } = {}) {
  function keys() {
    const out = [];
    for (let i = 0; i < storage.length; i++) {
      const k = storage.key(i);
      if (idOfKey(k)) out.push(k);
    }
    return out;
  }

  // Move a bad entry aside: copy its text to the quarantine list, then remove it from the live set.
  // If the copy cannot be written, the entry stays where it is (skipped, still reported).
  function quarantine(key, raw, reason) {
    let list = [];
    try {
      list = JSON.parse(storage.getItem(QUARANTINE_KEY) || "[]");
      if (!Array.isArray(list)) list = [];
    } catch {
      list = [];
    }
    list.push({ key, raw, reason, at: new Date(now()).toISOString() });
    try {
      storage.setItem(QUARANTINE_KEY, JSON.stringify(list));
      storage.removeItem(key);
      return true;
    } catch {
      return false;
    }
  }

  function migrateLegacy(report) {
    const raw = storage.getItem(LEGACY_KEY);
    if (raw === null) return;
    let list;
    try {
      list = JSON.parse(raw);
      if (list && Array.isArray(list.flows)) list = list.flows;
      if (!Array.isArray(list)) throw new Error("not a list of flows");
    } catch (err) {
      quarantine(LEGACY_KEY, raw, `the old flow list could not be read: ${err.message}`);
      report.quarantined.push({ key: LEGACY_KEY, reason: err.message });
      return;
    }
    for (const item of list) {
      try {
        const entry = migrate(item);
        if (storage.getItem(entryKey(entry.id)) === null) storage.setItem(entryKey(entry.id), JSON.stringify(entry));
        report.migrated += 1;
      } catch (err) {
        if (isQuotaError(err)) return; // keep the old key: nothing lost, try again next time
        report.quarantined.push({ key: `${LEGACY_KEY}[${item && item.id}]`, reason: err.message });
        quarantine(`${LEGACY_KEY}[${item && item.id}]`, JSON.stringify(item), err.message);
      }
    }
    storage.removeItem(LEGACY_KEY);
  }

  return {
    // -> {entries, quarantined: [{key, reason}], migrated, newer: [{key, reason}]}
    load() {
      const report = { entries: [], quarantined: [], migrated: 0, newer: [] };
      try {
        migrateLegacy(report);
      } catch {
        /* storage not available: nothing to migrate */
      }
      let list = [];
      try {
        list = keys();
      } catch {
        return report;
      }
      for (const key of list) {
        const raw = storage.getItem(key);
        let entry;
        try {
          const parsed = JSON.parse(raw);
          entry = migrate(parsed);
          if (entry.id !== idOfKey(key)) throw new Error(`the entry's id “${entry.id}” does not match its key`);
          if (parsed.schema !== SCHEMA) {
            report.migrated += 1;
            try {
              storage.setItem(key, JSON.stringify(entry));
            } catch {
              /* read fine; it is rewritten on the next save */
            }
          }
        } catch (err) {
          if (/newer traceplay/.test(err.message)) {
            report.newer.push({ key, reason: err.message });
            continue;
          }
          const reason = err instanceof SyntaxError ? `not valid JSON (${err.message})` : err.message;
          quarantine(key, raw, reason);
          report.quarantined.push({ key, reason });
          continue;
        }
        report.entries.push(entry);
      }
      report.entries.sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
      return report;
    },

    read(id) {
      const raw = storage.getItem(entryKey(id));
      if (raw === null) return null;
      return migrate(JSON.parse(raw));
    },

    // Write one entry; stamps updated/rev/tab. -> {ok: true, entry} | {ok: false, reason, message}
    save(entry) {
      const stamped = { ...entry, schema: SCHEMA, updated: now(), rev: (entry.rev || 0) + 1, tab };
      let text;
      try {
        text = JSON.stringify(stamped);
        storage.setItem(entryKey(entry.id), text);
      } catch (err) {
        if (isQuotaError(err)) {
          return { ok: false, reason: "quota", message: "The browser's storage for this site is full." };
        }
        return { ok: false, reason: "unavailable", message: `The browser refused to save (${err.message}).` };
      }
      return { ok: true, entry: stamped, bytes: text.length };
    },

    remove(id) {
      try {
        storage.removeItem(entryKey(id));
        return true;
      } catch {
        return false;
      }
    },

    quarantined() {
      try {
        const list = JSON.parse(storage.getItem(QUARANTINE_KEY) || "[]");
        return Array.isArray(list) ? list : [];
      } catch {
        return [];
      }
    },
  };
}

// Debounced saving: schedule() (re)starts a timer; the save runs `delay` ms after the first
// unsaved change at most (a steady stream of edits still saves every `delay` ms).
// onState("saving" | "saved" | "error", result) reports progress.
export function createAutosave(save, { delay = 400, onState = () => {} } = {}) {
  let timer = 0;
  let pending = null;

  function flush() {
    clearTimeout(timer);
    timer = 0;
    if (!pending) return null;
    const job = pending;
    pending = null;
    const result = save(job);
    onState(result.ok ? "saved" : "error", result, job);
    return result;
  }

  return {
    schedule(job) {
      pending = job;
      onState("saving", null, job);
      if (!timer) timer = setTimeout(flush, delay);
    },
    flush,
    cancel() {
      clearTimeout(timer);
      timer = 0;
      pending = null;
    },
    pending: () => pending,
  };
}
