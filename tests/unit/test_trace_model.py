"""The Trace contract refuses what no clock produces: infinite, huge or boolean times."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from traceplay.domain.trace import MAX_MS, Trace, trace_from_dict


def doc(**span: Any) -> dict[str, Any]:
    base = {"span_id": "a1", "service": "api", "operation": "GET /", "start_ms": 0.0, "duration_ms": 5.0}
    return {
        "trace_id": "t",
        "response_ms": 5.0,
        "duration_ms": 5.0,
        "status": "ok",
        "spans": [{**base, **span}],
    }


def test_a_plain_trace_is_read() -> None:
    assert isinstance(trace_from_dict(doc()), Trace)
    assert trace_from_dict(doc(start_ms=3)).spans[0].start_ms == 3  # an integer is a number


@pytest.mark.parametrize(
    "span",
    [
        {"start_ms": 1.7e308, "duration_ms": 1.7e308},  # the end would be infinite
        {"start_ms": MAX_MS * 2},
        {"duration_ms": -1.0},
        {"duration_ms": True},
        {"start_ms": float("nan")},
    ],
)
def test_impossible_times_are_refused(span: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        trace_from_dict(doc(**span))


def test_a_boolean_response_time_is_refused() -> None:
    with pytest.raises(ValidationError):
        trace_from_dict({**doc(), "response_ms": False})
