"""GET /api/templates and /api/templates/{id}: the built-in scenarios (read-only package data)."""

from __future__ import annotations

from functools import cache

import orjson
from fastapi import APIRouter, Path
from starlette.responses import Response

from traceplay.domain.flow import ID_PATTERN, Flow
from traceplay.templates import all_templates, get_template, summary
from traceplay.web.deps import json_bytes_response
from traceplay.web.models import ErrorOut, TemplateSummary

router = APIRouter(tags=["scenarios"])


@cache
def _list_body() -> bytes:
    return orjson.dumps([summary(flow) for flow in all_templates()])


@cache
def _template_body(template_id: str) -> bytes:
    return orjson.dumps(get_template(template_id).model_dump(mode="json"))


@router.get("/api/templates", responses={200: {"model": list[TemplateSummary]}}, response_class=Response)
def list_templates() -> Response:
    """The built-in scenarios in learning order, each with its variants."""
    return json_bytes_response(_list_body())


@router.get(
    "/api/templates/{template_id}",
    responses={200: {"model": Flow}, 404: {"model": ErrorOut}},
    response_class=Response,
)
def read_template(template_id: str = Path(pattern=ID_PATTERN, max_length=100)) -> Response:
    """One scenario as a Flow document (nodes, edges, variants and their teaching content)."""
    return json_bytes_response(_template_body(template_id))


def warm() -> None:
    """Build the cached answer ahead of the first request."""
    _list_body()
