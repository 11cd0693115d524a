"""The learning loop: compare two traces, apply a fix and re-run, step through a trace, check yourself.

Stateless like the rest of the API: every request carries what it is about — a trace, or a built-in
(``template``) or posted ``flow`` to simulate in a ``variant`` with optional ``faults`` — and a quiz
question travels with its own packed answer key, so grading needs nothing the server remembers.

    POST /api/compare        {base: Source, other: Source, base_label?, other_label?}  -> Comparison
    POST /api/fixes          Source with template|flow                                   -> {offers}
    POST /api/fixes/apply    {template|flow, variant, faults?, fix_id, target}
                             -> {fix, claim, flow, base_trace, fixed_trace, comparison}
    POST /api/narrate        Source                                                      -> {steps}
    POST /api/quiz           Source                                                      -> {questions}
    POST /api/quiz/grade     {question, answer}                                          -> Grade
    GET  /api/learning-path                                                              -> {levels}
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson
from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator
from starlette.responses import Response

from traceplay.config import Settings
from traceplay.domain.analysis import analyze
from traceplay.domain.compare import Comparison, compare
from traceplay.domain.fixes import FixOffer, FixTarget, apply_fix, claim_for, fixes_for, get_fix
from traceplay.domain.flow import Flow, Limits, parse_flow
from traceplay.domain.learning_path import Level, learning_path
from traceplay.domain.narrate import Step, narrate
from traceplay.domain.quiz import Answer, Grade, Question, grade, questions
from traceplay.domain.simulate import simulate
from traceplay.domain.trace import Trace
from traceplay.errors import FlowError, Problem, TraceFormatError, TraceplayError
from traceplay.templates import ORDER, all_templates, get_template
from traceplay.web import deps
from traceplay.web.models import ErrorOut, FaultName

router = APIRouter(tags=["learning"])
ERRORS: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}, 422: {"model": ErrorOut}}


class Source(BaseModel):
    """A trace, or a simulation to run: a built-in (``template``) or a posted ``flow`` in a variant."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"template": "simple", "variant": "slow"}]},
    )

    trace: Trace | None = Field(default=None, description="a Trace document (what /api/simulate answers)")
    template: str | None = Field(default=None, max_length=100, description="id of a built-in scenario")
    flow: dict[str, Any] | None = Field(default=None, description="a Flow document (GET /api/schema/flow)")
    variant: str | None = Field(default=None, max_length=100, description="default: the trace's, or success")
    faults: dict[str, FaultName] = Field(default_factory=dict, description="node id -> fault (simulation)")
    seed: StrictInt | None = Field(default=None, description="jitter seed (simulation)")

    @model_validator(mode="after")
    def _sources(self) -> Source:
        if self.template is not None and self.flow is not None:
            raise ValueError("give 'template' or 'flow', not both")
        if self.trace is None and self.template is None and self.flow is None:
            raise ValueError("give a 'trace', or a 'template' or 'flow' to simulate")
        if self.trace is not None and (self.faults or self.seed is not None):
            raise ValueError("'faults' and 'seed' shape a simulation; a posted trace has already run")
        return self


class FlowSource(BaseModel):
    """A built-in or posted flow to simulate in a variant (fixes change flows, so a flow is needed)."""

    model_config = ConfigDict(extra="forbid")

    template: str | None = Field(default=None, max_length=100)
    flow: dict[str, Any] | None = None
    variant: str = Field(default="success", max_length=100)
    faults: dict[str, FaultName] = Field(default_factory=dict)
    seed: StrictInt | None = None

    @model_validator(mode="after")
    def _one_source(self) -> FlowSource:
        if (self.template is None) == (self.flow is None):
            raise ValueError("give either 'template' (a built-in id) or 'flow' (a flow document), not both")
        return self


class CompareIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "base": {"template": "simple", "variant": "success"},
                    "other": {"template": "simple", "variant": "slow"},
                }
            ]
        },
    )

    base: Source
    other: Source
    base_label: str | None = Field(default=None, max_length=100, description="e.g. 'the success variant'")
    other_label: str | None = Field(default=None, max_length=100)


