// Time <-> pixel math for the waterfall and the spans list. Pure functions: no DOM, no state.
//
// A "domain" is the span of trace time shown, in milliseconds ({start, end}); positions are either
// fractions of the timeline width (0..1, what the bars use as percentages) or pixels for a width.

const NICE_FACTORS = [1, 2, 2.5, 5, 10];

/** The time shown by the waterfall: from the earliest start (0 or before) to the last end. */
export function traceDomain(trace) {
  let start = 0;
  let end = 0;
  if (trace) {
    end = Math.max(Number(trace.duration_ms) || 0, Number(trace.response_ms) || 0);
    for (const s of trace.spans || []) {
      if (s.start_ms < start) start = s.start_ms;
      const e = s.start_ms + s.duration_ms;
      if (e > end) end = e;
    }
  }
  if (!(end > start)) end = start + 1; // an empty or zero-length trace still gets an axis
  return { start, end };
}

/** Where `ms` falls on the domain, as a fraction (not clamped: callers decide). */
export function fraction(ms, domain) {
  return (ms - domain.start) / (domain.end - domain.start);
}

/** `ms` as a pixel offset on a timeline `width` pixels wide. */
export function msToPx(ms, domain, width) {
  return fraction(ms, domain) * width;
}

/** The time under pixel `px` of a timeline `width` pixels wide. */
export function pxToMs(px, domain, width) {
  if (!(width > 0)) return domain.start;
  return domain.start + (px / width) * (domain.end - domain.start);
}

/** Clamp a value into [lo, hi]. */
export function clamp(value, lo, hi) {
  return value < lo ? lo : value > hi ? hi : value;
}

/** A bar's left and width as percentages of the timeline (width never below `minPct`). */
export function barPercent(startMs, durationMs, domain, minPct = 0) {
  const width = clamp(Math.max(minPct, (durationMs / (domain.end - domain.start)) * 100), 0, 100);
  const left = clamp(fraction(startMs, domain) * 100, 0, 100 - width);
  return { left, width };
}

/** The smallest "nice" step (1, 2, 2.5, 5 × 10^k) giving at most `maxTicks` intervals over `span`. */
export function niceStep(span, maxTicks) {
  if (!(span > 0) || !(maxTicks >= 1)) return 1;
  const raw = span / maxTicks;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const f of NICE_FACTORS) {
    const step = f * power;
    if (step >= raw - raw * 1e-9) return step;
  }
  return 10 * power;
}

/** Tick values (ms) across the domain, at a nice step, at most about `maxTicks` of them. */
export function ticks(domain, maxTicks) {
  const step = niceStep(domain.end - domain.start, Math.max(1, Math.floor(maxTicks)));
  const first = Math.ceil(domain.start / step - 1e-9) * step;
  const out = [];
  for (let i = 0; ; i++) {
    const v = first + i * step;
    if (v > domain.end + step * 1e-9) break;
    out.push(roundTo(v, step));
    if (out.length > 1000) break; // a corrupt domain must not hang the page
  }
  return out;
}

/** How many ticks fit `width` pixels with labels about `labelPx` wide. */
export function tickCount(width, labelPx = 80) {
  return Math.max(1, Math.floor(width / labelPx));
}

function roundTo(v, step) {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  return Number(v.toFixed(Math.min(decimals, 12)));
}

function trimZeros(text) {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/**
 * A duration for people: "0 ms", "0.25 ms", "8.0 ms", "85 ms", "1.25 s", "2 min 5 s", "1 h 2 min".
 * Below 10 ms one decimal is kept ("8.0 ms") so the values of a fast trace line up.
 */
export function formatMs(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return "–";
  const sign = ms < 0 ? "−" : "";
  const a = Math.abs(ms);
  if (a === 0) return "0 ms";
  if (a < 0.001) return `${sign}${trimZeros((a * 1000).toFixed(2))} µs`;
  if (a < 1) return `${sign}${trimZeros(a.toFixed(3))} ms`;
  if (a < 10) return `${sign}${a.toFixed(1)} ms`;
  if (a < 1000) return `${sign}${trimZeros(a.toFixed(a < 100 ? 1 : 0))} ms`;
  if (a < 60_000) return `${sign}${trimZeros((a / 1000).toFixed(a < 10_000 ? 2 : 1))} s`;
  if (a < 3_600_000) {
    const min = Math.floor(a / 60_000);
    const s = Math.round((a - min * 60_000) / 1000);
    return s ? `${sign}${min} min ${s} s` : `${sign}${min} min`;
  }
  const h = Math.floor(a / 3_600_000);
  const min = Math.round((a - h * 3_600_000) / 60_000);
  return min ? `${sign}${h} h ${min} min` : `${sign}${h} h`;
}

/**
 * A tick label: the same unit for every tick of an axis, chosen from the step, so "0 ms 20 ms 40 ms"
 * or "0 s 0.5 s 1 s" and never a mix.
 */
export function formatTick(ms, step) {
  if (ms === 0) return "0";
  if (step >= 60_000 && step % 60_000 === 0) return `${trimZeros((ms / 60_000).toFixed(0))} min`;
  if (step >= 250) return `${trimZeros((ms / 1000).toFixed(decimalsFor(step / 1000)))} s`;
  return `${trimZeros(ms.toFixed(decimalsFor(step)))} ms`;
}

function decimalsFor(step) {
  for (let d = 0; d < 6; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-9) return d;
  return 6;
}

/** "+3.0 ms" — an offset from a span's start, for events. */
export function formatOffset(ms) {
  return ms < 0 ? formatMs(ms) : `+${formatMs(ms)}`;
}
