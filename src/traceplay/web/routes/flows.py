"""POST /api/flows/validate: check a flow document (JSON) or a file's text (JSON or YAML)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Body, Depends
from starlette.responses import Response

from traceplay.domain.flow import Flow, Limits
from traceplay.loader import flow_from_text
from traceplay.web import deps
from traceplay.web.models import ErrorOut, ValidateOut
from traceplay.web.routes.simulate import posted_flow

router = APIRouter(tags=["flows"])

EXAMPLES = {
    "document": {
        "summary": "a flow document",
        "value": {
            "id": "hello",
            "name": "Hello",
            "nodes": [
                {"id": "web", "component": "frontend"},
                {"id": "api", "component": "backend"},
            ],
            "edges": [{"id": "e1", "source": "web", "target": "api", "operation": "GET /"}],
        },
    },
    "text": {
        "summary": "a file's text",
        "value": {"name": "hello.yaml", "text": "id: hello\nname: Hello\nnodes: []\n"},
    },
}


@router.post(
    "/api/flows/validate",
    response_class=Response,
    responses={200: {"model": ValidateOut}, 413: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
def validate_flow(
    body: dict[str, Any] = Body(openapi_examples=EXAMPLES),  # type: ignore[arg-type]
    limits: Limits = Depends(deps.limits),
) -> Response:
    """Answer the checked flow, or 422 listing every problem (with its line for a file's text)."""
    flow = _flow_of(body, limits)
    return deps.json_bytes_response(orjson.dumps({"valid": True, "flow": flow.model_dump(mode="json")}))


def _flow_of(body: dict[str, Any], limits: Limits) -> Flow:
    text = body.get("text")
    if isinstance(text, str) and "nodes" not in body:
        name = body.get("name")
        return flow_from_text(text, name if isinstance(name, str) and name else "<text>", limits=limits)
    return posted_flow(body, limits, field="body")
