"""Check yourself: questions generated from the analysis, graded right and wrong with explanations, and
the learning path through the built-in scenarios."""

from __future__ import annotations

import pytest

from traceplay.domain.analysis import analyze
from traceplay.domain.learning_path import LEVELS
from traceplay.domain.quiz import Answer, Question, QuizError, grade, learning_path, questions
from traceplay.domain.simulate import simulate
from traceplay.domain.trace import Trace
from traceplay.templates import ORDER, all_templates, get_template, template_ids


def quiz(template: str, variant: str) -> tuple[Trace, dict[str, Question]]:
    f = get_template(template)
    trace = simulate(f, variant)
    return trace, {q.id: q for q in questions(trace, analyze(trace, f))}


def span(trace: Trace, node_id: str) -> str:
    return next(s.span_id for s in trace.spans if s.node_id == node_id)


def test_questions_follow_what_the_trace_can_answer() -> None:
    assert list(quiz("simple", "slow")[1]) == ["response-time", "client-received"]
    assert list(quiz("simple", "error")[1]) == ["response-time", "error-origin", "client-received"]
    assert list(quiz("kafka-fanout", "error")[1]) == [
        "response-time",
        "error-origin",
        "client-received",
        "after-response",
    ]


def test_which_span_decides_the_response_time() -> None:
    trace, qs = quiz("simple", "slow")
    q = qs["response-time"]
    assert q.kind == "pick-span" and q.choices == []
    right = grade(q, Answer(span_id=span(trace, "db")))
    assert right.correct
    assert right.explanation.startswith("Yes. PostgreSQL (SELECT")
    assert "of the 2.90 s response on its own work" in right.explanation
    assert right.solution.span_ids == [span(trace, "db")] and right.solution.node_ids == ["db"]
    wrong = grade(q, Answer(span_id=span(trace, "frontend")))
    assert not wrong.correct
    assert wrong.explanation.startswith(
        "Not this one: Frontend is on the critical path, but its own work is only"
    )
    assert grade(q, Answer(node_id="db")).correct  # a click on the diagram counts
    assert not grade(q, Answer(node_id="backend")).correct


def test_the_bottleneck_is_the_own_work_not_the_deepest_span() -> None:
    trace, qs = quiz("simple", "success")  # Backend's own 85 ms beat PostgreSQL's 45 ms
    assert grade(qs["response-time"], span(trace, "backend")).correct
    wrong = grade(qs["response-time"], span(trace, "db"))
    assert not wrong.correct and "its own work is only 45.0 ms of 140 ms" in wrong.explanation


def test_where_did_the_error_start() -> None:
    trace, qs = quiz("simple", "error")
    q = qs["error-origin"]
    assert q.kind == "pick-node"
    assert grade(q, Answer(node_id="db")).correct
    assert grade(q, Answer(span_id=span(trace, "db"))).correct
    wrong = grade(q, Answer(node_id="backend"))
    assert not wrong.correct
    assert wrong.explanation.startswith(
        "Not there: Backend failed too, but only because a call under it failed."
    )
    assert "The error starts in PostgreSQL" in wrong.explanation


def test_what_did_the_client_receive() -> None:
    _, qs = quiz("kafka-fanout", "error")
    q = qs["client-received"]
    labels = [c.label for c in q.choices]
    assert q.kind == "choice" and len(labels) == 4 and len(set(labels)) == 4
    assert "A success after 26.0 ms" in labels and "An error after 26.0 ms" in labels
    right = next(c for c in q.choices if c.label == "A success after 26.0 ms")
    graded = grade(q, Answer(choice=right.id))
    assert graded.correct and graded.solution.choice == right.id
    assert "got a success, HTTP 202" in graded.explanation
    assert "1 span failed without the caller seeing it" in graded.explanation
    for c in q.choices:
        if c.id != right.id:
            g = grade(q, c.id)
            assert not g.correct and g.explanation.startswith("No. The caller waited 26.0 ms")
    _, again = quiz("kafka-fanout", "error")
    assert again["client-received"].choices == q.choices  # the same order every time


def test_which_work_ran_after_the_response() -> None:
    trace, qs = quiz("kafka-fanout", "error")
    q = qs["after-response"]
    for worker in ("payment", "inventory", "email"):
        assert grade(q, Answer(span_id=span(trace, worker))).correct
    wrong = grade(q, Answer(span_id=span(trace, "api")))
    assert not wrong.correct and "before the caller had its answer" in wrong.explanation
    assert "3 spans ended after the response at 26.0 ms" in wrong.explanation


def test_every_built_in_variant_gets_questions_that_grade() -> None:
    for tid in template_ids():
        f = get_template(tid)
        for variant in ("success", "slow", "error"):
            trace = simulate(f, variant)
            qs = questions(trace, analyze(trace, f))
            assert qs[0].id == "response-time"
            for q in qs:
                g = grade(q, q.choices[0].id if q.choices else trace.spans[0].span_id)
                assert g.explanation.startswith(("Yes.", "No", "Not"))


def test_a_damaged_or_mixed_up_key_fails_loudly() -> None:
    _, qs = quiz("simple", "error")
    q = qs["response-time"]
    damaged = q.model_copy(update={"key": q.key[:-4] + "AAAA"})
    with pytest.raises(QuizError, match="answer key is damaged"):
        grade(damaged, "x")
    swapped = q.model_copy(update={"key": qs["error-origin"].key})
    with pytest.raises(QuizError, match="belongs to question 'error-origin'"):
        grade(swapped, "x")
    with pytest.raises(QuizError, match="needs a click"):
        grade(q, Answer())
    with pytest.raises(QuizError, match="'z' is not one of the choices"):
        grade(qs["client-received"], Answer(choice="z"))


def test_the_learning_path_places_every_scenario_once_in_order() -> None:
    levels = learning_path(all_templates(), ORDER)
    ids = [s.id for lv in levels for s in lv.scenarios]
    assert sorted(ids) == sorted(template_ids()) and len(ids) == len(set(ids)) == 43
    assert levels[0].id == "first-steps" and levels[0].scenarios[0].id == "simple"
    assert levels[-1].id == "advanced" and "circuit-breaker" in [s.id for s in levels[-1].scenarios]
    assert [lv.number for lv in levels] == list(range(1, len(levels) + 1))
    for lv in levels:
        assert lv.summary and "\n" not in lv.summary
        positions = [ORDER.index(s.id) for s in lv.scenarios]
        assert positions == sorted(positions)


def test_a_scenario_no_level_claims_is_not_lost() -> None:
    stray = get_template("simple").model_copy(update={"id": "stray", "category": "unheard-of"})
    levels = learning_path([get_template("simple"), stray])
    assert [lv.id for lv in levels] == ["first-steps", "more"]
    assert levels[1].number == 2 and levels[1].scenarios[0].id == "stray"
    assert {spec.id for spec in LEVELS} >= {lv.id for lv in levels[:1]}
