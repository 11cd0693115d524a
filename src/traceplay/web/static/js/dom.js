// Small DOM helpers: build elements without innerHTML (the CSP and our rule: data never becomes
// markup). h("button", {class: "x", onclick: fn, "aria-label": "Play"}, "text", child, ...)

const SVG_NS = "http://www.w3.org/2000/svg";

export function h(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

export function s(tag, attrs = {}, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

function fill(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "text") el.textContent = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// Line icons (24x24, stroke = currentColor) drawn from path data.
const ICONS = {
  play: "M7 4.5v15l12.5-7.5z",
  pause: "M7 4.5h3.5v15H7zM13.5 4.5H17v15h-3.5z",
  restart: "M4.5 12a7.5 7.5 0 1 0 2.2-5.3M4.5 4v4h4",
  menu: "M4 6.5h16M4 12h16M4 17.5h16",
  close: "M6 6l12 12M18 6L6 18",
  sun: "M12 4V2.5M12 21.5V20M4 12H2.5M21.5 12H20M6.3 6.3 5.2 5.2M18.8 18.8l-1.1-1.1M6.3 17.7l-1.1 1.1M18.8 5.2l-1.1 1.1M12 16.5a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9z",
  moon: "M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z",
  help: "M9.2 9.2a2.9 2.9 0 1 1 4 2.7c-.8.4-1.2 1-1.2 1.8v.8M12 17.6v.1M12 21.5a9.5 9.5 0 1 0 0-19 9.5 9.5 0 0 0 0 19z",
  plus: "M12 5v14M5 12h14",
  minus: "M5 12h14",
  fit: "M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5",
  reset: "M4 12a8 8 0 1 0 3-6.2M4 4v4.5h4.5",
  link: "M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1",
  search: "M10.5 17a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13zM15.5 15.5 20 20",
  chevron: "M9 6l6 6-6 6",
  more: "M12 6.5v.1M12 12v.1M12 17.5v.1",
  undo: "M9 7 4.5 11.5 9 16M5 11.5h9a5.5 5.5 0 0 1 0 11h-2",
  redo: "M15 7l4.5 4.5L15 16M19 11.5h-9a5.5 5.5 0 0 0 0 11h2",
  trash: "M4.5 7h15M9.5 7V4.5h5V7M6.5 7l1 13h9l1-13",
  bolt: "M13 2.5 5 13.5h6l-1 8 8-11h-6z",
  plusbox: "M12 8v8M8 12h8M5 4h14a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1z",
  revert: "M9 14 4 9l5-5M4 9h10.5a5.5 5.5 0 0 1 0 11H11",
  upload: "M12 15V4M7.5 8.5 12 4l4.5 4.5M5 15v4h14v-4",
  download: "M12 4v11M7.5 10.5 12 15l4.5-4.5M5 15v4h14v-4",
  pencil: "M4 20h4L19 9l-4-4L4 16zM13.5 6.5l4 4",
};

export function icon(name, { size = 18, label = null } = {}) {
  const svg = s("svg", {
    class: `icon icon-${name}`,
    width: size,
    height: size,
    viewBox: "0 0 24 24",
    "aria-hidden": label ? null : "true",
    role: label ? "img" : null,
    "aria-label": label,
    focusable: "false",
  });
  const filled = name === "play" || name === "pause" || name === "bolt";
  svg.append(s("path", { d: ICONS[name] || ICONS.help, class: filled ? "icon-fill" : "icon-stroke" }));
  return svg;
}
