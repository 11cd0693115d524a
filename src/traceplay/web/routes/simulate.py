"""POST /api/simulate: run one request through a built-in or a posted flow and answer its trace."""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson
from fastapi import APIRouter, Depends
from starlette.responses import Response

from traceplay.config import Settings
from traceplay.domain.flow import Flow, Limits, parse_flow
from traceplay.domain.simulate import simulate
from traceplay.domain.trace import Trace
from traceplay.errors import FlowError, TraceplayError
from traceplay.templates import get_template
from traceplay.web import deps
from traceplay.web.models import ErrorOut, SimulateIn

router = APIRouter(tags=["simulation"])


def posted_flow(data: dict[str, Any], limits: Limits, field: str = "flow") -> Flow:
    """A flow document from a request body; problem locations are prefixed with the body field."""
    try:
        return parse_flow(data, limits=limits, source=field)
    except FlowError as exc:
        raise _prefixed(exc, field) from None


def _prefixed(exc: TraceplayError, field: str) -> TraceplayError:
    """Make problem locations paths into the request body: ``nodes[2].id`` -> ``flow.nodes[2].id``."""
    exc.problems = [dataclasses.replace(p, loc=under(field, p.loc)) for p in exc.problems]
    return exc


def under(field: str, loc: str) -> str:
    if not loc:
        return field
    return loc if loc == field or loc.startswith(field + ".") else f"{field}.{loc}"


def resolve(body: SimulateIn, limits: Limits) -> Flow:
    if body.flow is not None:
        return posted_flow(body.flow, limits)
    assert body.template is not None  # SimulateIn guarantees one of the two
    try:
        return get_template(body.template)
    except TraceplayError as exc:
        raise _prefixed(exc, "template") from None


@router.post(
    "/api/simulate",
    response_class=Response,
    responses={200: {"model": Trace}, 413: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
def run_simulation(
    body: SimulateIn,
    settings: Settings = Depends(deps.settings),
    limits: Limits = Depends(deps.limits),
) -> Response:
    """Simulate one request in a variant, with optional injected faults, and answer the Trace."""
    flow = resolve(body, limits)
    trace = simulate(flow, body.variant, faults=body.faults, seed=body.seed, max_spans=settings.max_spans)
    return deps.json_bytes_response(orjson.dumps(trace.model_dump(mode="json")))
