"""A flow exported from the browser runs unchanged with `traceplay simulate my-flow.json`.

The browser's export (web/static/js/flows/io.js) posts the flow as a file's text to
POST /api/flows/validate and writes the answered `flow` as indented JSON. These tests do the same
with the shapes the canvas builds (a blank flow, nodes added, a call connected; a copy of a
built-in), then run the installed CLI on the file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_api import Client, make_client
from traceplay.config import Settings
from traceplay.domain.flow import Flow
from traceplay.web.app import create_app

TRACEPLAY = shutil.which("traceplay", path=str(Path(sys.executable).parent)) or "traceplay"

# what flowedit.js emptyFlow / addNode / connect produce, renamed as the "+" dialog does
BROWSER_FLOW: dict[str, Any] = {
    "id": "my-checkout",
    "name": "My checkout",
    "description": "Orders through the API",
    "nodes": [
        {"id": "frontend", "component": "frontend", "label": "Frontend", "x": 120, "y": 80},
        {"id": "backend", "component": "backend", "label": "Backend", "x": 380, "y": 80},
        {"id": "postgresql", "component": "postgresql", "label": "PostgreSQL", "x": 640, "y": 80},
    ],
    "edges": [
        {
            "id": "frontend-backend",
            "source": "frontend",
            "target": "backend",
            "operation": "call Backend",
            "step": 0,
        },
        {
            "id": "backend-postgresql",
            "source": "backend",
            "target": "postgresql",
            "operation": "call PostgreSQL",
            "step": 0,
        },
    ],
    "variants": {},
}


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    yield from make_client(create_app(Settings()))


def export(client: Client, flow: dict[str, Any], path: Path) -> dict[str, Any]:
    """What the Export button writes."""
    answer = client.post("/api/flows/validate", json={"text": json.dumps(flow), "name": f"{flow['id']}.json"})
    assert answer.status_code == 200, answer.text
    exported: dict[str, Any] = answer.json()["flow"]
    path.write_text(json.dumps(exported, indent=2) + "\n", encoding="utf-8")
    return exported


def simulate(path: Path, *args: str) -> dict[str, Any]:
    run = subprocess.run(
        [TRACEPLAY, "simulate", str(path), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"COLUMNS": "100", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
        check=False,
    )
    assert run.returncode == 0, run.stderr
    trace: dict[str, Any] = json.loads(run.stdout)
    return trace


def test_a_canvas_built_flow_exported_runs_in_the_cli(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "my-flow.json"
    exported = export(client, BROWSER_FLOW, path)
    Flow.model_validate(exported)
    trace = simulate(path)
    assert [s["node_id"] for s in trace["spans"]] == ["frontend", "backend", "postgresql"]
    # the CLI result equals the server's simulation of the same flow
    server = client.post("/api/simulate", json={"flow": exported, "variant": "success"}).json()
    assert len(server["spans"]) == len(trace["spans"])


def test_an_exported_copy_of_a_built_in_keeps_its_variants_and_faults_apply(
    client: Client, tmp_path: Path
) -> None:
    builtin = client.get("/api/templates/redis-cache").json()
    copy = {**builtin, "id": "redis-cache-copy", "name": "Redis cache (copy)"}
    path = tmp_path / "redis-cache-copy.json"
    exported = export(client, copy, path)
    assert exported["variants"] == builtin["variants"]
    ok = simulate(path)
    error = simulate(path, "--variant", "error")
    assert any(s.get("status") == "error" for s in error["spans"])
    assert ok["spans"] != error["spans"]
    assert simulate(path, "--fault", f"{exported['nodes'][-1]['id']}=down")["spans"]
