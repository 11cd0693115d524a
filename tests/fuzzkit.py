"""What the fuzz tests share: how many examples to run, the seeds (real fixture files, the built-in
scenarios serialised, simulated traces in every format) and the mutations applied to them.

The example count scales with ``TRACEPLAY_FUZZ_EXAMPLES``: unset, each fuzz test runs a small bounded
number of examples, derandomised so ``make test`` is reproducible; set (``TRACEPLAY_FUZZ_EXAMPLES=2000``
for a long run), each runs that many examples with fresh randomness every time.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from traceplay.domain.simulate import simulate
from traceplay.formats import EXPORT_FORMATS, dump_trace
from traceplay.loader import dump_flow
from traceplay.templates import get_template, template_ids

ENV = "TRACEPLAY_FUZZ_EXAMPLES"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "traces"
VARIANTS = ("success", "slow", "error")

# values that have broken parsers before: boundaries, odd types, markup, control characters
NASTY_SCALARS: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    1.5,
    -0.0,
    2**63,
    -(2**63) - 1,
    10**30,
    1e308,
    -1e308,
    5e-324,
    "",
    " ",
    "0",
    "-1",
    "1e999",
    "NaN",
    "null",
    "true",
    "\x00",
    "\u202e",
    "\ud7ff\ue000",
    "😀" * 3,
    "<img src=x onerror=alert(1)>",
    "'; DROP TABLE spans; --",
    "../../etc/passwd",
    "a" * 5000,
    "00000000000000000000000000000000",
    "ffffffffffffffff",
    "0" * 16,
    "zzzzzzzzzzzzzzzz",
    "2025-01-01T00:00:00Z",
)
BYTE_TOKENS: tuple[bytes, ...] = (
    b"{",
    b"}",
    b"[",
    b"]",
    b'"',
    b",",
    b":",
    b"null",
    b"-1",
    b"1e999",
    b"NaN",
    b"Infinity",
    b"18446744073709551616",
    b"\\u0000",
    b"\\ud800",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\n",
    b"\r\n",
    b"\x00",
    b'"spans":[]',
    b'"resourceSpans":',
    b'"traceEvents":[{}]',
)


def examples(default: int) -> int:
    """The example count of one fuzz test: ``TRACEPLAY_FUZZ_EXAMPLES`` or ``default``."""
    value = os.environ.get(ENV, "").strip()
    return int(value) if value else default


def long_run() -> bool:
    return bool(os.environ.get(ENV, "").strip())


def fuzz_settings(default: int, *, deadline_s: float = 5.0) -> settings:
    """Hypothesis settings of a fuzz test: the example count, a per-example deadline (a slow input is
    a failure, not a wait), no example database, derandomised unless a long run is asked for."""
    return settings(
        max_examples=examples(default),
        deadline=timedelta(seconds=deadline_s),
        derandomize=not long_run(),
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        print_blob=True,
    )


def timeout_s(default_examples: int, per_example_s: float = 1.0, floor_s: float = 120.0) -> float:
    """A whole-test timeout (pytest-timeout) that grows with the example count: a hang fails the test."""
    return max(floor_s, examples(default_examples) * per_example_s * 4)


# --------------------------------------------------------------------------- seeds


@cache
def fixture_files() -> tuple[tuple[str, bytes], ...]:
    """The real trace files of tests/fixtures/traces (name, bytes)."""
    return tuple(
        (p.name, p.read_bytes()) for p in sorted(FIXTURES.iterdir()) if p.suffix in (".json", ".jsonl")
    )


@cache
def flow_documents() -> tuple[dict[str, Any], ...]:
    """Every built-in scenario as the JSON document a user would save."""
    return tuple(orjson.loads(dump_flow(get_template(t), "json")) for t in template_ids())


@cache
def flow_texts() -> tuple[tuple[str, str], ...]:
    """Every built-in scenario serialised as a file (name, text), in YAML and in JSON."""
    out = []
    for t in template_ids():
        flow = get_template(t)
        out.append((f"{t}.yaml", dump_flow(flow, "yaml")))
        out.append((f"{t}.json", dump_flow(flow, "json")))
    return tuple(out)


@cache
def trace_files() -> tuple[tuple[str, bytes], ...]:
    """Real fixture files plus simulated traces of a few scenarios exported in every format."""
    out = list(fixture_files())
    for t in ("simple", "redis-cache", "kafka-fanout", "saga", "circuit-breaker"):
        for variant in VARIANTS:
            trace = simulate(get_template(t), variant, seed=7)
            out.append((f"{t}-{variant}.trace.json", orjson.dumps(trace.model_dump(mode="json"))))
            for fmt in EXPORT_FORMATS:
                out.append((f"{t}-{variant}.{fmt}.json", orjson.dumps(dump_trace(trace, fmt))))
    return tuple(out)


@cache
def trace_documents() -> tuple[Any, ...]:
    """The trace files above parsed (one document each; JSON Lines files give their first line)."""
    return tuple(
        orjson.loads(data.split(b"\n")[0] if name.endswith(".jsonl") else data)
        for name, data in trace_files()
    )


# --------------------------------------------------------------------------- mutations


def json_values(max_leaves: int = 6) -> st.SearchStrategy[Any]:
    """Small JSON values, the nasty scalars above among them."""
    scalars = st.one_of(
        st.integers(0, len(NASTY_SCALARS) - 1).map(NASTY_SCALARS.__getitem__),  # short in statistics
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=20),
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=max_leaves,
    )


def _paths(doc: Any, limit: int = 4000) -> list[tuple[Any, ...]]:
    """Paths to every value of a JSON document (iteratively; at most ``limit``)."""
    out: list[tuple[Any, ...]] = [()]
    stack: list[tuple[tuple[Any, ...], Any]] = [((), doc)]
    while stack and len(out) < limit:
        path, value = stack.pop()
        items: list[tuple[Any, Any]] = []
        if isinstance(value, dict):
            items = list(value.items())
        elif isinstance(value, list):
            items = list(enumerate(value))
        for key, child in items:
            out.append((*path, key))
            stack.append(((*path, key), child))
    return out


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        doc = doc[key]
    return doc


MUTATIONS = ("replace", "delete", "duplicate", "retype", "rename", "wrap", "grow", "tweak", "tweak", "tweak")
# boundaries of the numbers the models hold: zero, negative, tiny, the hour, the step and repeat caps
EDGE_NUMBERS: tuple[Any, ...] = (0, -1, 1, 2, 1e-9, 0.5, 100, 101, 10_000, 10_001, 3_600_000, 3_600_001, 1e15)


def _mutate_once(draw: Callable[..., Any], doc: Any) -> Any:
    paths = _paths(doc)
    path = draw(st.sampled_from(paths))
    how = draw(st.sampled_from(MUTATIONS))
    if not path:  # the root itself
        return draw(json_values()) if how == "replace" else [doc] if how == "wrap" else doc
    parent, key = _parent(doc, path), path[-1]
    value = parent[key]
    if how == "replace":
        parent[key] = draw(json_values())
    elif how == "delete":
        del parent[key]
    elif how == "duplicate" and isinstance(parent, list):
        parent.insert(key, copy.deepcopy(value))
    elif how == "duplicate" and isinstance(parent, dict):
        parent[f"{key}_copy"] = value
    elif how == "retype":
        parent[key] = _retyped(value)
    elif how == "rename" and isinstance(parent, dict):
        parent[draw(st.sampled_from([*parent.keys(), "id", "spans", "nodes", "edges", ""]))] = parent.pop(key)
    elif how == "wrap":
        parent[key] = [value]
    elif how == "grow" and isinstance(value, list) and value:
        parent[key] = value * draw(st.integers(2, 50))
    elif how == "tweak":
        parent[key] = _tweaked(draw, doc, value)
    return doc


def _tweaked(draw: Callable[..., Any], doc: Any, value: Any) -> Any:
    """A plausible wrong value of the same type: a boundary number, another string of the document
    (an id where another id was: references that cross, loop or dangle), the other boolean."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return draw(st.sampled_from(EDGE_NUMBERS))
    if isinstance(value, str):
        strings = _strings(doc)
        return draw(st.sampled_from(strings)) if strings else value + value
    return value


