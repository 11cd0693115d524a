// Small preferences in localStorage (theme, speed, open panel, panel height, collapsed groups).
// Storage can be missing (private mode), full (the quota) or hold something unreadable: reading then
// gives the fallback and writing is skipped — a preference is never worth an error. Custom flows,
// which must not be lost, have their own storage with its failure paths (flows/storage.js).

export function readPref(key, fallback = null) {
  try {
    const value = localStorage.getItem(key);
    return value === null ? fallback : value;
  } catch {
    return fallback;
  }
}

export function readJsonPref(key, fallback) {
  try {
    const value = JSON.parse(localStorage.getItem(key) || "null");
    return value === null ? fallback : value;
  } catch {
    return fallback;
  }
}

// value null removes the preference. -> true when it was written
export function writePref(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, String(value));
    return true;
  } catch {
    return false;
  }
}
