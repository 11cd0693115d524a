"""Reading flows from .json and .yaml files (I/O at the edge; the core never opens a file).

Every error names the file and, where it can be found, the line: parse errors from the parser's own
mark, schema and semantic errors by locating their path (``nodes[3].component``) in the document.

Hostile input is refused before it is built: text over ``MAX_TEXT_CHARS``; documents with more values
than a flow within its limits could need (counted from the separators in the text, before parsing);
YAML whose aliases would expand past that count (a "billion laughs" document: a few kilobytes of
anchors naming anchors), measured on the composed node graph before any Python object is built; and
nesting deeper than the parsers allow. Every one is a ``LoadError``, never a crash or a hang.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from traceplay.domain.flow import Flow, Limits, parse_flow
from traceplay.errors import FlowError, LoadError, Problem

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TEXT_CHARS = MAX_FILE_BYTES
SUFFIXES = (".json", ".yaml", ".yml")
# values (mappings, lists, scalars) a document may hold per node or edge the limits allow: generous
# for a flow at its limits with overrides in every variant, and still bounded
VALUES_PER_ITEM = 40
MIN_VALUES = 100_000
# YAML aliases may repeat parts (anchors for shared defaults), not multiply the document: expanded, it
# may hold this many times the values written (or MIN_VALUES, for small files)
ALIAS_AMPLIFICATION = 10
# libyaml's C parser when it is there (ten times faster); the pure-Python one otherwise
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def max_values(limits: Limits | None = None) -> int:
    """The most values a flow document may hold (or expand to through YAML aliases)."""
    limits = limits or Limits()
    return max(MIN_VALUES, VALUES_PER_ITEM * (limits.max_nodes + limits.max_edges))


def parse_text(text: str, name: str = "<input>", *, limits: Limits | None = None) -> Any:
    """Parse JSON or YAML text (by the name's suffix; YAML reads JSON too) into plain data.

    Refuses, before building anything, text too long or holding more values than a flow within
    ``limits`` could need, and YAML aliases that would expand past that many values."""
    budget = max_values(limits)
    _check_size(text, name, budget)
    if name.endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise LoadError(
                f"not valid JSON: {exc.msg}", [Problem(exc.msg, line=exc.lineno)], source=name
            ) from None
        except RecursionError:
            raise _too_deep("JSON", name) from None
    return _load_yaml(text, name, budget)


def rough_values(text: str) -> int:
    """An upper bound on the values (mappings, lists, keys, scalars) of a JSON or YAML document, before
    YAML aliases: every value but the first follows one of ``, : [ { - ?`` or a line break."""
    return 1 + sum(text.count(mark) for mark in (",", ":", "[", "{", "-", "?", "\n"))


def _check_size(text: str, name: str, budget: int) -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise LoadError(
            f"the document is {len(text):,} characters long; the limit is {MAX_TEXT_CHARS:,}", source=name
        )
    rough = rough_values(text)
    if rough > budget:
        raise LoadError(
            f"the document may hold {rough:,} values; a flow within the limits needs at most {budget:,}",
            [Problem("split the flow, or raise TRACEPLAY_MAX_NODES / TRACEPLAY_MAX_EDGES")],
            source=name,
        )


def _load_yaml(text: str, name: str, budget: int) -> Any:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        written, expanded = expanded_size(node, budget)
        allowed = min(budget, max(MIN_VALUES, ALIAS_AMPLIFICATION * written))
        if expanded > allowed:
            raise LoadError(
                f"not accepted: its YAML aliases expand {written:,} values to more than {allowed:,}",
                [Problem("write the repeated parts out, or use fewer anchors and aliases")],
                source=name,
            )
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        msg = exc.problem or exc.context or "syntax error"
        raise LoadError(f"not valid YAML: {msg}", [Problem(msg, line=line)], source=name) from None
    except yaml.YAMLError as exc:
        raise LoadError(f"not valid YAML: {exc}", source=name) from None
    except RecursionError:
        raise _too_deep("YAML", name) from None
    finally:
        loader.dispose()


def _too_deep(kind: str, name: str) -> LoadError:
    return LoadError(
        f"not valid {kind}: nested too deeply", [Problem("a flow is a few levels deep")], source=name
    )


def expanded_size(root: yaml.Node, limit: int) -> tuple[int, int]:
    """How many values a composed YAML document holds as written, and how many it stands for once
    its aliases are expanded (an alias is the anchored node itself in the graph), capped at
    ``limit + 1``; a node that contains itself counts as infinite. Iterative and memoised: linear in
    the graph, whatever the expansion."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        key = id(node)
        if closing:
            open_nodes.discard(key)
            sizes[key] = min(limit + 1, 1 + sum(sizes[id(child)] for child in _children(node)))
            continue
        if key in sizes:
            continue
        if key in open_nodes:  # reached again from inside itself: a recursive alias
            return len(sizes) + len(open_nodes), limit + 1
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return len(sizes), sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def flow_from_text(text: str, name: str = "<input>", *, limits: Limits | None = None) -> Flow:
    """A checked Flow from JSON or YAML text; errors carry the name and the line of each problem."""
    data = parse_text(text, name, limits=limits)
    try:
        return parse_flow(data, limits=limits, source=name)
    except FlowError as exc:
        exc.problems = _with_lines(exc.problems, text)
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


def _with_lines(problems: list[Problem], text: str) -> list[Problem]:
    """The problems with the line of their path in the text (the document is composed once)."""
    if not any(p.line is None and p.loc for p in problems):
        return problems
    root = _compose(text)
    if root is None:
        return problems
    out = []
    for problem in problems:
        line = _line_in(root, problem.loc) if problem.line is None and problem.loc else None
        out.append(problem if line is None else Problem(*_fields(problem), line=line))
    return out


def _fields(p: Problem) -> tuple[str, str, str | None, str | None]:
    return p.message, p.loc, p.node_id, p.edge_id


def _compose(text: str) -> yaml.Node | None:
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError):
        return None
    return node


def locate(text: str, loc: str) -> int | None:
    """The 1-based line where a path like ``nodes[3].component`` stands in a JSON or YAML document."""
    root = _compose(text)
    return _line_in(root, loc) if root is not None else None


def _line_in(root: yaml.Node, loc: str) -> int | None:
    node: Any = root
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
