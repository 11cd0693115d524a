"""The learning-loop routes (web/routes/learn.py) over HTTP, in process: on a bare FastAPI app with the
router and the app's one error mapping, so they are tested whether or not create_app includes them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.apiclient import Client, make_client
from traceplay.config import Settings
from traceplay.domain.simulate import simulate
from traceplay.templates import get_template, template_ids
from traceplay.web.app import create_app

FLOW: dict[str, Any] = {
    "id": "mini",
    "name": "Mini",
    "nodes": [
        {"id": "web", "component": "frontend", "label": "Web", "latency_ms": 2},
        {"id": "api", "component": "backend", "label": "API", "latency_ms": 10},
        {"id": "db", "component": "postgresql", "label": "DB", "latency_ms": 30},
    ],
    "edges": [
        {"id": "e1", "source": "web", "target": "api", "operation": "GET /"},
        {"id": "e2", "source": "api", "target": "db", "operation": "SELECT 1"},
    ],
}


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    yield from make_client(create_app(Settings()))


def error_of(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()["error"]
    assert set(body) == {"code", "message", "details"}
    return body


def test_compare_two_variants(client: Client) -> None:
    r = client.post(
        "/api/compare",
        json={
            "base": {"template": "simple", "variant": "success"},
            "other": {"template": "simple", "variant": "slow"},
        },
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    c = r.json()
    assert c["base"]["variant"] == "success" and c["other"]["variant"] == "slow"
    assert c["match_by"] == "node" and c["added"] == [] and c["removed"] == []
    assert c["summary"].startswith("+2.75 s") and c["where"][0]["node_id"] == "db"
    assert {n["node_id"] for n in c["nodes"]} == {"frontend", "backend", "db"}
    assert any(b.endswith("its time in the success variant") for b in c["badges"].values())


def test_compare_a_posted_trace_with_a_fresh_run(client: Client) -> None:
    trace = client.post("/api/narrate", json={"template": "simple"}).json()
    assert trace["steps"]
    base = client.post(
        "/api/compare", json={"base": {"flow": FLOW}, "other": {"flow": FLOW, "faults": {"db": "slow"}}}
    )
    c = base.json()
    assert c["response_delta_ms"] > 900 and c["where"][0]["node_id"] == "db"
    posted = client.post(
        "/api/compare",
        json={
            "base": {"trace": _trace(client)},
            "other": {"template": "simple", "variant": "error"},
            "base_label": "mine",
        },
    ).json()
    assert posted["status_change"] == "failing" and "where mine succeeded" in posted["summary"]


def _trace(client: Client) -> dict[str, Any]:
    return simulate(get_template("simple"), "success").model_dump(mode="json")


def test_fix_offers_then_apply_and_compare(client: Client) -> None:
    r = client.post("/api/fixes", json={"template": "simple", "variant": "error"})
    assert r.status_code == 200
    body = r.json()
    assert body["variant"] == "error" and body["trace_id"]
    breaker = next(o for o in body["offers"] if o["fix_id"] == "circuit-breaker")
    assert breaker["target"] == {"edges": ["be-db"], "nodes": ["backend", "db"]} and breaker["finding_id"]
    applied = client.post(
        "/api/fixes/apply",
        json={
            "template": "simple",
            "variant": "error",
            "fix_id": "circuit-breaker",
            "target": breaker["target"],
        },
    )
    assert applied.status_code == 200, applied.text
    out = applied.json()
    assert set(out) == {"fix", "claim", "flow", "base_trace", "fixed_trace", "comparison"}
    assert out["fix"]["id"] == "circuit-breaker" and out["claim"] == breaker["claim"]
    assert out["flow"]["id"] == "simple-fixed" and out["flow"]["name"] == "Simple (fixed)"
    assert out["fixed_trace"]["response_ms"] < 100 < out["base_trace"]["response_ms"]
    assert out["comparison"]["base"]["label"] == "the original flow"
    assert out["comparison"]["summary"].startswith("−3.08 s")
    # the fixed flow is a flow like any other: apply another fix to it
    again = client.post(
        "/api/fixes/apply",
        json={
            "flow": out["flow"],
            "variant": "success",
            "fix_id": "add-cache",
            "target": {"edges": ["be-db"]},
        },
    )
    assert again.status_code == 200 and again.json()["flow"]["id"] == "simple-fixed"


def test_apply_errors_name_the_field(client: Client) -> None:
    r = client.post(
        "/api/fixes/apply", json={"template": "simple", "fix_id": "magic", "target": {"edges": ["be-db"]}}
    )
    e = error_of(r, 422)
    assert e["code"] == "not_found" and e["details"]["problems"][0]["loc"] == "fix_id"
    r = client.post(
        "/api/fixes/apply", json={"template": "simple", "fix_id": "add-retry", "target": {"edges": ["zz"]}}
    )
    e = error_of(r, 422)
    assert e["code"] == "invalid_flow" and e["details"]["problems"][0]["loc"] == "target.edges[0]"
    assert "edge 'zz' is not in the flow" in e["message"]
    r = client.post("/api/fixes", json={"template": "nope"})
    e = error_of(r, 422)
    assert e["details"]["problems"][0]["loc"] == "template"
    r = client.post(
        "/api/fixes", json={"flow": {**FLOW, "edges": [{"id": "x", "source": "web", "target": "ghost"}]}}
    )
    e = error_of(r, 422)
    assert e["code"] == "invalid_flow" and e["details"]["problems"][0]["loc"].startswith("flow.edges")


def test_compare_errors_say_which_side(client: Client) -> None:
    r = client.post(
        "/api/compare",
        json={"base": {"template": "simple", "variant": "weird"}, "other": {"template": "simple"}},
    )
    e = error_of(r, 422)
    assert e["details"]["problems"][0]["loc"] == "base.variant"
    r = client.post("/api/compare", json={"base": {"template": "simple"}, "other": {"template": "nope"}})
    assert error_of(r, 422)["details"]["problems"][0]["loc"] == "other.template"
    r = client.post("/api/compare", json={"base": {}, "other": {"template": "simple"}})
    assert error_of(r, 422)["code"] == "invalid_request"


def test_narrate(client: Client) -> None:
    r = client.post("/api/narrate", json={"template": "simple", "variant": "error"})
    assert r.status_code == 200
    steps = r.json()["steps"]
    assert [s["kind"] for s in steps] == ["request", "call", "call", "timeout", "error", "response"]
    assert steps[3]["notes"][0]["title"] == "The error starts in PostgreSQL"
    assert set(steps[0]) >= {
        "index",
        "t_ms",
        "kind",
        "span_id",
        "node_id",
        "from_node",
        "to_node",
        "edge_id",
        "text",
    }


def test_quiz_and_grading_are_stateless(client: Client) -> None:
    r = client.post("/api/quiz", json={"template": "simple", "variant": "error"})
    assert r.status_code == 200
    body = r.json()
    qs = {q["id"]: q for q in body["questions"]}
    assert list(qs) == ["response-time", "error-origin", "client-received"]
    right = client.post(
        "/api/quiz/grade", json={"question": qs["error-origin"], "answer": {"node_id": "db"}}
    ).json()
    assert right["correct"] is True and right["explanation"].startswith("Yes.")
    wrong = client.post("/api/quiz/grade", json={"question": qs["error-origin"], "answer": "backend"}).json()
    assert wrong["correct"] is False and wrong["explanation"].startswith("Not there:")
    assert wrong["solution"]["node_ids"] == ["db"]
    damaged = {**qs["error-origin"], "key": "AAAA"}
    e = error_of(client.post("/api/quiz/grade", json={"question": damaged, "answer": "db"}), 422)
    assert e["code"] == "invalid_question" and e["details"]["problems"][0]["loc"] == "question.key"


def test_quiz_on_a_posted_trace(client: Client) -> None:
    r = client.post("/api/quiz", json={"trace": _trace(client), "template": "simple"})
    assert r.status_code == 200 and r.json()["questions"][0]["id"] == "response-time"
    r = client.post("/api/quiz", json={"trace": _trace(client), "faults": {"db": "slow"}})
    assert error_of(r, 422)["code"] == "invalid_request"


def test_learning_path(client: Client) -> None:
    r = client.get("/api/learning-path")
    assert r.status_code == 200
    levels = r.json()["levels"]
    ids = [s["id"] for lv in levels for s in lv["scenarios"]]
    assert sorted(ids) == sorted(template_ids())
    assert levels[0]["title"] == "First steps" and levels[0]["scenarios"][0]["id"] == "simple"
    assert set(levels[0]) == {"id", "number", "title", "summary", "scenarios"}


def test_a_trace_whose_times_overflow_is_refused_not_compared_in_nulls(client: Client) -> None:
    trace = simulate(get_template("simple")).model_dump(mode="json")
    trace["spans"][0]["start_ms"] = 1.7e308
    trace["spans"][0]["duration_ms"] = 1.7e308
    response = client.post("/api/compare", json={"base": {"trace": trace}, "other": {"template": "simple"}})
    assert response.status_code == 422 and response.json()["error"]["message"]
