// What the learning routes are asked about: the scenario as written ({template}) while its structure
// is unchanged, else the flow on the canvas ({flow}); plus the variant and the faults that shaped the
// run. A posted trace ({trace}) keeps the span ids of the trace on screen, so badges, steps and quiz
// answers point at the rows the learner sees.

import { structureKey } from "../logic/flowedit.js";

export function isScenarioAsWritten(st) {
  return Boolean(st.scenarioId && st.original && st.flow && structureKey(st.flow) === structureKey(st.original));
}

export function flowSource(st) {
  return isScenarioAsWritten(st) ? { template: st.scenarioId } : { flow: st.flow };
}

export function validFaults(flow, faults) {
  const ids = new Set(((flow && flow.nodes) || []).map((n) => n.id));
  const out = {};
  for (const [node, kind] of Object.entries(faults || {})) if (ids.has(node)) out[node] = kind;
  return out;
}

// a simulation of the current flow (in `variant`, default the current one), with the current faults
export function runSource(st, variant = st.variant) {
  return { ...flowSource(st), variant, faults: validFaults(st.flow, st.faults) };
}

// the trace on screen, with its flow for the scenario's teaching content
export function traceSource(st) {
  return { trace: st.trace, ...flowSource(st), variant: st.variant };
}
