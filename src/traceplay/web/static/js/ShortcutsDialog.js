// The "?" dialog: every keyboard shortcut, in a native <dialog> (focus is trapped and restored by
// the browser; Esc closes it).

import { h, icon } from "./dom.js";

export const SHORTCUTS = [
  ["Space", "Play / pause"],
  ["r", "Restart the playback"],
  ["← / →", "Step the time cursor (with the scrubber focused)"],
  ["1 / 2 / 3", "Variant: success / slow / error"],
  ["f", "Fit the flow to the view"],
  ["+ / −", "Zoom in / out"],
  ["c", "Connect mode: click a caller, then the node it calls"],
  ["Delete / Backspace", "Delete the selected node or call"],
  ["m", "Fault menu of the focused node"],
  ["Arrow keys", "Move the focused node (Shift: further)"],
  ["Ctrl+Z / Ctrl+Shift+Z", "Undo / redo an edit"],
  ["t", "Light / dark theme"],
  ["/", "Search the scenarios"],
  ["Esc", "Close a menu, leave connect mode, clear the selection"],
  ["?", "This list"],
];

export function ShortcutsDialog() {
  const closeBtn = h("button", { type: "button", class: "icon-button dialog-close", "aria-label": "Close" }, icon("close", { size: 20 }));
  const table = h("dl", { class: "shortcut-list" });
  for (const [keys, what] of SHORTCUTS) {
    table.append(h("div", { class: "shortcut" }, h("dt", {}, ...keys.split(" / ").flatMap((k, i) => (i ? [" / ", h("kbd", {}, k)] : [h("kbd", {}, k)]))), h("dd", {}, what)));
  }
  const dialog = h("dialog", { class: "shortcuts-dialog", "aria-labelledby": "shortcuts-h", "data-testid": "shortcuts-dialog" },
    h("div", { class: "dialog-head" }, h("h2", { id: "shortcuts-h" }, "Keyboard shortcuts"), closeBtn),
    table,
    h("p", { class: "dim" }, "Everything you can hover you can also reach with Tab. Shortcuts are off while you type in a field."));
  closeBtn.addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (ev) => {
    if (ev.target === dialog) dialog.close(); // a click on the backdrop
  });
  document.body.append(dialog);
  return {
    open() {
      if (!dialog.open) dialog.showModal();
    },
    toggle() {
      if (dialog.open) dialog.close();
      else dialog.showModal();
    },
    isOpen: () => dialog.open,
  };
}
