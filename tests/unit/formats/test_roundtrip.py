"""Every built-in scenario variant, exported to every format and imported back, is the same trace:
the same tree, the same timings (to the format's precision: 1 µs), statuses, errors, canvas ids."""

from __future__ import annotations

import orjson
import pytest

from traceplay.domain.simulate import simulate
from traceplay.domain.trace import Trace
from traceplay.formats import EXPORT_FORMATS, dump_trace, load_trace
from traceplay.templates import get_template, template_ids

from .helpers import summary, tree

CASES = [(t, v) for t in template_ids() for v in get_template(t).variants]


def test_every_built_in_variant_is_covered() -> None:
    assert len(CASES) >= len(template_ids()) * 3


@pytest.mark.parametrize("fmt", [*EXPORT_FORMATS, "traceplay"])
def test_round_trip_of_every_built_in_variant(fmt: str) -> None:
    failures = []
    for template_id, variant in CASES:
        trace = simulate(get_template(template_id), variant)
        back, name, count = load_trace(orjson.dumps(dump_trace(trace, fmt)))
        assert (name, count) == (fmt, 1)
        if tree(back) != tree(trace) or summary(back) != summary(trace):
            failures.append(f"{template_id}/{variant}")
    assert failures == []


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_round_trip_keeps_faults_seed_and_the_absolute_start(fmt: str) -> None:
    trace = simulate(get_template(template_ids()[0]), "success", faults={}, seed=7)
    flow = get_template(template_ids()[1])
    faulty = simulate(flow, "success", faults={flow.nodes[-1].id: "timeout"}, seed=3)
    for original in (trace, faulty):
        doc = dump_trace(original, fmt, start_ns=1_700_000_000_123_456_000)
        back = load_trace(orjson.dumps(doc))[0]
        assert summary(back) == summary(original)
        assert back.spans[0].attributes["traceplay.start_unix_nano"] == "1700000000123456000"
        again = dump_trace(back, fmt)  # an imported trace exports at its own time
        assert again == doc


def _chain(n: int) -> Trace:
    spans = [
        {
            "span_id": f"{i + 1:016x}",
            "parent_id": f"{i:016x}" if i else None,
            "service": "svc",
            "operation": f"op {i}",
            "kind": "internal",
            "start_ms": i * 0.001,
            "duration_ms": (n - i) * 0.002,
        }
        for i in range(n)
    ]
    return Trace.model_validate(
        {
            "trace_id": "ab" * 16,
            "response_ms": n * 0.002,
            "duration_ms": n * 0.002,
            "status": "ok",
            "spans": spans,
        }
    )


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_a_deep_chain_round_trips_without_recursion(fmt: str) -> None:
    trace = _chain(5_000)
    back = load_trace(orjson.dumps(dump_trace(trace, fmt)))[0]
    assert len(back.spans) == 5_000
    assert tree(back) == tree(trace)
