"""The app factory: ``create_app(settings=None, *, llm=None) -> FastAPI``. Nothing is built at import.

The server is stateless: every request carries the flow or trace it is about. Routers live in
``web/routes/`` (one per concern); errors are mapped to JSON in ``web/errors.py``; body limits and
security headers are pure ASGI middleware (``web/middleware.py``); the page and its ES modules are
package files (``web/static/``) served with ETag revalidation.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.responses import Response

from traceplay import __version__
from traceplay.config import Settings, load_settings
from traceplay.web import errors
from traceplay.web.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from traceplay.web.routes import analyze, components, flows, learn, schema, simulate, templates, traces
from traceplay.web.static_files import PackageStatic

ROUTERS = (components, templates, simulate, schema, flows, analyze, traces, learn)
# routes that carry whole traces may take trace-sized bodies (up to the import limit)
TRACE_BODY_PATHS = (
    "/api/traces/import",
    "/api/traces/export",
    "/api/analyze",
    "/api/analyze/ai",
    "/api/compare",
    "/api/narrate",
    "/api/quiz",
)

DESCRIPTION = """
traceplay simulates one request through an architecture and answers its trace, an analysis of it,
and conversions to OTLP, Jaeger and Zipkin. Stateless: every request carries the flow or the trace.

Errors are JSON `{"error": {"code", "message", "details"}}` with a 4xx status; `details.problems`
lists each bad field as `{"loc", "message"}`.
"""


def create_app(settings: Settings | None = None, *, llm: Any = None) -> FastAPI:
    """Build the web app. ``llm``: a language-model adapter to use instead of the configured one."""
    settings = settings or load_settings()
    app = FastAPI(
        title="traceplay",
        version=__version__,
        description=DESCRIPTION,
        docs_url="/docs",
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.llm = llm
    errors.install(app)
    for module in ROUTERS:
        app.include_router(module.router)

    static = PackageStatic()
    app.add_api_route("/", static.index, methods=["GET", "HEAD"], include_in_schema=False)
    app.mount("/static", static, name="static")
    app.add_api_route("/favicon.ico", _favicon, methods=["GET"], include_in_schema=False)

    # outermost last: security headers wrap everything, including 413 answers
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        limits=dict.fromkeys(TRACE_BODY_PATHS, max(settings.max_import_bytes, settings.max_body_bytes)),
    )
    app.add_middleware(SecurityHeadersMiddleware)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # read and validate the built-in scenarios in the background, so the first page load does not
    # wait for 43 YAML files; requests that come sooner simply do the work themselves
    threading.Thread(target=_warm_up, name="traceplay-warm-up", daemon=True).start()
    yield


def _warm_up() -> None:
    templates.warm()
    components.warm()


async def _favicon() -> Response:
    return Response(status_code=204)
