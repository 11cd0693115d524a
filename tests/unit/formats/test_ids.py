"""Ids as exporters write them: any case, short, 0x-prefixed, base64 (protobuf json_format)."""

from __future__ import annotations

import base64

import pytest

from traceplay.formats import ids


def test_hex_ids_are_lower_cased_and_padded() -> None:
    assert ids.trace_id("5B8EFFF798038103D269B633813FC60C") == "5b8efff798038103d269b633813fc60c"
    assert ids.trace_id("1e223ff1f80f1c69") == "0" * 16 + "1e223ff1f80f1c69"
    assert ids.span_id("0xABC") == "0000000000000abc"
    assert ids.span_id(255) == "00000000000000ff"


def test_base64_ids_of_protobuf_json_format_are_decoded() -> None:
    span = bytes.fromhex("eee19b7ec3c1b174")
    trace = bytes.fromhex("5b8efff798038103d269b633813fc60c")
    assert ids.span_id(base64.b64encode(span).decode()) == span.hex()
    assert ids.trace_id(base64.b64encode(trace).decode()) == trace.hex()
    assert ids.span_id(base64.b64encode(span).decode().rstrip("=")) == span.hex()


@pytest.mark.parametrize("value", ["", "xyz", "g" * 16, "1" * 17, None, 1.5, "====", [1]])
def test_nonsense_is_refused_with_the_reason(value: object) -> None:
    with pytest.raises(ids.BadId, match="span id"):
        ids.span_id(value)


def test_derived_ids_are_deterministic_and_never_taken() -> None:
    taken = {"aaaaaaaaaaaaaaaa"}
    first = ids.derived_span_id("aaaaaaaaaaaaaaaa", 1, taken)
    assert first == ids.derived_span_id("aaaaaaaaaaaaaaaa", 1, taken)
    assert first not in taken and len(first) == 16
    assert ids.derived_span_id("aaaaaaaaaaaaaaaa", 1, taken | {first}) != first
