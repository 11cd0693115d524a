// Human-readable numbers for the canvas and the top bar.

export function formatMs(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(Number(ms))) return "–";
  const v = Number(ms);
  const a = Math.abs(v);
  if (a >= 60_000) return `${(v / 60_000).toFixed(1)} min`;
  if (a >= 10_000) return `${(v / 1000).toFixed(1)} s`;
  if (a >= 1000) return `${(v / 1000).toFixed(2)} s`;
  if (a >= 100) return `${Math.round(v)} ms`;
  if (a >= 10) return `${v.toFixed(1).replace(/\.0$/, "")} ms`;
  if (a >= 1) return `${v.toFixed(1)} ms`;
  if (a === 0) return "0 ms";
  return `${v.toFixed(2)} ms`;
}

export function truncate(text, max) {
  const s = String(text || "");
  return s.length > max ? `${s.slice(0, Math.max(1, max - 1))}…` : s;
}
