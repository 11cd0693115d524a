// The top bar: scenario name, variant switch, playback (play/pause/restart, speed, scrubber tied
// to state.cursorMs), theme toggle, "?" for shortcuts, and ☰ for the library drawer on phones.

import { changed } from "./store.js";
import { h, icon } from "./dom.js";
import { SPEEDS, VARIANTS } from "./actions.js";
import { formatMs } from "./logic/format.js";

const VARIANT_SHAPES = { success: "●", slow: "▲", error: "✕" };
const SCRUB_MAX = 1000;

export function TopBar(el, store, api, { actions, playback, onHelp }) {
  const drawerBtn = h("button", {
    type: "button", class: "icon-button drawer-button", "aria-label": "Open the library", "aria-controls": "sidebar",
    "aria-expanded": "false", "data-testid": "drawer-button", onclick: () => actions.toggleDrawer(),
  }, icon("menu", { size: 22 }));
  const brand = h("a", { class: "brand", href: "/", "aria-label": "traceplay home" },
    h("span", { class: "brand-mark", "aria-hidden": "true" }), h("span", { class: "brand-name" }, "traceplay"));
  const name = h("h1", { class: "scenario-name", id: "scenario-name", "data-testid": "scenario-name" }, "…");
  const editedBadge = h("span", { class: "edited-badge", hidden: true }, "edited");
  const revertBtn = h("button", {
    type: "button", class: "text-button revert-button", hidden: true, "data-testid": "revert-button",
    title: "Undo every edit: back to the scenario as written", onclick: () => actions.revert(),
  }, icon("revert", { size: 14 }), "Revert");
  const title = h("div", { class: "scenario-title" }, name, editedBadge, revertBtn);

  const variantGroup = h("div", { class: "variant-switch", role: "radiogroup", "aria-label": "Variant" });
  const variantButtons = VARIANTS.map((v, i) => {
    const b = h("button", {
      type: "button", role: "radio", class: `variant-button variant-${v}`, "data-testid": "variant-button",
      "data-variant": v, "aria-checked": "false", tabindex: -1, title: `${v} (${i + 1})`,
      onclick: () => actions.setVariant(v),
    }, h("span", { class: "variant-shape", "aria-hidden": "true" }, VARIANT_SHAPES[v]), h("span", { class: "variant-text" }, v));
    variantGroup.append(b);
    return b;
  });
  variantGroup.addEventListener("keydown", (ev) => {
    const i = variantButtons.indexOf(document.activeElement);
    if (i < 0) return;
    let next = -1;
    if (ev.key === "ArrowRight" || ev.key === "ArrowDown") next = (i + 1) % VARIANTS.length;
    if (ev.key === "ArrowLeft" || ev.key === "ArrowUp") next = (i - 1 + VARIANTS.length) % VARIANTS.length;
    if (next < 0) return;
    ev.preventDefault();
    actions.setVariant(VARIANTS[next]);
    variantButtons[next].focus();
  });

  const playBtn = h("button", {
    type: "button", class: "icon-button play-button", "aria-label": "Play (space)", title: "Play (space)",
    "data-testid": "play-button", onclick: () => actions.play(),
  }, icon("play", { size: 20 }));
  const pauseBtn = h("button", {
    type: "button", class: "icon-button pause-button", "aria-label": "Pause (space)", title: "Pause (space)",
    "data-testid": "pause-button", hidden: true, onclick: () => actions.pause(),
  }, icon("pause", { size: 20 }));
  const restartBtn = h("button", {
    type: "button", class: "icon-button", "aria-label": "Restart (r)", title: "Restart (r)",
    "data-testid": "restart-button", onclick: () => actions.restart(),
  }, icon("restart", { size: 20 }));
  const speed = h("select", { class: "speed-select", "aria-label": "Playback speed", "data-testid": "speed-select", title: "Playback speed" },
    SPEEDS.map((v) => h("option", { value: String(v) }, `${v}×`)));
  speed.addEventListener("change", () => actions.setSpeed(Number(speed.value)));
  const scrubber = h("input", {
    type: "range", class: "scrubber", min: 0, max: SCRUB_MAX, step: 1, value: 0, "aria-label": "Trace time",
    "data-testid": "scrubber",
  });
  let scrubbing = false;
  scrubber.addEventListener("pointerdown", () => {
    scrubbing = true;
  });
  scrubber.addEventListener("input", () => {
    if (store.get().playing) actions.pause();
    actions.seek(playback.msAt(Number(scrubber.value) / SCRUB_MAX));
  });
  scrubber.addEventListener("change", () => {
    scrubbing = false;
  });
  const readout = h("output", { class: "time-readout", "aria-live": "off", "data-testid": "time-readout" }, "–");
  const playGroup = h("div", { class: "playback", role: "group", "aria-label": "Playback" },
    playBtn, pauseBtn, restartBtn, speed, h("div", { class: "scrub-wrap" }, scrubber), readout);

  const themeBtn = h("button", {
    type: "button", class: "icon-button", "data-testid": "theme-toggle", onclick: () => actions.toggleTheme(),
  });
  const helpBtn = h("button", {
    type: "button", class: "icon-button", "aria-label": "Keyboard shortcuts (?)", title: "Keyboard shortcuts (?)",
    "aria-haspopup": "dialog", "data-testid": "help-button", onclick: () => onHelp(),
  }, icon("help", { size: 20 }));
  const end = h("div", { class: "topbar-end" }, themeBtn, helpBtn);

  el.classList.add("topbar");
  el.append(drawerBtn, brand, title, variantGroup, playGroup, end);

  function update(st) {
    const tpl = st.scenarioId && (st.templates || []).find((t) => t.id === st.scenarioId);
    name.textContent = (st.flow && st.flow.name) || (tpl && tpl.name) || (st.scenarioId ? "…" : "Untitled flow");
    document.title = `${name.textContent} · ${st.variant} — traceplay`;
    editedBadge.hidden = !(st.edited && st.original);
    revertBtn.hidden = !(st.edited && st.original);
    const variants = (st.flow && st.flow.variants) || {};
    variantButtons.forEach((b, i) => {
      const v = VARIANTS[i];
      const on = st.variant === v;
      b.setAttribute("aria-checked", String(on));
      b.tabIndex = on ? 0 : -1;
      const info = variants[v];
      b.title = info && info.title ? `${info.title} (${i + 1})` : `${v} (${i + 1})`;
    });
    const themeLight = st.theme === "light";
    themeBtn.replaceChildren(icon(themeLight ? "moon" : "sun", { size: 20 }));
    themeBtn.setAttribute("aria-label", themeLight ? "Switch to the dark theme (t)" : "Switch to the light theme (t)");
    themeBtn.title = themeBtn.getAttribute("aria-label");
    themeBtn.setAttribute("aria-pressed", String(themeLight));
    drawerBtn.setAttribute("aria-expanded", String(Boolean(st.drawerOpen)));
    speed.value = String(st.speed || 1);
  }

  function updateTime(st) {
    const hadFocus = document.activeElement === playBtn || document.activeElement === pauseBtn;
    playBtn.hidden = Boolean(st.playing);
    pauseBtn.hidden = !st.playing;
    if (hadFocus) (st.playing ? pauseBtn : playBtn).focus();
    const has = Boolean(st.trace);
    playBtn.disabled = !has;
    restartBtn.disabled = !has;
    scrubber.disabled = !has;
    const end = st.traceEndMs || 0;
    if (!scrubbing || st.playing) scrubber.value = String(Math.round(playback.fractionOf(st.cursorMs || 0) * SCRUB_MAX));
    const text = has ? `${formatMs(st.cursorMs || 0)} / ${formatMs(end)}` : "–";
    if (readout.textContent !== text) readout.textContent = text;
    scrubber.setAttribute("aria-valuetext", has ? `${formatMs(st.cursorMs || 0)} of ${formatMs(end)}` : "no trace");
  }

  store.subscribe((st, prev) => {
    if (changed(st, prev, "flow", "scenarioId", "templates", "edited", "original", "variant", "theme", "drawerOpen", "speed")) update(st);
    if (changed(st, prev, "playing", "cursorMs", "trace", "traceEndMs")) updateTime(st);
  });
  update(store.get());
  updateTime(store.get());
  return { focusVariant: () => variantButtons.find((b) => b.tabIndex === 0).focus() };
}
