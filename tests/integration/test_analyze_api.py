"""POST /api/analyze, POST /api/analyze/ai (server-sent events) and GET /api/llm/status, in process
through create_app — and, for the AI analysis, against a real chat-completions server on loopback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest

from tests.apiclient import Client, make_client
from tests.integration.llm_server import ANSWER, ChatServer, start
from traceplay.config import Settings
from traceplay.domain.analysis import analyze
from traceplay.domain.simulate import simulate
from traceplay.errors import LLMError
from traceplay.llm import FakeLLM
from traceplay.templates import get_template
from traceplay.web.app import create_app

KEY = "sk-user-own-key-987654"
FLOW: dict[str, Any] = {
    "id": "tiny",
    "name": "Tiny",
    "nodes": [
        {"id": "web", "component": "frontend", "label": "Web"},
        {"id": "api", "component": "backend", "label": "API"},
        {"id": "db", "component": "postgresql", "label": "DB"},
    ],
    "edges": [
        {"id": "e1", "source": "web", "target": "api", "operation": "GET /"},
        {"id": "e2", "source": "api", "target": "db", "operation": "SELECT 1", "timeout_ms": 500},
    ],
}
CONTRACT_KEYS = {
    "trace_id", "flow", "variant", "severity", "headline", "response_ms", "duration_ms", "status",
    "critical_path", "bottleneck", "error_origin", "findings", "tips", "fixes",
}  # fmt: skip


PROVIDER_KEYS = ("GROQ_API_KEY", "GEMINI_API_KEY", "OPENAI_API_KEY")


@pytest.fixture(autouse=True)
def _no_real_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """A key in the developer's environment must not send a test to a real provider."""
    for name in PROVIDER_KEYS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    yield from make_client(create_app(Settings(max_spans=5000, llm_provider="none", llm_api_key=None)))


@pytest.fixture(scope="module")
def server() -> Iterator[ChatServer]:
    s = start()
    yield s
    s.close()


def error_of(r: httpx.Response) -> dict[str, Any]:
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    assert "Traceback" not in r.text
    err: dict[str, Any] = body["error"]
    return err


def events(r: httpx.Response) -> list[tuple[str, dict[str, Any]]]:
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    out = []
    for block in r.text.split("\n\n"):
        if not block.strip():
            continue
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        out.append((lines["event"], orjson.loads(lines["data"])))
    return out


# ------------------------------------------------------------------ POST /api/analyze


def test_a_template_variant_is_simulated_and_analysed(client: Client) -> None:
    r = client.post("/api/analyze", json={"template": "simple", "variant": "error"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert set(body) == CONTRACT_KEYS
    assert body["flow"] == "simple" and body["variant"] == "error" and body["severity"] == "critical"
    flow = get_template("simple")
    expected = analyze(simulate(flow, "error"), flow).model_dump(mode="json")
    assert body == expected
    assert body["tips"] == flow.variants["error"].tips
    assert any(f["source"] == "scenario" for f in body["findings"])


def test_a_posted_trace_with_its_template_gets_the_teaching_content(client: Client) -> None:
    trace = client.post("/api/simulate", json={"template": "redis-cache", "variant": "error"}).json()
    with_flow = client.post("/api/analyze", json={"trace": trace, "template": "redis-cache"}).json()
    alone = client.post("/api/analyze", json={"trace": trace}).json()
    assert with_flow["variant"] == "error" and with_flow["fixes"]
    assert alone["tips"] == [] and all(f["source"] == "rule" for f in alone["findings"])
    assert with_flow["critical_path"] == alone["critical_path"]
    origin = next(s for s in trace["spans"] if s["span_id"] == alone["error_origin"])
    assert origin["node_id"] == "redis"


def test_an_imported_trace_without_flow_fields_is_analysed(client: Client) -> None:
    trace = {
        "trace_id": "ab" * 16, "response_ms": 120, "duration_ms": 120, "status": "ok",
        "spans": [
            {"span_id": "1", "service": "gateway", "operation": "GET /", "start_ms": 0, "duration_ms": 120},
            {"span_id": "2", "parent_id": "1", "service": "users", "operation": "GET /u", "start_ms": 5,
             "duration_ms": 100, "kind": "client"},
            {"span_id": "3", "parent_id": "missing", "service": "cron", "operation": "tick", "start_ms": 0,
             "duration_ms": 1},
        ],
    }  # fmt: skip
    body = client.post("/api/analyze", json={"trace": trace}).json()
    assert body["flow"] is None and body["critical_path"] == ["1", "2"] and body["bottleneck"] == "2"


def test_a_posted_flow_with_faults_is_simulated(client: Client) -> None:
    body = client.post("/api/analyze", json={"flow": FLOW, "faults": {"db": "timeout"}}).json()
    assert body["flow"] == "tiny" and body["status"] == "error"
    assert any(f["rule"] == "timeouts" for f in body["findings"])


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({}, "give a 'trace'"),
        ({"template": "simple", "flow": FLOW}, "not both"),
        ({"trace": {"trace_id": "x", "response_ms": 1, "duration_ms": 1, "status": "ok", "spans": []},
          "faults": {"db": "down"}}, "a posted trace has already run"),
        ({"template": "simple", "extra": 1}, "extra"),
    ],
)  # fmt: skip
def test_bad_bodies_are_422_with_the_error_shape(client: Client, payload: dict[str, Any], words: str) -> None:
    r = client.post("/api/analyze", json=payload)
    assert r.status_code == 422
    err = error_of(r)
    assert err["code"] == "invalid_request" and words in r.text


