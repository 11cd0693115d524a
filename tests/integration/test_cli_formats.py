"""The installed ``traceplay`` command: convert, simulate --format and emit (against a loopback receiver)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import orjson
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from traceplay.domain.simulate import simulate
from traceplay.formats import dump_trace, load_trace
from traceplay.templates import get_template

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "traces"
TRACEPLAY = str(Path(sys.executable).with_name("traceplay"))


def run(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [TRACEPLAY, *args], input=stdin, capture_output=True, timeout=60, env={**os.environ, **(env or {})}
    )


@pytest.mark.parametrize("fmt", ["otlp", "chrome"])  # every format is covered in-process; here, the command
def test_convert_a_real_file(fmt: str) -> None:
    result = run("convert", str(FIXTURES / "zipkin-yelp.json"), "--to", fmt)
    assert result.returncode == 0, result.stderr.decode()
    trace, detected, _ = load_trace(result.stdout)
    assert detected == fmt and len(trace.spans) == 16


def test_convert_to_a_file_and_from_stdin(tmp_path: Path) -> None:
    out = tmp_path / "t.otlp.json"
    result = run("convert", str(FIXTURES / "otlp-multi-in.jsonl"), "--to", "otlp", "-o", str(out))
    assert result.returncode == 0 and result.stdout == b""
    assert "otlp, 4 spans" in result.stderr.decode() and str(out) in result.stderr.decode()
    again = run("convert", "-", "--to", "jaeger", stdin=out.read_bytes())
    assert again.returncode == 0
    assert len(orjson.loads(again.stdout)["data"][0]["spans"]) == 4


def test_convert_picks_a_trace_by_index() -> None:
    flow = get_template("redis-cache")
    both = orjson.dumps(
        [*dump_trace(simulate(flow, "success"), "zipkin"), *dump_trace(simulate(flow, "error"), "zipkin")]
    )
    first = run("convert", "-", "--to", "otlp", stdin=both)
    assert "trace 0 of 2; pick another with --index" in first.stderr.decode()
    second = run("convert", "-", "--to", "otlp", "--index", "1", stdin=both)
    assert load_trace(second.stdout)[0].variant == "error"
    bad = run("convert", "-", "--to", "otlp", "--index", "5", stdin=both)
    assert bad.returncode == 2 and "there is no trace 5" in bad.stderr.decode()


def test_convert_errors_are_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    missing = run("convert", str(tmp_path / "nope.json"), "--to", "otlp")
    assert missing.returncode == 2 and "nope.json: no such file" in missing.stderr.decode()
    broken = tmp_path / "broken.json"
    broken.write_text('[{"traceId": "zz", "id": "1"}]')
    result = run("convert", str(broken), "--to", "otlp")
    err = result.stderr.decode()
    assert result.returncode == 2 and "broken.json: [0].traceId: trace id 'zz'" in err
    assert "Traceback" not in err
    assert run("convert", str(broken), "--to", "xml").returncode == 2
    big = run(
        "convert",
        str(FIXTURES / "zipkin-yelp.json"),
        "--to",
        "otlp",
        env={"TRACEPLAY_MAX_IMPORT_BYTES": "100"},
    )
    assert big.returncode == 2 and "the limit is 100" in big.stderr.decode()


@pytest.mark.parametrize("fmt", ["jaeger", "zipkin"])
def test_simulate_prints_the_format(fmt: str) -> None:
    result = run("simulate", "kafka-fanout", "--variant", "slow", "--format", fmt)
    assert result.returncode == 0, result.stderr.decode()
    trace, detected, _ = load_trace(result.stdout)
    assert (detected, trace.flow, trace.variant) == (fmt, "kafka-fanout", "slow")


@pytest.fixture
def collector() -> Iterator[tuple[str, list[ExportTraceServiceRequest], list[int]]]:
    received: list[ExportTraceServiceRequest] = []
    answer = [200]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = ExportTraceServiceRequest()
            request.ParseFromString(self.rfile.read(int(self.headers["Content-Length"])))
            received.append(request)
            body = b"" if answer[0] == 200 else b"quota exceeded"
            self.send_response(answer[0])
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received, answer
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_emit_sends_the_trace(collector: tuple[str, list[ExportTraceServiceRequest], list[int]]) -> None:
    url, received, _ = collector
    result = run("emit", "redis-cache", "--variant", "error", "--endpoint", url, "--fault", "db=slow")
    assert result.returncode == 0, result.stderr.decode()
    assert f"to {url}/v1/traces: trace " in result.stdout.decode()
    (request,) = received
    spans = [s for rs in request.resource_spans for ss in rs.scope_spans for s in ss.spans]
    assert len(spans) >= 3 and any(s.status.code == 2 for s in spans)


def test_emit_reports_the_collectors_refusal(
    collector: tuple[str, list[ExportTraceServiceRequest], list[int]],
) -> None:
    url, _, answer = collector
    answer[0] = 429
    result = run("emit", "simple", "--endpoint", url)
    assert result.returncode == 2
    assert "answered 429 Too Many Requests: quota exceeded" in result.stderr.decode()
    bad = run("emit", "simple", "--endpoint", url, "--header", "novalue")
    assert bad.returncode == 2 and "NAME=VALUE" in bad.stderr.decode()
