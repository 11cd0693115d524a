// Global shortcuts (listed in ShortcutsDialog.js). Off while typing in a field, and while a
// modal dialog is open (except "?" and Esc, which the dialog handles).

import { VARIANTS } from "./actions.js";

export function installShortcuts({ store, actions, canvas, dialog, sidebar }) {
  document.addEventListener("keydown", (ev) => {
    if (ev.defaultPrevented) return;
    const t = ev.target;
    const typing = t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) &&
      !(t instanceof HTMLInputElement && (t.type === "range" || t.type === "button" || t.type === "checkbox"));
    if (typing) {
      if (ev.key === "Escape" && store.get().drawerOpen) actions.toggleDrawer(false);
      else if (ev.key === "Escape" && t instanceof HTMLInputElement && t.type === "search" && !t.value) t.blur();
      return;
    }
    if (dialog.isOpen()) return;
    const mod = ev.ctrlKey || ev.metaKey;
    if (mod && !ev.altKey && (ev.key === "z" || ev.key === "Z")) {
      ev.preventDefault();
      if (ev.shiftKey) actions.redo();
      else actions.undo();
      return;
    }
    if (mod && ev.key === "y") {
      ev.preventDefault();
      actions.redo();
      return;
    }
    if (mod || ev.altKey) return;
    const onButton = t instanceof HTMLElement && (t.tagName === "BUTTON" || t.tagName === "A" || t.getAttribute("role") === "tab");
    const onRange = t instanceof HTMLInputElement && t.type === "range";
    switch (ev.key) {
      case " ":
        if (onButton) return; // Space activates the focused button
        ev.preventDefault();
        actions.togglePlay();
        break;
      case "r":
        actions.restart();
        break;
      case "1":
      case "2":
      case "3":
        actions.setVariant(VARIANTS[Number(ev.key) - 1]);
        break;
      case "f":
        canvas.fit();
        break;
      case "+":
      case "=":
        canvas.zoomBy(1.25);
        break;
      case "-":
      case "_":
        canvas.zoomBy(1 / 1.25);
        break;
      case "c":
        canvas.setConnectMode(!store.get().connectMode);
        break;
      case "t":
        actions.toggleTheme();
        break;
      case "/":
        ev.preventDefault();
        if (window.matchMedia("(max-width: 899px)").matches) actions.toggleDrawer(true);
        else sidebar.focusSearch();
        break;
      case "?":
        ev.preventDefault();
        dialog.toggle();
        break;
      case "Delete":
      case "Backspace":
        if (onRange) return;
        if (canvas.deleteSelection()) ev.preventDefault();
        break;
      case "Escape":
        if (store.get().drawerOpen) actions.toggleDrawer(false);
        else canvas.cancel();
        break;
      default:
        break;
    }
  });
}