def test_a_broken_trace_names_the_bad_field(client: Client) -> None:
    bad = {"span_id": "a", "service": "s", "operation": "o", "start_ms": 0, "duration_ms": -5}
    trace = {"trace_id": "x", "response_ms": 1, "duration_ms": 1, "status": "ok", "spans": [bad]}
    err = error_of(client.post("/api/analyze", json={"trace": trace}))
    assert any(p["loc"] == "body.trace.spans[0].duration_ms" for p in err["details"]["problems"])


def test_unknown_template_and_bad_flow_and_unknown_variant(client: Client) -> None:
    r = client.post("/api/analyze", json={"template": "nope"})
    assert r.status_code == 422 and error_of(r)["code"] == "not_found"
    assert [p["loc"] for p in error_of(r)["details"]["problems"]] == ["template"]
    bad = dict(FLOW, nodes=FLOW["nodes"] + [{"id": "x", "component": "teapot"}])
    r = client.post("/api/analyze", json={"flow": bad})
    assert r.status_code == 422 and error_of(r)["code"] == "invalid_flow" and "teapot" in r.text
    r = client.post("/api/analyze", json={"template": "simple", "variant": "purple"})
    assert r.status_code == 422 and "unknown variant 'purple'" in error_of(r)["message"]


def test_a_trace_over_the_span_limit_is_refused(client: Client) -> None:
    spans = [
        {"span_id": str(i), "service": "s", "operation": "o", "start_ms": 0, "duration_ms": 1}
        for i in range(5001)
    ]
    trace = {"trace_id": "x", "response_ms": 1, "duration_ms": 1, "status": "ok", "spans": spans}
    r = client.post("/api/analyze", json={"trace": trace})
    assert r.status_code == 422 and error_of(r)["code"] == "invalid_trace" and "5,000" in r.text


# ------------------------------------------------------------------ POST /api/analyze/ai


def test_ai_streams_deltas_then_done_from_the_model() -> None:
    fake = FakeLLM(["Fix ", "the timeout."], provider="fake", model="f-1")
    for c in make_client(create_app(Settings(), llm=fake)):
        got = events(c.post("/api/analyze/ai", json={"template": "simple", "variant": "error"}))
    assert got == [
        ("delta", {"text": "Fix "}),
        ("delta", {"text": "the timeout."}),
        ("done", {"provider": "fake", "model": "f-1"}),
    ]
    system, user = fake.calls[0]
    assert "not invent" in system["content"].lower() or "never invent" in system["content"].lower()
    assert "The error starts in PostgreSQL" in user["content"] and "3.10 s" in user["content"]


