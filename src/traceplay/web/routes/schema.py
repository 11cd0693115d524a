"""GET /api/schema/flow: the JSON Schema of a flow document, for editors and validators."""

from __future__ import annotations

from functools import cache

import orjson
from fastapi import APIRouter
from starlette.responses import Response

from traceplay.domain.flow import flow_schema
from traceplay.web.deps import json_bytes_response

router = APIRouter(tags=["flows"])


@cache
def _schema_body() -> bytes:
    return orjson.dumps(flow_schema())


@router.get(
    "/api/schema/flow", response_class=Response, responses={200: {"content": {"application/json": {}}}}
)
def read_flow_schema() -> Response:
    """The JSON Schema (draft 2020-12) of Flow."""
    return json_bytes_response(_schema_body())
