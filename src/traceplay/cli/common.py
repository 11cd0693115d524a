"""What several commands share: turning a FLOW argument into a flow, printing JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import typer

from traceplay.domain.flow import Flow
from traceplay.errors import LoadError, NotFoundError, Problem
from traceplay.loader import SUFFIXES, load_flow
from traceplay.templates import get_template, template_ids


def resolve_flow(ref: str) -> Flow:
    """A flow file path, or the id of a built-in scenario."""
    path = Path(ref)
    if path.suffix.lower() in SUFFIXES or path.exists():
        return load_flow(path)
    if ref in template_ids():
        return get_template(ref)
    if "/" in ref or "\\" in ref:
        raise LoadError("no such file", source=ref)
    raise NotFoundError(
        f"'{ref}' is neither a flow file nor a built-in scenario",
        [Problem("run `traceplay templates` for the built-in ids")],
    )


def parse_faults(items: list[str] | None) -> dict[str, str]:
    faults: dict[str, str] = {}
    for item in items or []:
        node, sep, kind = item.partition("=")
        if not sep or not node or not kind:
            raise typer.BadParameter(f"'{item}': expected NODE=KIND, e.g. db=timeout", param_hint="--fault")
        faults[node] = kind
    return faults


def echo_json(data: Any) -> None:
    typer.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
