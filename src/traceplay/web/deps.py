"""What routes need from the app: its settings, its limits, its language model."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request
from starlette.responses import Response

from traceplay.config import Settings
from traceplay.domain.flow import Limits


def settings(request: Request) -> Settings:
    value: Settings = request.app.state.settings
    return value


def limits(request: Request) -> Limits:
    s = settings(request)
    return Limits(max_nodes=s.max_nodes, max_edges=s.max_edges)


def llm(request: Request) -> Any:
    """The language model given to ``create_app(llm=...)`` (None: build one from the settings)."""
    return request.app.state.llm


def json_response(data: Any, status_code: int = 200) -> Response:
    """JSON as bytes from orjson: big traces skip FastAPI's slow generic encoder."""
    return Response(orjson.dumps(data), status_code=status_code, media_type="application/json")


def json_bytes_response(body: bytes, status_code: int = 200) -> Response:
    return Response(body, status_code=status_code, media_type="application/json")
