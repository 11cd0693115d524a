// Export and import of flow files.
// Export writes the Flow contract as .json, normalised by the server (POST /api/flows/validate),
// so the file is exactly what `traceplay simulate my-flow.json` and /api/schema/flow expect.
// Import reads .json/.yaml/.yml files, has the server validate each one ({text, name}: errors
// then carry the file and line), and answers what was valid and every problem with its place.
// Nothing here touches the stored flows: the caller decides (and asks about taken ids).

export const ACCEPT = ".json,.yaml,.yml,application/json,application/yaml,text/yaml";
const SUFFIX = /\.(json|ya?ml)$/i;
const MAX_BYTES = 20 * 1024 * 1024;

// The flow as the file will hold it: server-normalised when the server agrees, else as it is.
export async function exportable(flow, api) {
  try {
    const answer = await api.validateFlow({ text: JSON.stringify(flow), name: `${flow.id}.json` });
    return { flow: answer.flow, problems: [] };
  } catch (err) {
    return { flow, problems: problemsOf(err, `${flow.id}.json`) };
  }
}

export function fileNameFor(flow) {
  const base = String(flow.id || flow.name || "flow").replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^-+|-+$/g, "") || "flow";
  return `${base}.json`;
}

export function flowText(flow) {
  return JSON.stringify(flow, null, 2) + "\n";
}

// data: text or a Blob
export function download(filename, data, type = "application/json") {
  const url = URL.createObjectURL(data instanceof Blob ? data : new Blob([data], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// files: File[] -> {valid: [{file, flow}], invalid: [{file, message, problems}]}
export async function readFlowFiles(files, api) {
  const valid = [];
  const invalid = [];
  for (const file of files) {
    const name = file.name || "flow.json";
    if (!SUFFIX.test(name)) {
      invalid.push({ file: name, message: "not a flow file", problems: [{ message: "expected a .json, .yaml or .yml file" }] });
      continue;
    }
    if (file.size > MAX_BYTES) {
      invalid.push({ file: name, message: "too large", problems: [{ message: `the file is over ${MAX_BYTES / 1024 / 1024} MB` }] });
      continue;
    }
    let text;
    try {
      text = await file.text();
    } catch {
      invalid.push({ file: name, message: "unreadable", problems: [{ message: "the browser could not read the file" }] });
      continue;
    }
    try {
      const answer = await api.validateFlow({ text, name });
      valid.push({ file: name, flow: answer.flow });
    } catch (err) {
      invalid.push({ file: name, message: err.message || "not a valid flow", problems: problemsOf(err, name) });
    }
  }
  return { valid, invalid };
}

// The server's error shape -> [{message, loc?, line?, node_id?, edge_id?}]
export function problemsOf(err, file) {
  const details = (err && err.details) || {};
  const list = Array.isArray(details.problems) ? details.problems : [];
  // a file that does not parse: say so ("not valid JSON: Expecting value"), not just the parser's words
  const head = err && err.code === "unreadable_file" && typeof err.message === "string" ? err.message.split(":")[0] : "";
  if (list.length) return head ? list.map((p) => (p.message.startsWith(head) ? p : { ...p, message: `${head}: ${p.message}` })) : list;
  return [{ message: (err && err.message) || `${file}: not a valid flow` }];
}

// "file.yaml · line 7 · node b · nodes[1].component" — the place of one problem.
export function placeOf(file, p) {
  const parts = [file];
  if (p.line) parts.push(`line ${p.line}`);
  if (p.node_id) parts.push(`node ${p.node_id}`);
  if (p.edge_id) parts.push(`edge ${p.edge_id}`);
  if (p.loc) parts.push(p.loc);
  return parts.join(" · ");
}
