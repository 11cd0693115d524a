"""POST /api/traces/import and /api/traces/export through the app, in process (httpx over ASGI)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.apiclient import Client
from tests.apiclient import make_client as client_for
from traceplay.config import Settings
from traceplay.domain.flow import parse_flow
from traceplay.domain.simulate import simulate
from traceplay.formats import EXPORT_FORMATS, load_trace
from traceplay.templates import get_template
from traceplay.web.app import create_app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "traces"


def make_client(settings: Settings) -> Iterator[Client]:
    yield from client_for(create_app(settings))


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    yield from make_client(Settings())


@pytest.fixture(scope="module")
def small() -> Iterator[Client]:
    yield from make_client(Settings(max_import_bytes=4000, max_spans=10))


def error_of(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert "Traceback" not in response.text
    err: dict[str, Any] = body["error"]
    return err


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir() if p.name != "SOURCES.md"))
def test_import_answers_trace_flow_format_and_count(client: Client, name: str) -> None:
    response = client.post(f"/api/traces/import?name={name}", content=(FIXTURES / name).read_bytes())
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"trace", "flow", "format", "traces"}
    assert body["format"] in ("otlp", "jaeger", "zipkin") and body["traces"] == 1
    flow = parse_flow(body["flow"])
    nodes, edges = {n.id for n in flow.nodes}, {e.id for e in flow.edges}
    for span in body["trace"]["spans"]:
        assert span["node_id"] in nodes
        assert span["edge_id"] is None or span["edge_id"] in edges
    assert body["trace"]["spans"][0]["start_ms"] == 0.0


def test_import_then_export_to_every_format_and_back(client: Client) -> None:
    body = client.post("/api/traces/import", content=(FIXTURES / "zipkin-yelp.json").read_bytes()).json()
    for fmt in EXPORT_FORMATS:
        response = client.post(f"/api/traces/export?format={fmt}", json={"trace": body["trace"]})
        assert response.status_code == 200, response.text
        disposition = response.headers["content-disposition"]
        assert disposition == f'attachment; filename="trace-a03ee8fff1dcd9b9.{fmt}.json"'
        back = load_trace(response.content)[0]
        assert len(back.spans) == 16
        assert [s.span_id for s in back.spans] == [s["span_id"] for s in body["trace"]["spans"]]


def test_export_of_a_simulated_trace(client: Client) -> None:
    trace = simulate(get_template("redis-cache"), "slow").model_dump(mode="json")
    response = client.post("/api/traces/export?format=otlp", json={"trace": trace})
    doc = orjson.loads(response.content)
    assert doc["resourceSpans"][0]["scopeSpans"][0]["scope"]["name"] == "traceplay"


def test_pick_a_trace_of_several_by_index(client: Client) -> None:
    a = simulate(get_template("redis-cache"), "success")
    b = simulate(get_template("redis-cache"), "error")
    envelope = {
        "data": [
            orjson.loads(
                client.post(
                    "/api/traces/export?format=jaeger", json={"trace": t.model_dump(mode="json")}
                ).content
            )["data"][0]
            for t in (a, b)
        ]
    }
    data = orjson.dumps(envelope)
    first = client.post("/api/traces/import", content=data).json()
    assert (first["traces"], first["trace"]["trace_id"]) == (2, a.trace_id)
    second = client.post("/api/traces/import?index=1", content=data).json()
    assert second["trace"]["trace_id"] == b.trace_id and second["trace"]["variant"] == "error"
    err = error_of(client.post("/api/traces/import?index=7&name=two.json", content=data))
    assert err["code"] == "invalid_trace" and "there is no trace 7" in err["message"]
    assert err["details"]["source"] == "two.json"
    assert [p["message"].split()[1] for p in err["details"]["problems"]] == [a.trace_id, b.trace_id]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"", "the document is empty"),
        (b"{not json", "not valid JSON"),
        (b'{"nodes": []}', "not a trace document"),
        (b'[{"traceId": "xyz", "id": "1"}]', "[0].traceId: trace id 'xyz'"),
    ],
)
def test_import_errors_are_json_with_the_place(client: Client, body: bytes, words: str) -> None:
    response = client.post("/api/traces/import?name=bad.json", content=body)
    assert response.status_code == 422
    err = error_of(response)
    assert err["code"] == "invalid_trace" and words in err["message"]


def test_import_limits(small: Client) -> None:
    big = (FIXTURES / "zipkin-yelp.json").read_bytes()
    response = small.post("/api/traces/import", content=big)
    assert response.status_code in (413, 422)
    assert "4,000 bytes" in error_of(response)["message"]
    many = orjson.dumps([{"traceId": "a" * 16, "id": f"{i + 1:x}", "timestamp": 1} for i in range(11)])
    assert "more than 10 spans" in error_of(small.post("/api/traces/import", content=many))["message"]


def test_export_errors(client: Client) -> None:
    trace = simulate(get_template("simple"), "success").model_dump(mode="json")
    err = error_of(client.post("/api/traces/export?format=xml", json={"trace": trace}))
    assert "cannot export as 'xml'" in err["message"]
    err = error_of(client.post("/api/traces/export?format=otlp", json={"trace": {"spans": []}}))
    assert err["code"] == "invalid_trace" and "trace.trace_id" in err["message"]
    err = error_of(client.post("/api/traces/export?format=otlp", json={"nothing": 1}))
    assert "trace" in err["message"]
    err = error_of(client.post("/api/traces/export?format=otlp", content=b"{"))
    assert err["message"].startswith("not valid JSON")
    response = client.post("/api/traces/export", json={"trace": trace})
    assert response.status_code == 422 and "format" in response.text


def test_the_formats_list_for_the_export_buttons(client: Client) -> None:
    formats = client.get("/api/traces/formats").json()
    assert [f["name"] for f in formats if f["export"]] == list(EXPORT_FORMATS)
    assert {f["name"]: f["suffix"] for f in formats}["otlp"] == ".otlp.json"
    assert all(f["label"] for f in formats)
