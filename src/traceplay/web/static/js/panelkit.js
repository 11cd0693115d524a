// Small DOM helpers shared by the three panels under the canvas (Waterfall, Spans, Analysis).
// DOM is built with createElement and textContent only: data never goes through innerHTML.

const CATEGORY_TOKENS = new Set([
  "clients",
  "edge",
  "services",
  "data",
  "ai",
  "messaging",
  "external",
  "observability",
  "infra",
  "aws",
  "security",
  "containers",
]);

/**
 * Create an element. `props`: className, text, title, attrs {name: value}, data {key: value},
 * on {event: handler}; children: nodes or strings (as text), null/false skipped.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  if (props.className) el.className = props.className;
  if (props.text !== undefined && props.text !== null) el.textContent = String(props.text);
  if (props.title) el.title = props.title;
  for (const [k, v] of Object.entries(props.attrs || {}))
    if (v !== null && v !== undefined) el.setAttribute(k, v);
  for (const [k, v] of Object.entries(props.data || {})) if (v !== null && v !== undefined) el.dataset[k] = v;
  for (const [k, fn] of Object.entries(props.on || {})) el.addEventListener(k, fn);
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return el;
}

/** Set an attribute only when it changes (null removes it): a write of the same value still costs a
 * style invalidation, and the virtualised lists update every rendered row on each frame. */
export function setAttr(el, name, value) {
  if (value === null || value === undefined) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  } else if (el.getAttribute(name) !== String(value)) {
    el.setAttribute(name, String(value));
  }
}

/** Set text only when it changes. */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** Set one inline style property only when it changes. */
export function setStyle(el, prop, value) {
  if (el.style.getPropertyValue(prop) !== value) el.style.setProperty(prop, value);
}

/** Remove every child of `el`. */
export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
}

/** Add `<link rel="stylesheet" href>` to the document head once. */
export function ensureStylesheet(href) {
  const links = document.head.querySelectorAll('link[rel="stylesheet"]');
  for (const l of links) if (l.getAttribute("href") === href) return l;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  document.head.append(link);
  return link;
}

/** The CSS colour of a component category: its token, or the accent for an unknown one. */
export function categoryColor(category) {
  return category && CATEGORY_TOKENS.has(category) ? `var(--cat-${category})` : "var(--accent)";
}

let catalogue = null; // Map component id -> category, shared by the panels
let pending = null;

function mapFrom(value) {
  const list = Array.isArray(value)
    ? value
    : value && Array.isArray(value.components)
      ? value.components
      : null;
  if (!list) return null;
  const map = new Map();
  for (const c of list) if (c && c.id) map.set(c.id, c.category);
  return map;
}

/**
 * Component id -> category lookup. Uses the catalogue the shell keeps in the store (state.catalogue,
 * or state.components), otherwise asks api.getComponents() once; `onReady` runs when a lookup that
 * was missing becomes available.
 */
export function componentCategories(store, api, onReady) {
  const state = store.get();
  const fromState = mapFrom(state.catalogue) || mapFrom(state.components);
  if (fromState && fromState.size) {
    catalogue = fromState;
    return fromState;
  }
  if (catalogue) return catalogue;
  if (!pending && api && typeof api.getComponents === "function") {
    pending = Promise.resolve(api.getComponents())
      .then((data) => {
        catalogue = mapFrom(data) || new Map();
        return catalogue;
      })
      .catch(() => {
        pending = null; // the panels still work without category colours; retry on a later call
        return null;
      });
  }
  if (pending && onReady) pending.then((m) => m && onReady(m));
  return new Map();
}

/** The severity of a finding/analysis as an icon and a word (status is never colour alone). */
export const SEVERITY = {
  critical: { icon: "◆", label: "Critical" },
  warning: { icon: "▲", label: "Warning" },
  info: { icon: "●", label: "Info" },
};

export function severityOf(value) {
  return SEVERITY[value] ? value : "info";
}

/** Call `fn` at most once per animation frame. */
export function rafThrottle(fn) {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      fn();
    });
  };
}
