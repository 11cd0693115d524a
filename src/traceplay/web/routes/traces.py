"""POST /api/traces/import and /api/traces/export: real trace files in and out of the browser.

Import takes a file's raw bytes (any supported format, detected), answers the trace, the service
graph derived from it (so the canvas can show and animate it, and the learner can save it as a
custom flow), the detected format and how many traces the file holds. Export takes a trace and
answers the document of the asked format as a download.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from traceplay.config import Settings
from traceplay.domain.trace import Trace
from traceplay.errors import Problem, TraceFormatError
from traceplay.formats import EXPORT_FORMATS, FORMATS, dump_trace, get_format, load_trace
from traceplay.formats.graph import stamp_trace
from traceplay.tracefile import gc_paused
from traceplay.web import deps
from traceplay.web.models import ErrorOut

router = APIRouter(tags=["traces"])

IMPORT_EXAMPLE = {
    "trace": {"trace_id": "…", "response_ms": 8.0, "duration_ms": 8.0, "status": "ok", "spans": []},
    "flow": {"id": "imported-…", "name": "Imported — …", "nodes": [], "edges": []},
    "format": "jaeger",
    "traces": 1,
}


@router.get("/api/traces/formats")
def list_formats() -> list[dict[str, Any]]:
    """The trace formats: name, label, file suffix, and whether the export offers it (all import)."""
    return [{"name": f.name, "label": f.label, "suffix": f.suffix, "export": f.export} for f in FORMATS]


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_big(int(declared), limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_big(size, limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_big(size: int, limit: int) -> TraceFormatError:
    return TraceFormatError(
        f"the trace file is more than {limit:,} bytes" if size > limit else "the trace file is too big",
        [Problem("raise TRACEPLAY_MAX_IMPORT_BYTES to import bigger files", "body")],
    )


def _import(data: bytes, name: str | None, index: int | None, settings: Settings) -> bytes:
    with gc_paused():
        trace, fmt, count = load_trace(
            data, name=name, index=index, max_spans=settings.max_spans, max_bytes=settings.max_import_bytes
        )
        flow = stamp_trace(trace)
        return orjson.dumps(
            {
                "trace": trace.model_dump(),
                "flow": flow.model_dump(mode="json"),
                "format": fmt,
                "traces": count,
            }
        )


@router.post(
    "/api/traces/import",
    response_class=Response,
    responses={
        200: {
            "description": "the trace, its service graph, the format, the number of traces",
            "content": {"application/json": {"example": IMPORT_EXAMPLE}},
        },
        413: {"model": ErrorOut},
        422: {"model": ErrorOut},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The raw bytes of a trace file: OTLP JSON or JSON Lines, Jaeger JSON, Zipkin v2, "
            "Chrome trace events or a traceplay trace.",
            "content": {"application/json": {"schema": {"type": "object"}}, "application/octet-stream": {}},
        }
    },
)
async def import_trace(
    request: Request,
    name: str | None = Query(None, max_length=500, description="The file's name, for error messages."),
    index: int | None = Query(None, ge=0, description="Which trace of a file holding several (default 0)."),
    settings: Settings = Depends(deps.settings),
) -> Response:
    """Import a trace file in any supported format: its trace, service graph, format and trace count."""
    data = await _body(request, settings.max_import_bytes)
    body = await run_in_threadpool(_import, data, name, index, settings)
    return deps.json_bytes_response(body)


def _export(doc: Any, fmt: str, settings: Settings) -> tuple[bytes, str]:
    if not isinstance(doc, dict) or "trace" not in doc:
        raise TraceFormatError('the body must be {"trace": Trace}', [Problem("missing", "trace")])
    spans = doc["trace"].get("spans") if isinstance(doc["trace"], dict) else None
    if isinstance(spans, list) and len(spans) > settings.max_spans:
        raise TraceFormatError(
            f"the trace has {len(spans):,} spans; the limit is {settings.max_spans:,}",
            [Problem("too many", "trace.spans")],
        )
    with gc_paused():
        try:
            trace = Trace.model_validate(doc["trace"])
        except ValidationError as exc:
            problems = [Problem(e["msg"], _loc(("trace", *e["loc"]))) for e in exc.errors()[:50]]
            raise TraceFormatError("the trace does not match the Trace contract", problems) from None
        return orjson.dumps(dump_trace(trace, fmt)), trace.trace_id


def _loc(parts: tuple[Any, ...]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@router.post(
    "/api/traces/export",
    response_class=Response,
    responses={
        200: {"description": "the document of the asked format (a download)"},
        413: {"model": ErrorOut},
        422: {"model": ErrorOut},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "object", "properties": {"trace": {"type": "object"}}}
                }
            },
        }
    },
)
async def export_trace(
    request: Request,
    format: str = Query(..., description=f"One of: {', '.join(EXPORT_FORMATS)}."),
    settings: Settings = Depends(deps.settings),
) -> Response:
    """Export a trace (body ``{"trace": Trace}``) as OTLP JSON, Jaeger JSON, Zipkin v2 or Chrome events."""
    if format not in EXPORT_FORMATS:
        raise TraceFormatError(
            f"cannot export as '{format}'", [Problem(f"choose one of: {', '.join(EXPORT_FORMATS)}", "format")]
        )
    data = await _body(request, settings.max_import_bytes)
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise TraceFormatError("not valid JSON", [Problem(exc.msg, "body", line=exc.lineno)]) from None
    fmt = get_format(format)
    body, trace_id = await run_in_threadpool(_export, doc, fmt.name, settings)
    filename = f"trace-{trace_id.lstrip('0')[:16] or '0'}{fmt.suffix}"
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
