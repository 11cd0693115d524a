"""Fuzzing the flow loader and the trace importers: hostile input ends in a clear error, never a crash.

Seeds are real: the fixture files of tests/fixtures/traces, simulated traces exported in every format,
and the 43 built-in scenarios serialised as YAML and JSON. Hypothesis mutates them (bytes flipped,
truncated, tokens spliced in; values replaced, deleted, retyped, repeated) and every answer must be a
result or a ``TraceplayError`` of the right family with a readable message: no other exception, no
example slower than its deadline. What an importer accepts must also analyse and export.

Huge and hostile documents are refused cheaply: a ten-million-span file under a memory cap, a
ten-million-node flow before it is parsed, YAML alias bombs before they expand, nesting past the
parsers' depth. Example counts scale with ``TRACEPLAY_FUZZ_EXAMPLES`` (tests/fuzzkit.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
import yaml
from hypothesis import event, given
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

import traceplay.formats as formats
import traceplay.loader as loader
from tests import fuzzkit
from traceplay.domain.analysis import analyze
from traceplay.domain.flow import Flow, Limits, parse_flow
from traceplay.domain.simulate import simulate
from traceplay.domain.trace import Trace
from traceplay.errors import FlowError, LoadError, SimulationError, TraceFormatError, TraceplayError
from traceplay.formats import EXPORT_FORMATS, dump_trace, load_trace
from traceplay.loader import flow_from_text

T = TypeVar("T")
DEFAULT = 60  # examples per fuzz test in `make test`
MAX_MESSAGE = 20_000  # an error names the problem; it never echoes a whole document back
FUZZ = fuzzkit.fuzz_settings(DEFAULT)
TIMEOUT = fuzzkit.timeout_s(DEFAULT)
SPANS_FOR_DOWNSTREAM = 20_000


def outcome(call: Callable[[], T], family: type[TraceplayError]) -> T | TraceplayError:
    """The result of ``call``, or the clear error it raised. Any other exception fails the test."""
    try:
        result = call()
    except TraceplayError as exc:
        assert isinstance(exc, family), f"{type(exc).__name__} is not a {family.__name__}: {exc}"
        text = str(exc)
        assert exc.message.strip(), "an error without a message"
        assert "Traceback" not in text
        assert len(text) < MAX_MESSAGE, f"a {len(text):,}-character error message"
        note(f"refused: {type(exc).__name__}")
        return exc
    note("accepted")
    return result


def note(what: str) -> None:
    """Count an outcome in Hypothesis' statistics (--hypothesis-show-statistics), inside a test."""
    if currently_in_test_context():
        event(what)


def downstream(trace: Trace) -> None:
    """What the app does with an imported trace: analyse it, export it in every format, re-import."""
    analyze(trace)
    for fmt in EXPORT_FORMATS:
        doc = dump_trace(trace, fmt)
        again, _, _ = load_trace(json.dumps(doc).encode(), name=f"export.{fmt}.json")
        assert len(again.spans) == len(trace.spans), fmt


# --------------------------------------------------------------------------- flows


@st.composite
def flow_text_cases(draw: Callable[..., Any]) -> tuple[str, str]:
    name, text = draw(st.sampled_from(fuzzkit.flow_texts()))
    return name, draw(fuzzkit.mutated_text(text))


@pytest.mark.timeout(TIMEOUT)
@FUZZ
@given(flow_text_cases())
def test_mutated_flow_files_load_or_fail_clearly(case: tuple[str, str]) -> None:
    name, text = case
    outcome(lambda: flow_from_text(text, name), FlowError)


@pytest.mark.timeout(TIMEOUT)
@FUZZ
@given(fuzzkit.mutated_json(fuzzkit.flow_documents()), st.sampled_from(fuzzkit.VARIANTS))
def test_mutated_flow_documents_parse_simulate_and_analyse_or_fail_clearly(doc: Any, variant: str) -> None:
    flow = outcome(lambda: parse_flow(doc), FlowError)
    # the same document as a file's text is judged the same way, in JSON and in YAML
    as_json = outcome(lambda: flow_from_text(json.dumps(doc), "mutated.json"), FlowError)
    as_yaml = outcome(lambda: flow_from_text(yaml.safe_dump(doc), "mutated.yaml"), FlowError)
    assert isinstance(as_json, Flow) == isinstance(flow, Flow) == isinstance(as_yaml, Flow)
    if not isinstance(flow, Flow):
        return
    trace = outcome(lambda: simulate(flow, variant, max_spans=SPANS_FOR_DOWNSTREAM), SimulationError)
    if isinstance(trace, Trace):
        analyze(trace, flow, variant)


