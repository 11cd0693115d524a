// The only module that calls fetch. Every function resolves with parsed JSON (or a Blob for
// exports) and rejects with ApiError { status, code, message, details } built from the server's
// {"error": {...}} shape, so callers can show the message and point at the bad field.

export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

const JSON_HEADERS = { "content-type": "application/json", accept: "application/json" };

async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const err = body && body.error;
  if (err && typeof err.message === "string") {
    return new ApiError(response.status, err.code || "error", err.message, err.details);
  }
  return new ApiError(response.status, "http_" + response.status, `The server answered ${response.status}.`);
}

async function request(method, path, { body, signal, raw = false, headers } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      signal,
      headers: headers || (body === undefined ? { accept: "application/json" } : JSON_HEADERS),
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    });
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError(0, "network", "Cannot reach the traceplay server. Is it still running?");
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

async function json(method, path, options) {
  const response = await request(method, path, options);
  return response.json();
}

export function getComponents(signal) {
  return json("GET", "/api/components", { signal });
}

export function getTemplates(signal) {
  return json("GET", "/api/templates", { signal });
}

export function getTemplate(id, signal) {
  return json("GET", `/api/templates/${encodeURIComponent(id)}`, { signal });
}

// body: {template: id} | {flow}, plus variant, faults, seed
export function simulate(body, signal) {
  return json("POST", "/api/simulate", { body, signal });
}

// body: {trace, template?, flow?, variant?} | {template, variant, faults?}
export function analyze(body, signal) {
  return json("POST", "/api/analyze", { body, signal });
}

export function llmStatus(signal) {
  return json("GET", "/api/llm/status", { signal });
}

// ---- the learning loop (docs/learning.md). A source is {template}|{flow}|{trace}, + variant, faults.
// body: {base: source, other: source, base_label?, other_label?} -> Comparison
export function compare(body, signal) {
  return json("POST", "/api/compare", { body, signal });
}

// body: {template|flow, variant, faults?} -> {trace_id, variant, offers}
export function fixOffers(body, signal) {
  return json("POST", "/api/fixes", { body, signal });
}

// body: the same + fix_id, target -> {fix, claim, flow, base_trace, fixed_trace, comparison}
export function applyFix(body, signal) {
  return json("POST", "/api/fixes/apply", { body, signal });
}

// body: a source -> {trace_id, steps}
export function narrate(body, signal) {
  return json("POST", "/api/narrate", { body, signal });
}

// body: a source -> {trace_id, questions}
export function quiz(body, signal) {
  return json("POST", "/api/quiz", { body, signal });
}

// body: {question (as it came), answer: {span_id}|{node_id}|{choice}} -> {correct, explanation, solution}
export function gradeAnswer(body, signal) {
  return json("POST", "/api/quiz/grade", { body, signal });
}

export function learningPath(signal) {
  return json("GET", "/api/learning-path", { signal });
}

// body: a flow document, or {text, name} for a file's contents
export function validateFlow(body, signal) {
  return json("POST", "/api/flows/validate", { body, signal });
}

// file: a File/Blob (or ArrayBuffer/string); options: {name, index}
export function importTrace(file, { name, index = 0, signal } = {}) {
  const params = new URLSearchParams();
  const fileName = name || (file && file.name) || "trace.json";
  params.set("name", fileName);
  params.set("index", String(index));
  return json("POST", `/api/traces/import?${params}`, {
    body: file,
    raw: true,
    signal,
    headers: { "content-type": "application/octet-stream", accept: "application/json" },
  });
}

// Resolves {blob, filename}: the document in the chosen format, ready to download.
export async function exportTrace(trace, format = "otlp", signal) {
  const response = await request("POST", `/api/traces/export?format=${encodeURIComponent(format)}`, {
    body: { trace },
    signal,
  });
  const blob = await response.blob();
  const disposition = response.headers.get("content-disposition") || "";
  const match = /filename="?([^";]+)"?/i.exec(disposition);
  const filename = match ? match[1] : `trace-${(trace && trace.trace_id) || "export"}.${format}.json`;
  return { blob, filename };
}

// Streams the AI analysis. onEvent({event, data}) runs for every server-sent event
// ("delta" {text}, "error" {error}, "done" {provider, model}). Resolves when the stream ends.
export async function analyzeAI(body, onEvent, signal) {
  const response = await request("POST", "/api/analyze/ai", {
    body,
    signal,
    headers: { "content-type": "application/json", accept: "text/event-stream" },
  });
  if (!response.body) throw new ApiError(0, "no_stream", "This browser cannot read a streamed answer.");
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let cut;
    while ((cut = nextBoundary(buffer)) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut).replace(/^(\r?\n){2}/, "");
      const message = parseEvent(block);
      if (message) onEvent(message);
    }
  }
  const tail = parseEvent(buffer);
  if (tail) onEvent(tail);
}

function nextBoundary(text) {
  const a = text.indexOf("\n\n");
  const b = text.indexOf("\r\n\r\n");
  if (a < 0) return b;
  if (b < 0) return a;
  return Math.min(a, b);
}

// One SSE block ("event: x\ndata: {...}") -> {event, data} (data parsed as JSON when it is JSON).
export function parseEvent(block) {
  let event = "message";
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length) return null;
  const text = data.join("\n");
  try {
    return { event, data: JSON.parse(text) };
  } catch {
    return { event, data: text };
  }
}
