"""Tiny builders for hand-made flows in tests."""

from __future__ import annotations

from typing import Any

from traceplay.domain.flow import Flow, Limits, parse_flow


def node(id: str, component: str = "backend", latency: float | None = 10.0, **kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": id, "component": component, "label": kw.pop("label", id), **kw}
    if latency is not None:
        out["latency_ms"] = latency
    return out


def edge(source: str, target: str, **kw: Any) -> dict[str, Any]:
    return {
        "id": kw.pop("id", f"{source}-{target}"),
        "source": source,
        "target": target,
        "operation": kw.pop("operation", f"call {target}"),
        **kw,
    }


def flow(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], **kw: Any) -> Flow:
    limits = Limits(max_nodes=1_000_000, max_edges=1_000_000)
    data = {"id": kw.pop("id", "t"), "name": kw.pop("name", "test"), "nodes": nodes, "edges": edges, **kw}
    return parse_flow(data, limits=limits)