@pytest.mark.timeout(TIMEOUT)
@FUZZ
@given(st.data())
def test_random_yaml_and_json_text_fails_clearly(data: st.DataObject) -> None:
    text = data.draw(st.text(max_size=300) | st.from_regex(r"[\[\]{}:,\-?&*!|>'\" \n\ta-z0-9#%@`]{0,200}"))
    name = data.draw(st.sampled_from(["x.yaml", "x.json", "<text>"]))
    outcome(lambda: flow_from_text(text, name), FlowError)


# --------------------------------------------------------------------------- traces


@st.composite
def trace_byte_cases(draw: Callable[..., Any]) -> tuple[str, bytes]:
    name, data = draw(st.sampled_from(fuzzkit.trace_files()))
    return name, draw(fuzzkit.mutated_bytes(data))


@pytest.mark.timeout(TIMEOUT)
@FUZZ
@given(trace_byte_cases(), st.none() | st.integers(0, 3))
def test_mutated_trace_files_import_or_fail_clearly(case: tuple[str, bytes], index: int | None) -> None:
    name, data = case
    result = outcome(lambda: load_trace(data, name=name, index=index), TraceFormatError)
    if isinstance(result, tuple):
        downstream(result[0])


@pytest.mark.timeout(TIMEOUT)
@FUZZ
@given(fuzzkit.mutated_json(fuzzkit.trace_documents()))
def test_mutated_trace_documents_import_or_fail_clearly(doc: Any) -> None:
    data = json.dumps(doc).encode()
    result = outcome(lambda: load_trace(data, name="mutated.json"), TraceFormatError)
    if isinstance(result, tuple):
        downstream(result[0])


@pytest.mark.timeout(TIMEOUT)
@FUZZ
@given(st.binary(max_size=400) | fuzzkit.json_values(12).map(lambda v: json.dumps(v).encode()))
def test_random_bytes_and_json_fail_clearly(data: bytes) -> None:
    result = outcome(lambda: load_trace(data), TraceFormatError)
    if isinstance(result, tuple):
        downstream(result[0])


# --------------------------------------------------------------------------- huge and hostile

TEN_MILLION = 10_000_000
LIMIT_SCRIPT = """
import resource, time
resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))
from traceplay.errors import TraceFormatError
from traceplay.formats import load_trace
spans = b"{}," * (COUNT - 1) + b"{}"
data = b'{"resourceSpans":[{"scopeSpans":[{"spans":[' + spans + b"]}]}]}"
began = time.perf_counter()
try:
    load_trace(data)
except TraceFormatError as exc:
    print("refused", round(time.perf_counter() - began, 2), exc.message)
else:
    print("accepted")
"""


def test_a_ten_million_span_document_is_refused_under_a_memory_cap() -> None:
    """30 MB of OTLP holding ten million (empty) spans: refused from its bytes before it is parsed
    (formats.prescan), in a process that may not use more than 512 MiB, well within a minute."""
    script = LIMIT_SCRIPT.replace("CAP", str(512 * 1024**2)).replace("COUNT", str(TEN_MILLION))
    began = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("refused"), done.stdout
    assert "more than 200,000 spans" in done.stdout
    assert time.monotonic() - began < 60


