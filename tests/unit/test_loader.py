"""Loading flows from files: errors give the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from traceplay.errors import FlowError, LoadError
from traceplay.loader import dump_flow, flow_from_text, load_flow, locate

YAML_FLOW = """\
id: demo
name: Demo
nodes:
  - {id: api, component: backend}
  - id: db
    component: mainframe
edges:
  - {id: e1, source: api, target: db}
"""


def test_yaml_semantic_error_has_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(YAML_FLOW)
    with pytest.raises(FlowError) as info:
        load_flow(path)
    [p] = info.value.problems
    assert info.value.source == str(path) and p.line == 6 and p.node_id == "db"
    assert f"{path}" in str(info.value) and "line 6" in str(info.value)


def test_yaml_syntax_error_has_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: x\nnodes: [\n  {id: a\n")
    with pytest.raises(LoadError) as info:
        load_flow(path)
    assert info.value.problems[0].line is not None and "not valid YAML" in info.value.message


def test_json_syntax_error_has_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"id": "x",\n "nodes": [,]}')
    with pytest.raises(LoadError) as info:
        load_flow(path)
    assert info.value.problems[0].line == 2


def test_json_semantic_error_is_located_too() -> None:
    text = '{"id": "x", "name": "X",\n "nodes": [\n  {"id": "a", "component": "nope"}\n ], "edges": []}'
    with pytest.raises(FlowError) as info:
        flow_from_text(text, "x.json")
    assert info.value.problems[0].line == 3


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [("flow.txt", "x", "expected a .json"), ("missing.json", None, "no such file")],
)
def test_unusable_files(tmp_path: Path, name: str, content: str | None, words: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(LoadError, match=words):
        load_flow(path)


def test_binary_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(LoadError, match="not UTF-8"):
        load_flow(path)


def test_round_trip_json_and_yaml() -> None:
    flow = flow_from_text(YAML_FLOW.replace("mainframe", "postgresql"), "demo.yaml")
    for fmt, name in (("json", "a.json"), ("yaml", "a.yaml")):
        assert flow_from_text(dump_flow(flow, fmt), name) == flow


def test_locate_paths() -> None:
    assert locate(YAML_FLOW, "edges[0].target") == 8
    assert locate(YAML_FLOW, "nodes[1]") == 5
