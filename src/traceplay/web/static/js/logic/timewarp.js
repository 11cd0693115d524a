// Trace time <-> play time. A trace may hold a 2 ms cache hit next to a 9 s LLM call; played
// linearly, one is invisible or the other is endless. The warp is piecewise linear between every
// span boundary: a stretch of d ms plays for ~log(1 + d / 0.5 ms) (so short stretches get a
// watchable minimum and long ones are compressed), then the whole is scaled to between minTotal
// and maxTotal seconds at 1× speed. Monotone, so scrubbing back and forth is exact.
//
//   const w = createWarp(trace);  w.toPlay(ms) -> seconds;  w.toTrace(seconds) -> ms;  w.total

const UNIT_MS = 0.5;
const WEIGHT = 0.35;

export function createWarp(trace, { minTotal = 3, maxTotal = 12 } = {}) {
  const end = traceEnd(trace);
  const marks = new Set([0, end]);
  for (const s of (trace && trace.spans) || []) {
    const a = clampNum(s.start_ms, 0, end);
    marks.add(a);
    marks.add(clampNum(s.start_ms + s.duration_ms, 0, end));
  }
  if (trace && Number.isFinite(trace.response_ms)) marks.add(clampNum(trace.response_ms, 0, end));
  const ms = Float64Array.from([...marks].sort((x, y) => x - y));
  const play = new Float64Array(ms.length);
  for (let i = 1; i < ms.length; i++) {
    play[i] = play[i - 1] + WEIGHT * Math.log1p((ms[i] - ms[i - 1]) / UNIT_MS);
  }
  const raw = play[play.length - 1];
  const total = raw > 0 ? Math.min(maxTotal, Math.max(minTotal, raw)) : minTotal;
  if (raw > 0) for (let i = 0; i < play.length; i++) play[i] *= total / raw;

  function toPlay(t) {
    if (!(end > 0)) return 0;
    if (t <= 0) return 0;
    if (t >= end) return total;
    const i = upperIndex(ms, t); // ms[i-1] <= t < ms[i]
    const a = ms[i - 1];
    const b = ms[i];
    return play[i - 1] + ((t - a) / (b - a)) * (play[i] - play[i - 1]);
  }

  function toTrace(p) {
    if (!(end > 0)) return 0;
    if (p <= 0) return 0;
    if (p >= total) return end;
    const i = upperIndex(play, p);
    const a = play[i - 1];
    const b = play[i];
    if (b === a) return ms[i];
    return ms[i - 1] + ((p - a) / (b - a)) * (ms[i] - ms[i - 1]);
  }

  return { total, durationMs: end, toPlay, toTrace };
}

export function traceEnd(trace) {
  if (!trace) return 0;
  let end = Number(trace.duration_ms) || 0;
  for (const s of trace.spans || []) end = Math.max(end, s.start_ms + s.duration_ms);
  return end;
}

// the first index whose value is > x (values ascending, values[0] <= x < values[last])
function upperIndex(values, x) {
  let lo = 1;
  let hi = values.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function clampNum(v, lo, hi) {
  return Math.min(hi, Math.max(lo, Number(v) || 0));
}
