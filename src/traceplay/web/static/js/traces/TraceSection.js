// The sidebar's "Real traces" section: a button that opens a trace file (OTLP, Jaeger, Zipkin or
// Chrome JSON; files can also be dropped anywhere on the page), the state of the import (reading,
// or what is wrong with the file and where), and — for a file holding several traces — which one
// is on screen. It renders state; `lib` (traces/index.js) does the work.

import { changed } from "../store.js";
import { h, icon } from "../dom.js";
import { TRACE_ACCEPT, formatLabel } from "./files.js";

export function TraceSection(sidebarEl, store, lib) {
  const input = h("input", { type: "file", accept: TRACE_ACCEPT, hidden: true, "data-testid": "trace-input" });
  const openBtn = h("button", {
    type: "button", class: "text-button small", "data-testid": "trace-open",
    title: "Open an OTLP, Jaeger, Zipkin or Chrome trace file (or drop it on the page)",
    onclick: () => input.click(),
  }, icon("upload", { size: 14 }), "Open trace");
  input.addEventListener("change", () => {
    const file = input.files && input.files[0];
    input.value = "";
    if (file) lib.importFile(file);
  });
  const status = h("div", { class: "trace-status", "data-testid": "trace-status", role: "status", "aria-live": "polite" });
  const section = h("section", { class: "side-section real-traces", "aria-labelledby": "real-traces-h", "data-testid": "real-traces" },
    h("div", { class: "section-head" }, h("h2", { id: "real-traces-h" }, "Real traces"), openBtn),
    input, status);
  const scenarios = sidebarEl.querySelector(".side-section.scenarios");
  if (scenarios) scenarios.before(section);
  else sidebarEl.append(section);

  function render() {
    const { traceImport: job, imported } = store.get();
    status.replaceChildren();
    status.removeAttribute("data-state");
    if (job && job.status === "loading") {
      status.dataset.state = "loading";
      status.append(h("p", { class: "trace-note" }, h("span", { class: "spinner", "aria-hidden": "true" }), `Reading ${job.name}…`));
      return;
    }
    if (job && job.status === "error") {
      status.dataset.state = "error";
      const box = h("div", { class: "trace-error", role: "alert", "data-testid": "trace-error" },
        h("p", {}, h("strong", {}, job.name), `: ${job.message}`));
      if (job.problems.length) box.append(h("ul", {}, job.problems.map((p) => h("li", {}, p))));
      box.append(h("p", { class: "trace-note" }, "Nothing on screen changed."),
        h("button", { type: "button", class: "text-button small", "data-testid": "trace-error-dismiss", onclick: () => store.set({ traceImport: null }) }, "Dismiss"));
      status.append(box);
      return;
    }
    if (imported) {
      status.dataset.state = "open";
      status.append(h("p", { class: "trace-file", "data-testid": "trace-file" },
        h("span", { class: "trace-name" }, imported.name),
        h("span", { class: "trace-meta" }, `${formatLabel(imported.format)} · ${imported.spans.toLocaleString()} spans · ${imported.services} service${imported.services === 1 ? "" : "s"}`)));
      if (imported.traces > 1) {
        const pick = h("select", { class: "trace-pick", "aria-label": "Trace of this file", "data-testid": "trace-pick" });
        for (let i = 0; i < imported.traces; i++) {
          pick.append(h("option", { value: String(i), selected: i === imported.index }, `Trace ${i + 1} of ${imported.traces}`));
        }
        pick.addEventListener("change", () => lib.pickTrace(Number(pick.value)));
        status.append(pick);
      }
      return;
    }
    status.append(h("p", { class: "trace-note" }, "See a real trace on the canvas: OTLP, Jaeger, Zipkin or Chrome JSON. Or drop the file on the page."));
  }

  store.subscribe((st, prev) => {
    if (changed(st, prev, "traceImport", "imported")) render();
  });
  render();
  return { section };
}