class ApplyIn(FlowSource):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "template": "simple",
                    "variant": "error",
                    "fix_id": "circuit-breaker",
                    "target": {"edges": ["be-db"]},
                }
            ]
        },
    )

    fix_id: str = Field(max_length=100)
    target: FixTarget


class GradeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Question
    answer: Answer | str = Field(description="{span_id} | {node_id} | {choice}, or a bare id")


class OffersOut(BaseModel):
    trace_id: str
    variant: str
    offers: list[FixOffer]


class ApplyOut(BaseModel):
    fix: dict[str, str]
    claim: str
    flow: Flow
    base_trace: Trace
    fixed_trace: Trace
    comparison: Comparison


class StepsOut(BaseModel):
    trace_id: str
    steps: list[Step]


class QuestionsOut(BaseModel):
    trace_id: str
    questions: list[Question]


class LevelsOut(BaseModel):
    levels: list[Level]


@dataclass(frozen=True)
class Run:
    flow: Flow | None
    trace: Trace


def _join(*parts: str) -> str:
    return ".".join(p for p in parts if p)


def _under(where: str, exc: TraceplayError, default: str) -> TraceplayError:
    """Name the body field in each problem's location: ``base.template``, ``other.flow.nodes[2]``."""
    exc.problems = [dataclasses.replace(p, loc=_join(where, p.loc or default)) for p in exc.problems]
    if not exc.problems:
        exc.problems = [Problem(exc.message, _join(where, default))]
    return exc


def _flow(template: str | None, flow: dict[str, Any] | None, limits: Limits, where: str) -> Flow | None:
    """The posted or built-in flow of a source; ``where`` is the source's path in the body."""
    try:
        if flow is not None:
            return parse_flow(flow, limits=limits, source="flow")
        return get_template(template) if template is not None else None
    except FlowError as exc:
        exc.problems = [dataclasses.replace(p, loc=_join("flow", p.loc)) for p in exc.problems]
        raise _under(where, exc, "flow") from None
    except TraceplayError as exc:
        raise _under(where, exc, "template") from None


def _simulate(flow: Flow, source: FlowSource | Source, settings: Settings, where: str) -> Trace:
    variant = source.variant or "success"
    try:
        return simulate(flow, variant, faults=source.faults, seed=source.seed, max_spans=settings.max_spans)
    except TraceplayError as exc:
        raise _under(where, exc, "variant") from None


def run(source: Source, settings: Settings, limits: Limits, where: str = "") -> Run:
    flow = _flow(source.template, source.flow, limits, where)
    if source.trace is not None:
        if len(source.trace.spans) > settings.max_spans:
            raise TraceFormatError(
                f"the trace has {len(source.trace.spans):,} spans; the limit is {settings.max_spans:,}",
                [Problem("send a smaller trace or raise TRACEPLAY_MAX_SPANS", _join(where, "trace.spans"))],
            )
        trace = source.trace
        if source.variant is not None and source.variant != trace.variant:
            trace = trace.model_copy(update={"variant": source.variant})
        return Run(flow, trace)
    assert flow is not None  # Source guarantees a trace, a template or a flow
    return Run(flow, _simulate(flow, source, settings, where))


def _json(data: Any) -> Response:
    return deps.json_bytes_response(orjson.dumps(data))


@router.post("/api/compare", response_class=Response, responses={200: {"model": Comparison}, **ERRORS})
def post_compare(
    body: CompareIn, settings: Settings = Depends(deps.settings), limits: Limits = Depends(deps.limits)
) -> Response:
    """Two traces side by side: matched spans with their deltas, added/removed spans, per-node deltas
    for the canvas, baseline badges and a summary of where the time went."""
    base = run(body.base, settings, limits, "base")
    other = run(body.other, settings, limits, "other")
    result = compare(base.trace, other.trace, base_label=body.base_label, other_label=body.other_label)
    return _json(result.model_dump(mode="json"))