def test_ai_failure_is_an_error_event_after_what_was_said() -> None:
    fake = FakeLLM(["Partial"], error=LLMError("the model is rate-limiting requests (429)"))
    for c in make_client(create_app(Settings(), llm=fake)):
        got = events(c.post("/api/analyze/ai", json={"template": "simple"}))
    assert got == [
        ("delta", {"text": "Partial"}),
        ("error", {"error": {"code": "llm_failed", "message": "the model is rate-limiting requests (429)"}}),
    ]


def test_ai_without_a_configured_model_asks_for_a_key(client: Client) -> None:
    got = events(client.post("/api/analyze/ai", json={"template": "simple", "provider": "groq"}))
    assert [name for name, _ in got] == ["error"]
    assert got[0][1]["error"]["code"] == "llm_needs_key" and "GROQ_API_KEY" in got[0][1]["error"]["message"]
    got = events(client.post("/api/analyze/ai", json={"template": "simple"}))
    assert got[0][1]["error"]["code"] == "llm_needs_key"


def test_ai_bad_body_is_a_json_422_not_a_stream(client: Client) -> None:
    r = client.post("/api/analyze/ai", json={"template": "simple", "provider": "skynet"})
    assert r.status_code == 422 and error_of(r)["code"] == "invalid_request"


def test_ai_end_to_end_against_a_loopback_provider(
    server: ChatServer, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(llm_provider="custom", llm_base_url=server.base_url("normal"), llm_model="m-1")
    caplog.set_level(logging.DEBUG)
    for c in make_client(create_app(settings)):
        r = c.post("/api/analyze/ai", json={"template": "redis-cache", "variant": "slow", "api_key": KEY})
    got = events(r)
    assert [e for e, _ in got] == ["delta"] * len(ANSWER) + ["done"]
    assert "".join(d["text"] for e, d in got if e == "delta") == "".join(ANSWER)
    assert got[-1] == ("done", {"provider": "custom", "model": "m-1"})
    seen = server.seen[-1]
    assert seen.headers["authorization"] == f"Bearer {KEY}" and seen.body["stream"] is True
    prompt = seen.body["messages"][1]["content"]
    assert "redis-cache" in prompt and "85.0 ms" in prompt
    assert KEY not in r.text and all(KEY not in rec.getMessage() for rec in caplog.records)


@pytest.mark.parametrize(
    ("mode", "code"), [("401", "llm_needs_key"), ("429", "llm_failed"), ("500", "llm_failed")]
)
def test_ai_provider_failures_become_error_events_without_the_key(
    server: ChatServer, mode: str, code: str
) -> None:
    settings = Settings(llm_provider="custom", llm_base_url=server.base_url(mode), llm_model="m")
    for c in make_client(create_app(settings)):
        r = c.post("/api/analyze/ai", json={"template": "simple", "api_key": KEY})
    got = events(r)
    assert [e for e, _ in got] == ["error"] and got[0][1]["error"]["code"] == code
    assert KEY not in r.text


# ------------------------------------------------------------------ GET /api/llm/status


def test_status_without_a_model(client: Client) -> None:
    body = client.get("/api/llm/status").json()
    assert body["configured"] is False and body["provider"] == "none" and body["model"] is None
    assert [p["id"] for p in body["providers"]] == ["groq", "gemini", "openai", "ollama", "custom"]


def test_status_with_a_model_never_shows_the_key() -> None:
    settings = Settings(llm_provider="groq", llm_api_key=KEY, llm_model="llama-3.1-8b-instant")
    for c in make_client(create_app(settings)):
        r = c.get("/api/llm/status")
    body = r.json()
    assert (
        body["configured"] is True and body["model"] == "llama-3.1-8b-instant" and body["provider"] == "groq"
    )
    groq = next(p for p in body["providers"] if p["id"] == "groq")
    assert groq["key_configured"] is True and KEY not in r.text


def test_the_routes_are_in_the_openapi_schema(client: Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/analyze", "/api/analyze/ai", "/api/llm/status"} <= set(paths)