def _otlp(spans: list[Any]) -> Any:
    return {"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]}


def _jaeger(spans: list[Any]) -> Any:
    return {"data": [{"traceID": "a1", "spans": spans, "processes": {}}]}


def _native(spans: list[Any]) -> Any:
    return {"trace_id": "a1", "response_ms": 1, "duration_ms": 1, "status": "ok", "spans": spans}


def _chrome(spans: list[Any]) -> Any:
    return {"traceEvents": [{"ph": "X", "name": "x", "ts": 0, "dur": 1} for _ in spans]}


@pytest.mark.parametrize(
    "build", [_otlp, _jaeger, _native, _chrome], ids=["otlp", "jaeger", "native", "chrome"]
)
def test_every_reader_counts_spans_before_building_any(
    build: Callable[[list[Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("spans were assembled past the limit")

    monkeypatch.setattr(formats, "assemble", never)
    data = json.dumps(build([{}] * 5_000)).encode()
    with pytest.raises(TraceFormatError, match="more than 1,000 spans"):
        load_trace(data, max_spans=1_000)


def test_zipkin_span_lists_are_counted_before_building_any(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "assemble", lambda *a, **k: pytest.fail("assembled past the limit"))
    span = {"traceId": "a1", "id": "b1", "name": "x", "timestamp": 1, "duration": 1}
    with pytest.raises(TraceFormatError, match="more than 1,000 spans"):
        load_trace(json.dumps([span] * 5_000).encode(), max_spans=1_000)


def test_an_oversized_trace_file_is_refused_before_it_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        formats, "parse_documents", lambda *a, **k: pytest.fail("parsed a file over the limit")
    )
    with pytest.raises(TraceFormatError, match="the limit is 1,000"):
        load_trace(b" " * 1_001, max_bytes=1_000)


def test_deeply_nested_trace_json_is_a_clear_error() -> None:
    for data in (b"[" * 100_000 + b"]" * 100_000, b'{"resourceSpans":' + b"[" * 5_000 + b"]" * 5_000 + b"}"):
        with pytest.raises(TraceFormatError, match="not valid JSON"):
            load_trace(data)


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the document was parsed")

    monkeypatch.setattr(loader.json, "loads", never)
    monkeypatch.setattr(loader, "_Loader", never)


def test_a_ten_million_node_flow_is_refused_before_it_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_parsing(monkeypatch)
    nodes = ",".join(['{"id":"n","component":"backend"}'] * TEN_MILLION)
    text = '{"id":"big","name":"Big","nodes":[' + nodes + "]}"
    with pytest.raises(LoadError, match="characters long; the limit is"):
        flow_from_text(text, "big.json")
    compact = '{"id":"big","name":"Big","nodes":[' + ",".join(["{}"] * 5_000_000) + "]}"  # 15 MB
    for name in ("big.json", "big.yaml"):
        with pytest.raises(LoadError, match="values; a flow within the limits needs at most"):
            flow_from_text(compact, name)


def test_the_value_budget_follows_the_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    small = Limits(max_nodes=10, max_edges=10)
    assert loader.max_values(small) == loader.MIN_VALUES
    big = Limits(max_nodes=1_000_000, max_edges=1_000_000)
    assert loader.max_values(big) == 2_000_000 * loader.VALUES_PER_ITEM
    _no_parsing(monkeypatch)
    text = "nodes: [" + ",".join(["{}"] * 100_000) + "]"
    with pytest.raises(LoadError, match="at most 100,000"):
        flow_from_text(text, "x.yaml", limits=small)


BILLION_LAUGHS = "\n".join(
    ["lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 9)}]" for i in range(1, 10)]
    + ["id: bomb", "name: *lol9"]
)


def test_a_yaml_alias_bomb_is_refused_before_it_expands(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten lines of anchors that stand for 9^10 (3.5 billion) strings."""
    monkeypatch.setattr(
        loader._Loader, "construct_document", lambda *a: pytest.fail("the bomb was built"), raising=False
    )
    with pytest.raises(LoadError, match="aliases expand") as info:
        flow_from_text(BILLION_LAUGHS, "bomb.yaml")
    assert "write the repeated parts out" in str(info.value)


def test_yaml_aliases_that_multiply_a_flow_are_refused() -> None:
    finding = "{title: x, nodes: [a, b, a, b, a, b, a, b]}"
    lines = [
        "id: wide",
        "name: Wide",
        "nodes: [{id: a, component: frontend}, {id: b, component: backend}]",
        "edges: [{id: e1, source: a, target: b}]",
        "variants:",
        f"  v0: &v0 {{title: t, findings: [{', '.join([finding] * 200)}]}}",
        *[f"  v{i}: *v0" for i in range(1, 2_000)],
    ]
    with pytest.raises(LoadError, match="aliases expand"):
        flow_from_text("\n".join(lines), "wide.yaml")


def test_modest_yaml_anchors_still_work() -> None:
    text = """\
id: anchors
name: Anchors
nodes:
  - {id: web, component: frontend}
  - {id: api, component: backend}
edges:
  - &call {id: e1, source: web, target: api, operation: GET /}
variants:
  slow: &slow {title: Slow, nodes: {api: {latency_ms: 500}}}
  error: {<<: *slow, title: Error}
"""
    flow = flow_from_text(text, "anchors.yaml")
    assert flow.variants["error"].nodes["api"].latency_ms == 500


@pytest.mark.parametrize(
    "text", ["&a [*a]", "id: a\nname: b\nnodes: &n [*n]\n", "a: &a {b: *a}"], ids=["list", "nodes", "mapping"]
)
def test_a_recursive_yaml_alias_is_refused(text: str) -> None:
    with pytest.raises(LoadError, match="aliases expand"):
        flow_from_text(text, "loop.yaml")


@pytest.mark.parametrize("name", ["deep.json", "deep.yaml"])
@pytest.mark.parametrize("depth", [2_000, 100_000])
def test_deep_nesting_is_a_clear_error(name: str, depth: int) -> None:
    with pytest.raises(LoadError, match="nest"):
        flow_from_text('{"id":"a","name":"b","nodes":' + "[" * depth + "]" * depth + "}", name)


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "1e400"])
def test_coordinates_and_latencies_must_be_finite(value: str) -> None:
    for field in ("x", "y", "latency_ms"):
        with pytest.raises(FlowError, match="finite number"):
            flow_from_text(
                f"id: a\nname: b\nnodes: [{{id: n, component: backend, {field}: {value}}}]\n", "x.yaml"
            )


def test_python_tags_are_not_constructed() -> None:
    with pytest.raises(LoadError, match="could not determine a constructor"):
        flow_from_text("!!python/object/apply:os.system ['echo hi']", "evil.yaml")


# --------------------------------------------------------------------------- found by the fuzzers


def _jaeger_doc(**span_fields: Any) -> bytes:
    span = {
        "traceID": "a1",
        "spanID": "b1",
        "operationName": "GET /",
        "references": [],
        "startTime": 1,
        "duration": 1,
        "processID": "p1",
        **span_fields,
    }
    return json.dumps(
        {"data": [{"traceID": "a1", "spans": [span], "processes": {"p1": {"serviceName": "a"}}}]}
    ).encode()


def _chrome_doc(pid: Any, tid: Any = 1) -> bytes:
    events = [
        {"ph": "M", "name": "process_name", "pid": pid, "tid": 0, "args": {"name": "Frontend"}},
        {"ph": "X", "name": "GET /", "pid": pid, "tid": tid, "ts": 0, "dur": 5},
    ]
    return json.dumps({"traceEvents": events}).encode()


def _chrome_args(**args: Any) -> bytes:
    event = {"ph": "X", "name": "GET /", "pid": 1, "tid": 1, "ts": 0, "dur": 5}
    return json.dumps({"traceEvents": [{**event, "args": {"span_id": "00000000000000a1", **args}}]}).encode()


@pytest.mark.parametrize(
    "data",
    [
        _jaeger_doc(processID=["p1"]),
        _jaeger_doc(processID={"id": "p1"}),
        _jaeger_doc(tags=[{"key": "span.kind", "type": "string", "value": ["server"]}]),
        _chrome_doc(pid=[1]),
        _chrome_doc(pid=1, tid={"id": 1}),
        _chrome_args(events=True),
        _chrome_args(links=7),
    ],
    ids=[
        "jaeger-processID-list",
        "jaeger-processID-object",
        "jaeger-kind-list",
        "chrome-pid-list",
        "chrome-tid-object",
        "chrome-events-bool",
        "chrome-links-number",
    ],
)
def test_values_of_the_wrong_type_are_clear_errors_or_read(data: bytes) -> None:
    """Any JSON may stand where an importer expects an id or a list: a list or an object used as a
    lookup key (a Jaeger processID or span.kind, a Chrome pid or tid) and a scalar where a list goes (a
    Chrome span's events or links) once escaped the importers as a bare TypeError."""
    result = outcome(lambda: load_trace(data), TraceFormatError)
    if isinstance(result, tuple):
        downstream(result[0])
