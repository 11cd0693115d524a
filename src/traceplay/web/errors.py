"""The ONE place where failures become the JSON error shape ``{"error": {"code", "message", "details"}}``.

Routes raise; this module answers. Core errors (``traceplay.errors``) carry data and no HTTP code: the
status comes from ``STATUS_BY_ERROR`` (most specific class wins). Request validation errors name the
bad field (``body.variant``, ``flow.nodes[3].component``); unknown paths, wrong methods and bodies that
are too large get the same shape. An unexpected exception answers 500 with a short message, never a
traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from traceplay.errors import (
    FlowError,
    LLMError,
    LoadError,
    NeedsKeyError,
    NotFoundError,
    QuizError,
    SimulationError,
    TraceFormatError,
    TraceplayError,
)

log = logging.getLogger("traceplay.web")

# most specific first is not needed: the lookup walks each exception's MRO
STATUS_BY_ERROR: dict[type[TraceplayError], int] = {
    TraceplayError: 400,
    FlowError: 422,
    LoadError: 422,
    NotFoundError: 404,
    SimulationError: 422,
    TraceFormatError: 422,
    LLMError: 502,
    NeedsKeyError: 400,
    QuizError: 422,
}

# FastAPI's 400 for a body that json.loads cannot even decode: not UTF-8, or nested past its limit
PARSE_FAILURE = "There was an error parsing the body"

CODE_BY_STATUS: dict[int, str] = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    500: "internal_error",
}


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> bytes:
    return orjson.dumps({"error": {"code": code, "message": message, "details": details or {}}})


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None, headers: Any = None
) -> Response:
    return Response(
        error_body(code, message, details), status_code=status, media_type="application/json", headers=headers
    )


def status_for(exc: TraceplayError, method: str = "GET") -> int:
    """The HTTP status of a core error. An unknown id in a URL is 404; in a request body the body is
    what is wrong, so 422."""
    if isinstance(exc, NotFoundError) and method not in ("GET", "HEAD"):
        return 422
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


def loc_text(loc: Sequence[Any]) -> str:
    """``("body", "flow", "nodes", 3, "component")`` -> ``body.flow.nodes[3].component``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def validation_problems(errors: Sequence[Any]) -> list[dict[str, Any]]:
    problems = []
    for err in list(errors)[:50]:
        loc = tuple(err.get("loc", ()))
        message = str(err.get("msg", "invalid value"))
        if err.get("type") == "json_invalid":
            ctx = err.get("ctx") or {}
            message = f"not valid JSON: {ctx.get('error', 'syntax error')}"
            if len(loc) == 2 and isinstance(loc[1], int):
                message += f" (at character {loc[1]})"
                loc = ("body",)
        problems.append({"loc": loc_text(loc), "message": message})
    return problems


async def _traceplay_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TraceplayError)
    message = exc.message
    if exc.problems:  # name the first bad field in the message itself
        first = exc.problems[0]
        message = f"{message}: {first}" if str(first) != message else message
        if len(exc.problems) > 1:
            message += f" (and {len(exc.problems) - 1} more)"
    return error_response(status_for(exc, request.method), exc.code, message, exc.details)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = validation_problems(exc.errors())
    first = problems[0] if problems else {"loc": "body", "message": "invalid request"}
    message = f"{first['loc']}: {first['message']}" if first.get("loc") else first["message"]
    return error_response(422, "invalid_request", message, {"problems": problems})


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    if status == 400 and exc.detail == PARSE_FAILURE:  # like every other unreadable body: 422
        problem = "not valid JSON: not UTF-8 text, or nested too deeply"
        return error_response(
            422, "invalid_request", f"body: {problem}", {"problems": [{"loc": "body", "message": problem}]}
        )
    code = CODE_BY_STATUS.get(status, "error")
    if status == 404 and exc.detail in (None, "Not Found"):
        message = f"nothing at {request.url.path}"
    elif status == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    details: dict[str, Any] = {"path": request.url.path}
    limit = getattr(exc, "limit", None)  # middleware.BodyTooLarge
    if isinstance(limit, int):
        details["limit_bytes"] = limit
    return error_response(status, code, message, details, headers=getattr(exc, "headers", None))


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "the server failed unexpectedly; see its log")


def install(app: FastAPI) -> None:
    """Register every handler on ``app``."""
    app.add_exception_handler(TraceplayError, _traceplay_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
