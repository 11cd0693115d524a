// The address bar as state: /?scenario=ID&variant=V[&fault=NODE:KIND...]. Pure: the caller does
// history.pushState/replaceState with what these functions build.

const FAULTS = new Set(["slow", "down", "timeout", "error"]);
const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;

export function parseSearch(search) {
  const params = new URLSearchParams(search || "");
  const scenario = params.get("scenario");
  const variant = params.get("variant");
  const faults = {};
  for (const item of params.getAll("fault")) {
    const cut = item.lastIndexOf(":");
    if (cut <= 0) continue;
    const node = item.slice(0, cut);
    const kind = item.slice(cut + 1);
    if (ID.test(node) && FAULTS.has(kind)) faults[node] = kind;
  }
  return {
    scenario: scenario && ID.test(scenario) ? scenario : null,
    variant: variant && ID.test(variant) ? variant : null,
    faults,
  };
}

export function buildSearch({ scenario, variant, faults } = {}) {
  const params = new URLSearchParams();
  if (scenario) params.set("scenario", scenario);
  if (variant) params.set("variant", variant);
  for (const [node, kind] of Object.entries(faults || {}).sort()) params.append("fault", `${node}:${kind}`);
  const text = params.toString();
  return text ? `?${text}` : "";
}

// How to update the address bar: "push" when the scenario changes (Back returns to it),
// "replace" for a variant or a fault, null when nothing changed.
export function historyAction(currentSearch, next) {
  const now = parseSearch(currentSearch);
  const target = buildSearch(next);
  if (buildSearch(now) === target && (currentSearch || "") === target) return null;
  if (buildSearch(now) === target) return "replace";
  return now.scenario !== (next.scenario || null) ? "push" : "replace";
}
