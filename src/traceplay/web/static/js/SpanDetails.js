// The expanded view of one span in the spans panel: ids, kind, timing, the error, attributes with
// typed values, events (offset from the span's start) and links. Builds DOM only (textContent).

import { h } from "./panelkit.js";
import { formatMs, formatOffset } from "./logic/timescale.js";

/**
 * A detail block for span index `i` of `tree`. `onLink(spanId)` runs when a link to a span of the
 * same trace is followed.
 */
export function spanDetails(tree, i, onLink) {
  const s = tree.spans[i];
  const parent = tree.parent[i] >= 0 ? tree.spans[tree.parent[i]] : null;
  const meta = h("dl", { className: "sd-meta" });
  const add = (label, value, cls) => {
    meta.append(
      h(
        "div",
        { className: "sd-kv" },
        h("dt", { text: label }),
        h("dd", { className: cls || "", text: value }),
      ),
    );
  };
  add("Span ID", s.span_id, "sd-mono");
  add("Parent ID", s.parent_id || "— (root)", "sd-mono");
  add("Kind", s.kind || "internal");
  add("Service", s.component ? `${s.service} (${s.component})` : s.service);
  if (s.node_id || s.edge_id) add("Node · edge", `${s.node_id || "–"} · ${s.edge_id || "–"}`, "sd-mono");
  add("Start", formatMs(s.start_ms));
  add("Duration", formatMs(s.duration_ms));
  add("Self time", formatMs(tree.selfMs[i]));
  if (parent) add("Parent", `${parent.service} · ${parent.operation}`);
  if (tree.afterResponse[i]) add("Timing", "after the response: the caller did not wait for it");

  const block = h("div", { className: "sd", attrs: { "data-detail-for": s.span_id } });
  if (s.status === "error") {
    block.append(
      h(
        "p",
        { className: "sd-error", attrs: { role: "note" } },
        h("strong", { text: "✖ Error: " }),
        s.error || "the span failed",
      ),
    );
  }
  block.append(meta);
  block.append(attributesSection(s.attributes || {}));
  block.append(eventsSection(s));
  const links = linksSection(tree, s, onLink);
  if (links) block.append(links);
  return block;
}

function section(title, count, body) {
  return h(
    "section",
    { className: "sd-section" },
    h("h4", { className: "sd-title" }, title, h("span", { className: "sd-count", text: ` ${count}` })),
    body,
  );
}

/** A value with its type shown: "text" quoted, numbers, booleans, lists, null. */
export function typedValue(value) {
  if (value === null || value === undefined) return h("span", { className: "sd-v sd-v-null", text: "null" });
  if (Array.isArray(value)) {
    const list = h("span", { className: "sd-v sd-v-list" }, "[");
    value.forEach((v, k) => {
      if (k) list.append(", ");
      list.append(typedValue(v));
    });
    list.append("]");
    return list;
  }
  if (typeof value === "boolean") return h("span", { className: "sd-v sd-v-bool", text: String(value) });
  if (typeof value === "number") return h("span", { className: "sd-v sd-v-number", text: String(value) });
  if (typeof value === "object") return h("span", { className: "sd-v", text: JSON.stringify(value) });
  return h("span", { className: "sd-v sd-v-string", text: JSON.stringify(String(value)) });
}

function typeName(value) {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "list";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  return typeof value === "boolean" ? "bool" : "string";
}

function attributesSection(attrs) {
  const keys = Object.keys(attrs).sort();
  if (!keys.length) return section("Attributes", 0, h("p", { className: "sd-none", text: "No attributes." }));
  const table = h("table", { className: "sd-attrs" });
  const body = h("tbody");
  for (const k of keys) {
    body.append(
      h(
        "tr",
        {},
        h("th", { className: "sd-key", attrs: { scope: "row" }, text: k }),
        h("td", {}, typedValue(attrs[k])),
        h("td", { className: "sd-type", text: typeName(attrs[k]) }),
      ),
    );
  }
  table.append(body);
  return section("Attributes", keys.length, table);
}

function eventsSection(s) {
  const events = s.events || [];
  if (!events.length) return section("Events", 0, h("p", { className: "sd-none", text: "No events." }));
  const list = h("ol", { className: "sd-events" });
  for (const e of events) {
    const attrs = h("span", { className: "sd-event-attrs" });
    for (const [k, v] of Object.entries(e.attributes || {})) {
      attrs.append(
        h("span", { className: "sd-chip" }, h("span", { className: "sd-key", text: `${k}=` }), typedValue(v)),
      );
    }
    const isError = e.name === "exception" || /error/i.test(e.name);
    list.append(
      h(
        "li",
        { className: isError ? "sd-event is-error" : "sd-event" },
        h("span", {
          className: "sd-offset",
          text: formatOffset(e.time_ms - s.start_ms),
          title: `at ${formatMs(e.time_ms)}`,
        }),
        h("span", { className: "sd-event-name", text: e.name }),
        attrs,
      ),
    );
  }
  return section("Events", events.length, list);
}

function linksSection(tree, s, onLink) {
  const links = s.links || [];
  if (!links.length) return null;
  const list = h("ul", { className: "sd-links" });
  for (const link of links) {
    const type = (link.type || "follows_from").replace("_", " ");
    const i = link.trace_id ? undefined : tree.index.get(link.span_id);
    if (i !== undefined) {
      const target = tree.spans[i];
      const button = h(
        "button",
        {
          className: "sd-link",
          attrs: { type: "button", "data-link-span-id": link.span_id },
          on: { click: (ev) => (ev.stopPropagation(), onLink(link.span_id)) },
        },
        `${type} → ${target.service} · ${target.operation}`,
      );
      list.append(h("li", {}, button));
    } else {
      const where = link.trace_id ? ` in trace ${link.trace_id}` : " (not in this trace)";
      list.append(h("li", { className: "sd-mono", text: `${type} → ${link.span_id}${where}` }));
    }
  }
  return section("Links", links.length, list);
}
