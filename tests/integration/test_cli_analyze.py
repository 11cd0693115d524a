"""``traceplay analyze`` as a user runs it: once through the installed entry point, the rest through
the same ``main()`` in process (each new interpreter costs seconds)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from traceplay.cli import main
from traceplay.domain.analysis import analyze
from traceplay.domain.simulate import simulate
from traceplay.templates import get_template

TRACEPLAY = shutil.which("traceplay", path=str(Path(sys.executable).parent)) or "traceplay"


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


Runner = Callable[..., Result]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Runner:
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("NO_COLOR", "1")

    def invoke(*args: str, stdin: str | None = None, cwd: Path | None = None) -> Result:
        monkeypatch.setattr(sys, "argv", ["traceplay", *args])
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        with pytest.raises(SystemExit) as stop:
            main()
        out = capsys.readouterr()
        code = stop.value.code
        return Result(code if isinstance(code, int) else (0 if code is None else 1), out.out, out.err)

    return invoke


def test_the_installed_command(tmp_path: Path) -> None:
    out = subprocess.run(
        [TRACEPLAY, "analyze", "simple", "--variant", "slow"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"COLUMNS": "100", "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_COLOR": "1"},
    )
    assert out.returncode == 0, out.stderr
    assert "PostgreSQL holds 97 % of the request" in out.stdout


def test_a_template_as_json_is_the_analysis(run: Runner) -> None:
    out = run("analyze", "simple", "--variant", "error", "--format", "json")
    assert out.returncode == 0, out.stderr
    flow = get_template("simple")
    assert json.loads(out.stdout) == analyze(simulate(flow, "error"), flow).model_dump(mode="json")


def test_a_template_as_a_report(run: Runner) -> None:
    out = run("analyze", "redis-cache", "-v", "error")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "CRITICAL" in text and "The request succeeded in 52.0 ms although Redis failed" in text
    assert "error origin: Redis" in text and "Findings (" in text and "Fixes" in text
    assert "circuit breaker" in text  # an authored fix


def test_a_trace_file_from_a_scenario_keeps_its_teaching_content(run: Runner, tmp_path: Path) -> None:
    trace = run("simulate", "kafka-fanout", "--variant", "error").stdout
    (tmp_path / "t.json").write_text(trace)
    out = run("analyze", "t.json", "-f", "json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert body["flow"] == "kafka-fanout" and body["variant"] == "error" and body["tips"]
    assert json.loads(run("analyze", "-", "-f", "json", stdin=trace).stdout) == body


def test_an_imported_trace_file(run: Runner, tmp_path: Path) -> None:
    doc = {
        "trace_id": "ab" * 16, "response_ms": 50, "duration_ms": 900, "status": "ok",
        "spans": [
            {"span_id": "a", "service": "api", "operation": "POST /jobs", "start_ms": 0, "duration_ms": 50,
             "attributes": {"http.response.status_code": 202}},
            {"span_id": "b", "parent_id": "a", "service": "worker", "operation": "run", "kind": "consumer",
             "start_ms": 400, "duration_ms": 500, "status": "error", "error": "KeyError: 'csv'"},
        ],
    }  # fmt: skip
    (tmp_path / "imported.json").write_text(json.dumps(doc))
    out = run("analyze", str(tmp_path / "imported.json"))
    assert out.returncode == 0, out.stderr
    assert "The caller got a success in 50.0 ms, but worker failed after the response." in out.stdout


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", "not valid JSON"),
        ('{"trace_id": 1}', "not a trace in the Trace contract"),
        ('{"id": "f", "name": "F", "nodes": []}', "this is a flow, not a trace"),
    ],
)
def test_a_bad_file_is_a_clear_error_naming_the_file(
    run: Runner, tmp_path: Path, content: str, words: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    out = run("analyze", str(path))
    assert out.returncode == 2 and out.stdout == ""
    assert str(path) in out.stderr and words in out.stderr and "Traceback" not in out.stderr


def test_missing_files_unknown_ids_and_bad_options(run: Runner) -> None:
    missing = run("analyze", "nowhere/trace.json")
    assert missing.returncode == 2 and "nowhere/trace.json: no such file" in missing.stderr
    unknown = run("analyze", "no-such-scenario")
    assert unknown.returncode == 2 and "neither a trace file nor a built-in scenario" in unknown.stderr
    fmt = run("analyze", "simple", "--format", "xml")
    assert fmt.returncode == 2 and "--format" in fmt.stderr
    variant = run("analyze", "simple", "--variant", "purple")
    assert variant.returncode == 2 and "unknown variant 'purple'" in variant.stderr
