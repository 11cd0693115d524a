"""The flow model: an architecture (nodes and edges) plus its variants.

A flow is plain data (pydantic v2). ``parse_flow`` turns a dict into a checked ``Flow`` and reports
every problem with its place (node id, edge id, field); ``check_flow`` runs the semantic checks that
pydantic alone cannot (references, duplicates, cycles, limits).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from traceplay.domain import catalogue
from traceplay.errors import FlowError, Problem

Mode = Literal["sync", "async"]
NodeStatus = Literal["ok", "error", "down", "timeout"]
OnError = Literal["propagate", "handled"]
Severity = Literal["info", "warning", "critical"]
FaultKind = Literal["slow", "down", "timeout", "error"]

VARIANT_NAMES: tuple[str, ...] = ("success", "slow", "error")
MAX_LATENCY_MS = 3_600_000.0  # an hour: anything longer is a typo, not a lesson
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$"
Attributes = dict[str, str | int | float | bool]


class _Model(BaseModel):
    # no NaN or infinity anywhere: JSON has neither (a NaN coordinate would be written back as null)
    model_config = ConfigDict(extra="forbid", frozen=False, allow_inf_nan=False)


class Node(_Model):
    id: str = Field(pattern=ID_PATTERN)
    component: str
    label: str = Field(default="", max_length=200)
    x: float = 0.0
    y: float = 0.0
    latency_ms: float | None = Field(default=None, description="self time; catalogue default if unset")
    operation: str | None = Field(
        default=None, max_length=500, description="what this node does when it is the entry root"
    )
    self_time: Literal["around", "before", "after"] | None = Field(
        default=None,
        description="where the self time goes relative to the calls: split around them (default), "
        "all before (an inspecting proxy, a broker) or all after",
    )
    attributes: Attributes = Field(default_factory=dict)


class Edge(_Model):
    id: str = Field(pattern=ID_PATTERN)
    source: str
    target: str
    operation: str = Field(default="", max_length=500)
    mode: Mode | None = Field(default=None, description="default: async into or out of a broker")
    step: int = Field(default=0, ge=0, le=100_000)
    timeout_ms: float | None = Field(default=None, gt=0)
    retries: int = Field(default=0, ge=0, le=100)
    retry_backoff_ms: float = Field(default=0.0, ge=0)
    retry_backoff_multiplier: float = Field(default=1.0, ge=1, le=10, description="exponential backoff")
    repeat: int = Field(default=1, ge=1, le=10_000)
    delay_ms: float = Field(default=0.0, ge=0, description="network or queue wait before the callee starts")
    on_error: OnError = "propagate"
    variants: list[str] | None = Field(default=None, description="only taken in these variants")
    calls: list[str] | None = Field(
        default=None,
        description="reached through this edge, the callee makes only these of its calls (edge ids)",
    )
    attributes: Attributes = Field(default_factory=dict)


class NodeOverride(_Model):
    latency_ms: float | None = None
    status: NodeStatus | None = None
    error: str | None = Field(default=None, max_length=1000)
    fail_at: Literal["start", "end"] = Field(
        default="start", description="an `error` node fails before its calls (start) or after (end)"
    )
    skip: bool = False
    attributes: Attributes = Field(default_factory=dict)


class EdgeOverride(_Model):
    skip: bool = False
    timeout_ms: float | None = Field(default=None, gt=0)
    retries: int | None = Field(default=None, ge=0, le=100)
    retry_backoff_ms: float | None = Field(default=None, ge=0)
    repeat: int | None = Field(default=None, ge=1, le=10_000)
    delay_ms: float | None = Field(default=None, ge=0)
    on_error: OnError | None = None
    fail_attempts: int | None = Field(
        default=None, ge=0, description="only the first N attempts meet the callee's fault"
    )
    attributes: Attributes = Field(default_factory=dict)


class Finding(_Model):
    """Authored teaching content: one observation about the trace, pointing at nodes and edges."""

    title: str
    detail: str = ""
    severity: Severity = "info"
    nodes: list[str] = Field(default_factory=list)
    edges: list[str] = Field(default_factory=list)


class Variant(_Model):
    title: str = ""
    summary: str = ""
    severity: Severity = "info"
    nodes: dict[str, NodeOverride] = Field(default_factory=dict)
    edges: dict[str, EdgeOverride] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    tips: list[str] = Field(default_factory=list)
    fixes: list[str] = Field(default_factory=list)
    target_ms: float | None = Field(default=None, gt=0, description="the response time the story wants")


class Flow(_Model):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=5000)
    category: str = ""
    entry: str | None = Field(default=None, description="the entry node; default: the first root")
    fault_node: str | None = Field(default=None, description="where generated slow/error variants strike")
    default_timeout_ms: float = Field(default=30_000.0, gt=0)
    nodes: list[Node] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)
    variants: dict[str, Variant] = Field(default_factory=dict)

    def node_map(self) -> dict[str, Node]:
        return {n.id: n for n in self.nodes}


@dataclass(frozen=True)
class Limits:
    max_nodes: int = 20_000
    max_edges: int = 100_000


def edge_mode(edge: Edge, nodes: dict[str, Node]) -> Mode:
    """An edge's mode: as written, else async when either end is a broker, else sync."""
    if edge.mode is not None:
        return edge.mode
    for end in (edge.target, edge.source):
        node = nodes.get(end)
        comp = catalogue.get(node.component) if node else None
        if comp is not None and comp.mode == "async":
            return "async"
    return "sync"


