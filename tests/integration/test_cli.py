"""The CLI through its installed entry point, as a user runs it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TRACEPLAY = shutil.which("traceplay", path=str(Path(sys.executable).parent)) or "traceplay"
FLOW = """\
id: mini
name: Mini
nodes:
  - {id: api, component: backend, latency_ms: 10}
  - {id: db, component: postgresql, latency_ms: 30}
edges:
  - {id: e1, source: api, target: db, operation: SELECT 1, timeout_ms: 100}
"""


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TRACEPLAY, *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={"COLUMNS": "100", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )


def test_components_lists_the_catalogue() -> None:
    out = run("components", "--json")
    assert out.returncode == 0, out.stderr
    ids = {c["id"] for c in json.loads(out.stdout)}
    assert {"frontend", "kafka", "s3", "envoy"} <= ids and len(ids) >= 40
    assert "PostgreSQL" in run("components").stdout


def test_templates_lists_scenarios_with_variants() -> None:
    data = json.loads(run("templates", "--json").stdout)
    simple = next(t for t in data if t["id"] == "simple")
    assert [v["id"] for v in simple["variants"]] == ["success", "slow", "error"]


def test_simulate_a_template_as_json() -> None:
    out = run("simulate", "simple", "--variant", "error")
    assert out.returncode == 0, out.stderr
    trace = json.loads(out.stdout)
    assert trace["status"] == "error" and trace["flow"] == "simple" and len(trace["trace_id"]) == 32
    assert {s["node_id"] for s in trace["spans"]} == {"frontend", "backend", "db"}


def test_simulate_a_file_with_a_fault_and_seed(tmp_path: Path) -> None:
    (tmp_path / "mini.yaml").write_text(FLOW)
    out = run("simulate", "mini.yaml", "--fault", "db=timeout", "--seed", "3", cwd=tmp_path)
    trace = json.loads(out.stdout)
    assert trace["status"] == "error" and trace["faults"] == {"db": "timeout"} and trace["seed"] == 3


def test_simulate_table_shows_the_waterfall() -> None:
    out = run("simulate", "simple", "-v", "error", "--format", "table")
    assert out.returncode == 0, out.stderr
    assert "ERROR" in out.stdout and "PostgreSQL" in out.stdout and "█" in out.stdout
    assert "timed out after 3000 ms" in out.stdout


def test_python_dash_m_works() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "traceplay", "templates", "--json"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0 and json.loads(out.stdout)


def test_validate(tmp_path: Path) -> None:
    (tmp_path / "mini.yaml").write_text(FLOW)
    out = run("validate", str(tmp_path / "mini.yaml"))
    assert out.returncode == 0 and "valid — 2 nodes, 1 edges" in out.stdout


BAD_INPUTS = [
    (["simulate", "no-such-scenario"], "neither a flow file nor a built-in scenario"),
    (["simulate", "missing.yaml"], "no such file"),
    (["simulate", "simple", "--variant", "fast"], "unknown variant 'fast'"),
    (["simulate", "simple", "--fault", "db"], "expected NODE=KIND"),
    (["simulate", "simple", "--fault", "ghost=down"], "unknown node 'ghost'"),
    (["simulate", "simple", "--fault", "db=melt"], "unknown fault 'melt'"),
    (["simulate", "simple", "--format", "xml"], "choose one of"),
    (["simulate", "broken.yaml"], "line 5, nodes[1].component"),
    (["simulate", "cycle.yaml"], "cycle without a repeat edge"),
    (["validate", "broken.yaml"], "unknown component 'mainframe'"),
    (["validate", "syntax.json"], "not valid JSON"),
    (["simulate", "simple", "--seed", "abc"], "Invalid value for '--seed'"),
]


@pytest.mark.parametrize(("args", "words"), BAD_INPUTS)
def test_bad_input_is_a_clear_message_with_exit_2(tmp_path: Path, args: list[str], words: str) -> None:
    (tmp_path / "broken.yaml").write_text(FLOW.replace("component: postgresql", "component: mainframe"))
    (tmp_path / "syntax.json").write_text('{"id": "x", ')
    cycle = FLOW + "  - {id: e2, source: db, target: api}\n"
    (tmp_path / "cycle.yaml").write_text(cycle)
    out = run(*args, cwd=tmp_path)
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert words in out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""
