"""GET /api/components: the catalogue, grouped for the sidebar."""

from __future__ import annotations

from functools import cache

import orjson
from fastapi import APIRouter
from starlette.responses import Response

from traceplay.domain import catalogue
from traceplay.web.deps import json_bytes_response
from traceplay.web.models import ComponentsOut

router = APIRouter(tags=["catalogue"])


@cache
def _components_body() -> bytes:
    return orjson.dumps(
        {
            "categories": [{"id": cid, "label": label} for cid, label in catalogue.CATEGORIES],
            "components": [c.as_dict() for c in catalogue.COMPONENTS],
        }
    )


@router.get("/api/components", responses={200: {"model": ComponentsOut}}, response_class=Response)
def list_components() -> Response:
    """Every component a flow may use, with its category, icon, default latency and call mode."""
    return json_bytes_response(_components_body())


def warm() -> None:
    """Build the cached answer ahead of the first request."""
    _components_body()
