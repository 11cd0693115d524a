// Windowing for virtualised lists: which rows a scroll position shows. Pure functions.

/** Rows [first, last) to render for fixed-height rows, with `overscan` extra rows on each side. */
export function fixedWindow(scrollTop, viewportHeight, rowHeight, count, overscan = 6, maxRows = 120) {
  if (count <= 0 || !(rowHeight > 0)) return { first: 0, last: 0 };
  const top = Math.max(0, scrollTop);
  let first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const shown = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 2 * overscan + 1;
  let last = Math.min(count, first + Math.min(shown, maxRows));
  if (last - first < Math.min(shown, maxRows) && last === count)
    first = Math.max(0, last - Math.min(shown, maxRows));
  return { first, last };
}

/** Prefix sums of item heights: offsets[i] is the top of item i, offsets[n] the total height. */
export function offsetsOf(heights) {
  const n = heights.length;
  const out = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) out[i + 1] = out[i] + heights[i];
  return out;
}

/** The item under y: the largest i with offsets[i] <= y (binary search), clamped to [0, n-1]. */
export function itemAt(offsets, y) {
  const n = offsets.length - 1;
  if (n <= 0) return 0;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid] <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Items [first, last) to render for variable heights, with `overscan` extra items each side. */
export function variableWindow(offsets, scrollTop, viewportHeight, overscan = 4, maxItems = 120) {
  const n = offsets.length - 1;
  if (n <= 0) return { first: 0, last: 0 };
  const first = Math.max(0, itemAt(offsets, Math.max(0, scrollTop)) - overscan);
  const bottom = itemAt(offsets, scrollTop + Math.max(0, viewportHeight));
  const last = Math.min(n, bottom + overscan + 1, first + maxItems);
  return { first, last };
}

/** The scrollTop that brings [top, top + height) into a viewport, or null when already visible. */
export function scrollToShow(top, height, scrollTop, viewportHeight, margin = 0) {
  if (top - margin < scrollTop) return Math.max(0, top - margin);
  if (top + height + margin > scrollTop + viewportHeight) {
    return Math.max(0, top + height + margin - viewportHeight);
  }
  return null;
}
