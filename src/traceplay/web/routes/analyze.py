"""POST /api/analyze, POST /api/analyze/ai and GET /api/llm/status.

The analysis runs on a posted trace (optionally with the built-in or posted flow it came from, for the
scenario's teaching content) or on a fresh simulation of a template or flow. The AI analysis answers
server-sent events — ``delta`` pieces of text, then ``done``; a failure of the language model is an
``error`` event, never a broken stream: the rule-based analysis (from POST /api/analyze) stays valid.
A user's own API key is used for that one request: it is not logged, stored or sent back.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import AsyncIterator
from typing import Any, Literal

import orjson
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, SecretStr, StrictInt, model_validator
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from traceplay.config import Settings
from traceplay.domain.analysis import Analysis, analyze
from traceplay.domain.flow import Flow, Limits
from traceplay.domain.simulate import simulate
from traceplay.domain.trace import Trace
from traceplay.errors import LLMError, Problem, TraceFormatError, TraceplayError
from traceplay.llm import LLM, build_llm, build_messages, llm_status
from traceplay.templates import get_template
from traceplay.web import deps
from traceplay.web.models import ErrorOut, FaultName
from traceplay.web.routes.simulate import posted_flow

router = APIRouter(tags=["analysis"])
log = logging.getLogger("traceplay.web")
UNEXPECTED = "the AI analysis failed unexpectedly; the rule-based analysis is still valid"

ProviderName = Literal["groq", "gemini", "openai", "ollama", "custom"]


class AnalyzeIn(BaseModel):
    """A trace to analyse (with the flow it came from, if known), or a simulation to run and analyse."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"template": "redis-cache", "variant": "error"},
                {"template": "simple", "variant": "success", "faults": {"db": "timeout"}},
                {
                    "trace": {
                        "trace_id": "…",
                        "response_ms": 8.0,
                        "duration_ms": 8.0,
                        "status": "ok",
                        "spans": [],
                    }
                },
            ]
        },
    )

    trace: Trace | None = Field(default=None, description="a Trace document (what /api/simulate answers)")
    template: str | None = Field(default=None, max_length=100, description="id of a built-in scenario")
    flow: dict[str, Any] | None = Field(default=None, description="a Flow document (GET /api/schema/flow)")
    variant: str | None = Field(default=None, max_length=100, description="default: the trace's, or success")
    faults: dict[str, FaultName] = Field(default_factory=dict, description="node id -> fault (simulation)")
    seed: StrictInt | None = Field(default=None, description="jitter seed (simulation)")

    @model_validator(mode="after")
    def _sources(self) -> AnalyzeIn:
        if self.template is not None and self.flow is not None:
            raise ValueError("give 'template' or 'flow', not both")
        if self.trace is None and self.template is None and self.flow is None:
            raise ValueError("give a 'trace' to analyse, or a 'template' or 'flow' to simulate and analyse")
        if self.trace is not None and (self.faults or self.seed is not None):
            raise ValueError("'faults' and 'seed' shape a simulation; a posted trace has already run")
        return self


class AnalyzeAIIn(AnalyzeIn):
    provider: ProviderName | None = Field(default=None, description="default: TRACEPLAY_LLM_PROVIDER")
    model: str | None = Field(default=None, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/@-]*$")
    api_key: SecretStr | None = Field(
        default=None, max_length=1000, description="the user's own key, for this request only; never stored"
    )


def run_analysis(body: AnalyzeIn, settings: Settings, limits: Limits) -> tuple[Trace, Analysis]:
    flow = _flow(body, limits)
    if body.trace is not None:
        trace = body.trace
        if len(trace.spans) > settings.max_spans:
            raise TraceFormatError(
                f"the trace has {len(trace.spans):,} spans; the limit is {settings.max_spans:,}",
                [Problem("send a smaller trace or raise TRACEPLAY_MAX_SPANS", "trace.spans")],
            )
        return trace, analyze(trace, flow, body.variant)
    assert flow is not None  # the body model guarantees a trace, a template or a flow
    trace = simulate(
        flow, body.variant or "success", faults=body.faults, seed=body.seed, max_spans=settings.max_spans
    )
    return trace, analyze(trace, flow)


def _flow(body: AnalyzeIn, limits: Limits) -> Flow | None:
    if body.flow is not None:
        return posted_flow(body.flow, limits)
    if body.template is None:
        return None
    try:
        return get_template(body.template)
    except TraceplayError as exc:  # name the body field: "template"
        exc.problems = [dataclasses.replace(p, loc=_under("template", p.loc)) for p in exc.problems]
        raise


@router.post(
    "/api/analyze",
    response_class=Response,
    responses={200: {"model": Analysis}, 413: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
def post_analyze(
    body: AnalyzeIn,
    settings: Settings = Depends(deps.settings),
    limits: Limits = Depends(deps.limits),
) -> Response:
    """Analyse a trace (or a fresh simulation): critical path, bottleneck, error origin and findings."""
    _, analysis = run_analysis(body, settings, limits)
    return deps.json_response(analysis.model_dump(mode="json"))


@router.post(
    "/api/analyze/ai",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "events: delta*, then done or error"},
        422: {"model": ErrorOut},
    },
)
async def post_analyze_ai(
    body: AnalyzeAIIn,
    request: Request,
    settings: Settings = Depends(deps.settings),
    limits: Limits = Depends(deps.limits),
) -> StreamingResponse:
    """Explain and prioritise the rule-based findings with a language model, streamed as SSE."""
    trace, analysis = await run_in_threadpool(run_analysis, body, settings, limits)
    messages = build_messages(trace, analysis)
    key = body.api_key.get_secret_value() if body.api_key is not None else None
    override: LLM | None = deps.llm(request)

    async def events() -> AsyncIterator[bytes]:
        try:
            llm = override or build_llm(settings, provider=body.provider, model=body.model, api_key=key)
            async for piece in llm.stream(messages):
                yield _event("delta", {"text": piece})
        except LLMError as exc:
            yield _event("error", {"error": {"code": exc.code, "message": _message(exc)}})
            return
        except Exception as exc:  # a bug must not become a broken stream (or a traceback)
            log.error("the AI analysis failed unexpectedly: %s", type(exc).__name__)  # no message: no key
            yield _event("error", {"error": {"code": "llm_failed", "message": UNEXPECTED}})
            return
        yield _event("done", {"provider": llm.provider, "model": llm.model})

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/api/llm/status")
def get_llm_status(settings: Settings = Depends(deps.settings)) -> Response:
    """Whether the server has a language model ready, and the providers a user may pick."""
    return deps.json_response(llm_status(settings, os.environ))


def _under(field: str, loc: str) -> str:
    if not loc:
        return field
    return loc if loc == field or loc.startswith(field + ".") else f"{field}.{loc}"


def _event(name: str, data: dict[str, Any]) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"


def _message(exc: LLMError) -> str:
    if exc.problems:
        return f"{exc.message}: {exc.problems[0].message}"
    return exc.message