def _strings(doc: Any, limit: int = 500) -> list[str]:
    out: list[str] = []
    stack = [doc]
    while stack and len(out) < limit:
        value = stack.pop()
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return out


def _retyped(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            return len(value)
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    if isinstance(value, dict):
        return list(value.values())
    return 0


@st.composite
def mutated_json(draw: Callable[..., Any], seeds: tuple[Any, ...], max_mutations: int = 4) -> Any:
    """A deep copy of one seed document with 0 to ``max_mutations`` structural mutations."""
    doc = copy.deepcopy(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, max_mutations))):
        doc = _mutate_once(draw, doc)
    return doc


@st.composite
def mutated_bytes(draw: Callable[..., Any], data: bytes, max_mutations: int = 4) -> bytes:
    """``data`` with byte-level mutations: truncations, flips, inserted tokens, cut or repeated slices."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, max_mutations))):
        at = draw(st.integers(0, len(out)))
        how = draw(st.sampled_from(("truncate", "flip", "insert", "token", "cut", "repeat")))
        if how == "truncate":
            del out[at:]
        elif how == "flip" and at < len(out):
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif how == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif how == "token":
            out[at:at] = draw(st.sampled_from(BYTE_TOKENS))
        elif how == "cut":
            del out[at : at + draw(st.integers(1, 64))]
        elif how == "repeat":
            piece = bytes(out[at : at + draw(st.integers(1, 64))])
            out[at:at] = piece * draw(st.integers(1, 20))
    return bytes(out)


@st.composite
def mutated_text(draw: Callable[..., Any], text: str, max_mutations: int = 4) -> str:
    """``text`` with character-level mutations (as ``mutated_bytes``, decoded leniently)."""
    return draw(mutated_bytes(text.encode(), max_mutations)).decode("utf-8", "replace")
