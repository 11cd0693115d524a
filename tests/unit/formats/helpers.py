"""What the format tests share: the fixture files, the facts SOURCES.md lists about them, and a
comparable view of a trace."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from traceplay.domain.trace import Trace

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "traces"
FORMAT_OF_KIND = {
    "jaeger-trace": "jaeger",
    "jaeger-envelope": "jaeger",
    "otlp": "otlp",
    "otlp-jsonl": "otlp",
    "zipkin-v2": "zipkin",
}


@dataclass(frozen=True)
class Facts:
    file: str
    kind: str
    traces: int
    spans: int
    services: tuple[str, ...]
    roots: int
    orphans: int
    dup_ids: int


def fixture_facts() -> list[Facts]:
    """The 'Facts about each file' block of SOURCES.md, parsed."""
    text = (FIXTURES / "SOURCES.md").read_text(encoding="utf-8")
    pattern = re.compile(
        r"^(\S+)\s+(\S+)\s+traces=(\d+) spans=(\d+)\s+services=\[([^\]]*)\]\s+"
        r"roots=(\d+) orphans=(\d+) dup_ids=(\d+)",
        re.M,
    )
    out = []
    for m in pattern.finditer(text):
        services = tuple(s.strip() for s in m.group(5).split(",") if s.strip())
        out.append(
            Facts(
                m.group(1),
                m.group(2),
                int(m.group(3)),
                int(m.group(4)),
                services,
                *map(int, m.group(6, 7, 8)),
            )
        )
    return out


def tree(trace: Trace, precision_ms: float = 0.001) -> dict[str, tuple[Any, ...]]:
    """Per span id: what a round trip must keep — parent, names, kind, timing (to the format's
    precision), status, error, the canvas ids and the links."""

    def q(ms: float) -> int:
        return round(ms / precision_ms)

    return {
        s.span_id: (
            s.parent_id,
            s.service,
            s.operation,
            s.kind,
            q(s.start_ms),
            q(s.duration_ms),
            s.status,
            s.error,
            s.node_id,
            s.edge_id,
            s.component,
            tuple((k.span_id, k.trace_id, k.type) for k in s.links),
            tuple((q(e.time_ms), e.name) for e in s.events),
        )
        for s in trace.spans
    }


def summary(trace: Trace) -> tuple[Any, ...]:
    return (
        trace.trace_id,
        trace.flow,
        trace.variant,
        trace.status,
        round(trace.response_ms, 3),
        round(trace.duration_ms, 3),
        trace.faults,
        trace.seed,
    )