@router.post("/api/fixes", response_class=Response, responses={200: {"model": OffersOut}, **ERRORS})
def post_fixes(
    body: FlowSource, settings: Settings = Depends(deps.settings), limits: Limits = Depends(deps.limits)
) -> Response:
    """The fixes the analysis of this run can offer, each tied to the finding it answers."""
    flow = _flow(body.template, body.flow, limits, "")
    assert flow is not None
    trace = _simulate(flow, body, settings, "")
    offers = fixes_for(flow, trace, analyze(trace, flow))
    return _json(
        {
            "trace_id": trace.trace_id,
            "variant": body.variant,
            "offers": [o.model_dump(mode="json") for o in offers],
        }
    )


@router.post("/api/fixes/apply", response_class=Response, responses={200: {"model": ApplyOut}, **ERRORS})
def post_apply_fix(
    body: ApplyIn, settings: Settings = Depends(deps.settings), limits: Limits = Depends(deps.limits)
) -> Response:
    """Apply a fix: a new flow (id ``…-fixed``), the same variant run before and after, and their
    comparison — the improvement, or the new failure mode the fix brings."""
    flow = _flow(body.template, body.flow, limits, "")
    assert flow is not None
    fix = get_fix(body.fix_id)  # problems name fix_id / target.edges[i] already
    fixed = apply_fix(flow, body.fix_id, body.target)
    base_trace = _simulate(flow, body, settings, "")
    fixed_trace = _simulate(fixed, body, settings, "")
    comparison = compare(
        base_trace, fixed_trace, base_label="the original flow", other_label="the fixed flow"
    )
    claim = claim_for(flow, base_trace, analyze(base_trace, flow), body.fix_id, body.target)
    return _json(
        {
            "fix": {"id": fix.id, "title": fix.title},
            "claim": claim,
            "flow": fixed.model_dump(mode="json"),
            "base_trace": base_trace.model_dump(mode="json"),
            "fixed_trace": fixed_trace.model_dump(mode="json"),
            "comparison": comparison.model_dump(mode="json"),
        }
    )


@router.post("/api/narrate", response_class=Response, responses={200: {"model": StepsOut}, **ERRORS})
def post_narrate(
    body: Source, settings: Settings = Depends(deps.settings), limits: Limits = Depends(deps.limits)
) -> Response:
    """The trace told hop by hop, in time order, with the scenario's findings on the steps they explain."""
    r = run(body, settings, limits)
    steps = narrate(r.trace, r.flow)
    return _json({"trace_id": r.trace.trace_id, "steps": [s.model_dump(mode="json") for s in steps]})


@router.post("/api/quiz", response_class=Response, responses={200: {"model": QuestionsOut}, **ERRORS})
def post_quiz(
    body: Source, settings: Settings = Depends(deps.settings), limits: Limits = Depends(deps.limits)
) -> Response:
    """Questions about this trace, generated from its analysis; each carries its own answer key."""
    r = run(body, settings, limits)
    qs = questions(r.trace, analyze(r.trace, r.flow))
    return _json({"trace_id": r.trace.trace_id, "questions": [q.model_dump(mode="json") for q in qs]})


@router.post("/api/quiz/grade", response_class=Response, responses={200: {"model": Grade}, **ERRORS})
def post_grade(body: GradeIn) -> Response:
    """Grade one answer: right or wrong, with an explanation either way and the solution."""
    return _json(grade(body.question, body.answer).model_dump(mode="json"))


@cache
def _levels_body() -> bytes:
    return orjson.dumps(
        {"levels": [lv.model_dump(mode="json") for lv in learning_path(all_templates(), ORDER)]}
    )


@router.get("/api/learning-path", response_class=Response, responses={200: {"model": LevelsOut}})
def get_learning_path() -> Response:
    """The built-in scenarios in levels, from first steps to advanced patterns."""
    return deps.json_bytes_response(_levels_body())
