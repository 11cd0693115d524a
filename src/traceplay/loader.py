"""Reading flows from .json and .yaml files (I/O at the edge; the core never opens a file).

Every error names the file and, where it can be found, the line: parse errors from the parser's own
mark, schema and semantic errors by locating their path (``nodes[3].component``) in the document.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from traceplay.domain.flow import Flow, Limits, parse_flow
from traceplay.errors import FlowError, LoadError, Problem

MAX_FILE_BYTES = 20 * 1024 * 1024
SUFFIXES = (".json", ".yaml", ".yml")


def parse_text(text: str, name: str = "<input>") -> Any:
    """Parse JSON or YAML text (by the name's suffix; YAML reads JSON too) into plain data."""
    if name.endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise LoadError(
                f"not valid JSON: {exc.msg}", [Problem(exc.msg, line=exc.lineno)], source=name
            ) from None
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        msg = exc.problem or exc.context or "syntax error"
        raise LoadError(f"not valid YAML: {msg}", [Problem(msg, line=line)], source=name) from None
    except yaml.YAMLError as exc:
        raise LoadError(f"not valid YAML: {exc}", source=name) from None


def flow_from_text(text: str, name: str = "<input>", *, limits: Limits | None = None) -> Flow:
    """A checked Flow from JSON or YAML text; errors carry the name and the line of each problem."""
    data = parse_text(text, name)
    try:
        return parse_flow(data, limits=limits, source=name)
    except FlowError as exc:
        exc.problems = [_with_line(p, text) for p in exc.problems]
        raise


def load_flow(path: str | Path, *, limits: Limits | None = None) -> Flow:
    """Load a flow file (.json, .yaml or .yml)."""
    p = Path(path)
    if p.suffix.lower() not in SUFFIXES:
        raise LoadError(f"expected a .json, .yaml or .yml file, got '{p.suffix or p.name}'", source=str(p))
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise LoadError(f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}", source=str(p))
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LoadError("no such file", source=str(p)) from None
    except IsADirectoryError:
        raise LoadError("is a directory, not a flow file", source=str(p)) from None
    except UnicodeDecodeError as exc:
        raise LoadError(f"not UTF-8 text (byte {exc.start})", source=str(p)) from None
    except OSError as exc:
        raise LoadError(exc.strerror or str(exc), source=str(p)) from None
    return flow_from_text(text, str(p), limits=limits)


def dump_flow(flow: Flow, fmt: str = "json") -> str:
    data = flow.model_dump(mode="json", exclude_defaults=True)
    data = {"id": flow.id, "name": flow.name, **data}
    if fmt == "yaml":
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _with_line(problem: Problem, text: str) -> Problem:
    if problem.line is not None or not problem.loc:
        return problem
    line = locate(text, problem.loc)
    if line is None:
        return problem
    return Problem(problem.message, problem.loc, problem.node_id, problem.edge_id, line)


def locate(text: str, loc: str) -> int | None:
    """The 1-based line where a path like ``nodes[3].component`` stands in a JSON or YAML document."""
    try:
        node: Any = yaml.compose(text)
    except yaml.YAMLError:
        return None
    for part in _split_loc(loc):
        if node is None:
            return None
        if isinstance(part, int) and isinstance(node, yaml.SequenceNode):
            node = node.value[part] if part < len(node.value) else None
        elif isinstance(node, yaml.MappingNode):
            nxt = None
            for key, value in node.value:
                if getattr(key, "value", None) == part:
                    nxt = value
                    break
            if nxt is None:
                break
            node = nxt
        else:
            break
    return node.start_mark.line + 1 if node is not None else None


def _split_loc(loc: str) -> list[str | int]:
    parts: list[str | int] = []
    for chunk in loc.replace("]", "").split("."):
        name, *indexes = chunk.split("[")
        if name:
            parts.append(name)
        parts.extend(int(i) for i in indexes if i.isdigit())
    return parts
