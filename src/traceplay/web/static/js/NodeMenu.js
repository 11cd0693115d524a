// The per-node menu: inject a fault (slow / down / timeout / error) and re-run, or delete the node.
// A real menu: role="menu", arrow keys move, Enter picks, Esc closes and gives focus back.

import { h } from "./dom.js";

const CHOICES = [
  { kind: null, label: "Healthy", hint: "no fault" },
  { kind: "slow", label: "Slow", hint: "10× its latency" },
  { kind: "down", label: "Down", hint: "refuses connections" },
  { kind: "timeout", label: "Timeout", hint: "hangs until the caller gives up" },
  { kind: "error", label: "Error", hint: "answers with an error" },
];

export function NodeMenu(store, actions, { onDelete }) {
  const title = h("div", { class: "node-menu-title" });
  const list = h("div", { class: "node-menu-items" });
  const el = h("div", { class: "node-menu", role: "menu", hidden: true, "data-testid": "node-menu", "aria-label": "Node actions" }, title, list);
  let nodeId = null;
  let returnFocus = null;

  function items() {
    return [...el.querySelectorAll("[role^='menuitem']")];
  }

  function open(id, at, focusBack) {
    nodeId = id;
    returnFocus = focusBack || null;
    const { flow, faults } = store.get();
    const node = flow && flow.nodes.find((n) => n.id === id);
    title.textContent = `Inject a fault into ${node ? node.label || id : id}`;
    list.replaceChildren();
    const current = (faults || {})[id] || null;
    for (const c of CHOICES) {
      list.append(h("button", {
        type: "button",
        role: "menuitemradio",
        class: `node-menu-item fault-${c.kind || "none"}`,
        "aria-checked": String(current === c.kind),
        "data-testid": "fault-option",
        "data-fault": c.kind || "none",
        tabindex: -1,
        onclick: () => pick(c.kind),
      }, h("span", { class: "fault-swatch", "aria-hidden": "true" }), h("span", { class: "item-label" }, c.label), h("span", { class: "item-hint" }, c.hint)));
    }
    list.append(h("div", { class: "node-menu-sep", role: "separator" }));
    list.append(h("button", {
      type: "button", role: "menuitem", class: "node-menu-item danger", tabindex: -1, "data-testid": "delete-node",
      onclick: () => { const id2 = nodeId; close(); onDelete(id2); },
    }, h("span", { class: "item-label" }, "Delete node"), h("span", { class: "item-hint" }, "Del")));
    el.hidden = false;
    // place it inside the canvas area, beside the node
    const w = el.offsetWidth;
    const hh = el.offsetHeight;
    const maxX = at.bounds.width - w - 8;
    const maxY = at.bounds.height - hh - 8;
    el.style.left = `${Math.max(8, Math.min(at.x + 8, maxX))}px`;
    el.style.top = `${Math.max(8, Math.min(at.y - hh / 2, maxY))}px`;
    const checked = items().find((b) => b.getAttribute("aria-checked") === "true") || items()[0];
    checked.focus();
  }

  function pick(kind) {
    const id = nodeId;
    close();
    actions.setFault(id, kind);
    actions.notify(kind ? `Fault injected: ${id} is ${kind}. Re-running…` : `${id} is healthy again. Re-running…`);
  }

  function close() {
    if (el.hidden) return;
    el.hidden = true;
    nodeId = null;
    if (returnFocus && document.contains(returnFocus)) returnFocus.focus({ preventScroll: true });
    returnFocus = null;
  }

  el.addEventListener("keydown", (ev) => {
    const all = items();
    const i = all.indexOf(document.activeElement);
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      const next = ev.key === "ArrowDown" ? (i + 1) % all.length : (i - 1 + all.length) % all.length;
      all[next].focus();
    } else if (ev.key === "Home" || ev.key === "End") {
      ev.preventDefault();
      all[ev.key === "Home" ? 0 : all.length - 1].focus();
    } else if (ev.key === "Escape" || ev.key === "Tab") {
      ev.preventDefault();
      ev.stopPropagation();
      close();
    }
  });
  document.addEventListener("pointerdown", (ev) => {
    if (!el.hidden && !el.contains(ev.target)) close();
  });

  return { el, open, close, isOpen: () => !el.hidden };
}
