// What a trace file is, before the server reads it: the picker's accepted types, a sniff that tells
// a trace file from a flow file (both can be dropped on the page), and the formats' names.

export const TRACE_ACCEPT = ".json,.jsonl,.ndjson,application/json,application/x-ndjson";

// Is this file a trace (rather than a flow)? From its name and its first bytes: flows are YAML or a
// JSON object with "nodes"; traces are JSON Lines, a JSON array (Zipkin, Chrome) or an object led by
// a trace key.
const TRACE_KEYS = /"(resourceSpans|resource_spans|traceEvents|traceID|traceId|trace_id|spans|data)"\s*:/;
export async function isTraceFile(file) {
  const name = (file.name || "").toLowerCase();
  if (/\.ya?ml$/.test(name)) return false;
  if (/\.(jsonl|ndjson)$/.test(name) || /\.(otlp|jaeger|zipkin|chrome|trace)\.json$/.test(name)) return true;
  let head = "";
  try {
    head = await file.slice(0, 64 * 1024).text();
  } catch {
    return false;
  }
  const text = head.replace(/^\uFEFF/, "").trimStart();
  if (text.startsWith("[")) return true;
  const trace = TRACE_KEYS.exec(text);
  const nodes = /"nodes"\s*:/.exec(text);
  if (!trace) return false;
  return !nodes || trace.index < nodes.index;
}

export function formatLabel(format) {
  return { otlp: "OTLP JSON", jaeger: "Jaeger JSON", zipkin: "Zipkin v2 JSON", chrome: "Chrome trace events", traceplay: "traceplay trace JSON" }[format] || format;
}