def parse_flow(data: Any, *, limits: Limits | None = None, source: str | None = None) -> Flow:
    """Build a checked Flow from plain data, or raise FlowError listing every problem."""
    if not isinstance(data, dict):
        raise FlowError("a flow must be an object with nodes and edges", source=source)
    limits = limits or Limits()
    # count before building models: a 10-million-node document fails fast and cheaply
    for key, limit in (("nodes", limits.max_nodes), ("edges", limits.max_edges)):
        items = data.get(key)
        if isinstance(items, list) and len(items) > limit:
            raise FlowError(
                f"too many {key}: {len(items):,} (the limit is {limit:,})",
                [Problem(f"at most {limit:,} {key}", loc=key)],
                source=source,
            )
    try:
        flow = Flow.model_validate(data)
    except PydanticValidationError as exc:
        raise FlowError(
            "the flow does not match the schema", _pydantic_problems(exc, data), source=source
        ) from None
    problems = check_flow(flow, limits=limits)
    if problems:
        raise FlowError("the flow is not valid", problems, source=source)
    return flow


def _pydantic_problems(exc: PydanticValidationError, data: dict[str, Any]) -> list[Problem]:
    problems = []
    for err in exc.errors()[:50]:
        loc = err["loc"]
        node_id = edge_id = None
        if len(loc) >= 2 and loc[0] in ("nodes", "edges") and isinstance(loc[1], int):
            items = data.get(str(loc[0])) or []
            item = items[loc[1]] if loc[1] < len(items) else None
            item_id = item.get("id") if isinstance(item, dict) else None
            if isinstance(item_id, str):
                if loc[0] == "nodes":
                    node_id = item_id
                else:
                    edge_id = item_id
        path = _loc_text(loc)
        problems.append(Problem(err["msg"], loc=path, node_id=node_id, edge_id=edge_id))
    return problems


