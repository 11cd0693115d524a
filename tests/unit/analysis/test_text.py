"""How numbers and names are written."""

from __future__ import annotations

import pytest

from traceplay.domain.analysis import text
from traceplay.domain.analysis.calls import op_key


@pytest.mark.parametrize(
    ("value", "out"),
    [
        (0.4, "0.4 ms"),
        (8, "8.0 ms"),
        (140, "140 ms"),
        (2900, "2.90 s"),
        (45_100, "45.1 s"),
        (121_000, "2.0 min"),
    ],
)
def test_ms(value: float, out: str) -> None:
    assert text.ms(value) == out


def test_pct_and_lists() -> None:
    assert text.pct(97, 100) == "97 %" and text.pct(0.2, 100) == "<1 %" and text.pct(1, 0) == "0 %"
    assert text.listing(["a"]) == "a" and text.listing(["a", "b", "c"]) == "a, b and c"
    assert text.listing(list("abcdef"), 3) == "a, b, c and 3 more"
    assert text.chain(list("abcdefgh"), 5) == "a → b → c → … (3 more) → g → h"
    assert text.count(1, "span") == "1 span" and text.count(12000, "span") == "12,000 spans"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("SELECT * FROM items WHERE id = 42", "SELECT * FROM items WHERE id = 7"),
        ("GET user:42", "GET user:43"),
        (
            "GET /orders/6f1c2a3b-1111-2222-3333-444455556666",
            "GET /orders/0e0e0e0e-1111-2222-3333-444455556666",
        ),
        ("SELECT name FROM t WHERE n = 'bob'", "SELECT name FROM t WHERE n = 'alice'"),
    ],
)
def test_similar_operations_share_a_key(a: str, b: str) -> None:
    assert op_key(a) == op_key(b)


def test_different_operations_do_not() -> None:
    assert op_key("SELECT * FROM items") != op_key("SELECT * FROM users")
    assert op_key("GET /v1/users") == "GET /v1/users"  # digits glued to letters stay: v1 is a word


def test_a_redelivery_or_retry_note_is_the_same_call() -> None:
    assert op_key("ReceiveMessage → build report (redelivered)") == op_key("ReceiveMessage → build report")
    assert op_key("GET /x (attempt 2)") == "GET /x"
    assert op_key("f(retry_count)") == "f(retry_count)"  # a call's argument, not a note