def _loc_text(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def check_flow(flow: Flow, *, limits: Limits | None = None) -> list[Problem]:
    """Every semantic problem of a flow, each naming its node, edge and field."""
    limits = limits or Limits()
    problems: list[Problem] = []
    add = problems.append
    if len(flow.nodes) > limits.max_nodes:
        add(Problem(f"too many nodes: {len(flow.nodes):,} (limit {limits.max_nodes:,})", "nodes"))
    if len(flow.edges) > limits.max_edges:
        add(Problem(f"too many edges: {len(flow.edges):,} (limit {limits.max_edges:,})", "edges"))

    nodes: dict[str, Node] = {}
    for i, node in enumerate(flow.nodes):
        where = f"nodes[{i}]"
        if node.id in nodes:
            add(Problem(f"duplicate node id '{node.id}'", f"{where}.id", node_id=node.id))
        nodes[node.id] = node
        if catalogue.get(node.component) is None:
            add(Problem(f"unknown component '{node.component}'", f"{where}.component", node_id=node.id))
        _check_latency(node.latency_ms, f"{where}.latency_ms", add, node_id=node.id)

    edge_ids: set[str] = set()
    variant_names = set(VARIANT_NAMES) | set(flow.variants)
    for i, edge in enumerate(flow.edges):
        where = f"edges[{i}]"
        if edge.id in edge_ids:
            add(Problem(f"duplicate edge id '{edge.id}'", f"{where}.id", edge_id=edge.id))
        if edge.id in nodes:
            add(Problem(f"edge id '{edge.id}' is also a node id", f"{where}.id", edge_id=edge.id))
        edge_ids.add(edge.id)
        for end in ("source", "target"):
            ref = getattr(edge, end)
            if ref not in nodes:
                add(Problem(f"{end} '{ref}' is not a node of this flow", f"{where}.{end}", edge_id=edge.id))
        if edge.source == edge.target and edge.repeat < 2:
            add(Problem(f"edge calls its own node '{edge.source}'", where, edge.source, edge.id))
        _check_latency(edge.timeout_ms, f"{where}.timeout_ms", add, edge_id=edge.id)
        _check_latency(edge.delay_ms, f"{where}.delay_ms", add, edge_id=edge.id)
        for ref in edge.calls or []:
            if not any(e.id == ref and e.source == edge.target for e in flow.edges):
                add(
                    Problem(
                        f"'{ref}' is not an edge out of '{edge.target}'", f"{where}.calls", edge_id=edge.id
                    )
                )
        for v in edge.variants or []:
            if v not in variant_names:
                add(Problem(f"unknown variant '{v}'", f"{where}.variants", edge_id=edge.id))

    for ref, field in ((flow.entry, "entry"), (flow.fault_node, "fault_node")):
        if ref is not None and ref not in nodes:
            add(Problem(f"'{ref}' is not a node of this flow", field, node_id=ref))

    for vname, variant in flow.variants.items():
        for nid, ov in variant.nodes.items():
            if nid not in nodes:
                add(Problem(f"override of unknown node '{nid}'", f"variants.{vname}.nodes", node_id=nid))
            _check_latency(ov.latency_ms, f"variants.{vname}.nodes.{nid}.latency_ms", add, node_id=nid)
        for eid, eov in variant.edges.items():
            if eid not in edge_ids:
                add(Problem(f"override of unknown edge '{eid}'", f"variants.{vname}.edges", edge_id=eid))
            _check_latency(eov.delay_ms, f"variants.{vname}.edges.{eid}.delay_ms", add, edge_id=eid)
        for j, finding in enumerate(variant.findings):
            for nid in finding.nodes:
                if nid not in nodes:
                    add(Problem(f"finding names unknown node '{nid}'", f"variants.{vname}.findings[{j}]"))
            for eid in finding.edges:
                if eid not in edge_ids:
                    add(Problem(f"finding names unknown edge '{eid}'", f"variants.{vname}.findings[{j}]"))

    if not problems:
        cycle = find_cycle(flow)
        if cycle:
            add(
                Problem(
                    "cycle without a repeat edge: "
                    + " → ".join([*cycle, cycle[0]])
                    + " (only an edge with repeat ≥ 2 may close a loop)",
                    "edges",
                    node_id=cycle[0],
                )
            )
    return problems


def _check_latency(
    value: float | None, loc: str, add: Any, *, node_id: str | None = None, edge_id: str | None = None
) -> None:
    if value is None:
        return
    if value != value or value < 0:  # NaN or negative
        add(Problem(f"must be a non-negative number of milliseconds, got {value}", loc, node_id, edge_id))
    elif value > MAX_LATENCY_MS:
        add(Problem(f"{value:,.0f} ms is more than an hour; use milliseconds", loc, node_id, edge_id))


def find_cycle(flow: Flow) -> list[str] | None:
    """A cycle through edges that do not repeat, as a list of node ids, or None. Iterative DFS."""
    adjacency: dict[str, list[str]] = {n.id: [] for n in flow.nodes}
    for e in flow.edges:
        if e.repeat < 2 and e.source in adjacency and e.target in adjacency:
            adjacency[e.source].append(e.target)
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(adjacency, WHITE)
    for start in adjacency:
        if colour[start] != WHITE:
            continue
        path: list[str] = [start]
        iters = [iter(adjacency[start])]
        colour[start] = GREY
        while iters:
            nxt = next(iters[-1], None)
            if nxt is None:
                colour[path.pop()] = BLACK
                iters.pop()
            elif colour[nxt] == GREY:
                return path[path.index(nxt) :]
            elif colour[nxt] == WHITE:
                colour[nxt] = GREY
                path.append(nxt)
                iters.append(iter(adjacency[nxt]))
    return None


def flow_schema() -> dict[str, Any]:
    """The JSON Schema of Flow, as published at /api/schema/flow."""
    return Flow.model_json_schema()
