"""The HTTP API in process (httpx over ASGI): every route of the web app, the error shape, body
limits, static files with ETag revalidation, security headers and the OpenAPI schema."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI

from tests.apiclient import Client, make_client
from traceplay.config import Settings
from traceplay.domain import catalogue
from traceplay.domain.flow import parse_flow
from traceplay.errors import (
    FlowError,
    LLMError,
    LoadError,
    NeedsKeyError,
    NotFoundError,
    Problem,
    SimulationError,
    TraceFormatError,
    TraceplayError,
)
from traceplay.templates import template_ids
from traceplay.web.app import create_app
from traceplay.web.middleware import CSP

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
TINY_FLOW: dict[str, Any] = {
    "id": "tiny",
    "name": "Tiny",
    "nodes": [
        {"id": "web", "component": "frontend", "label": "Web", "x": 0, "y": 0},
        {"id": "api", "component": "backend", "label": "API", "x": 200, "y": 0},
        {"id": "db", "component": "postgresql", "label": "DB", "x": 400, "y": 0},
    ],
    "edges": [
        {"id": "e1", "source": "web", "target": "api", "operation": "GET /"},
        {"id": "e2", "source": "api", "target": "db", "operation": "SELECT 1"},
    ],
}


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    yield from make_client(create_app(Settings()))


def error_of(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    err: dict[str, Any] = body["error"]
    assert set(err) == {"code", "message", "details"}, err
    assert isinstance(err["code"], str) and err["code"]
    assert isinstance(err["message"], str) and err["message"]
    assert isinstance(err["details"], dict)
    assert "Traceback" not in response.text
    return err


def problem_locs(err: dict[str, Any]) -> list[str]:
    return [p.get("loc", "") for p in err["details"].get("problems", [])]


# ------------------------------------------------------------------ the app factory


def test_create_app_builds_a_new_app_each_time_with_its_settings() -> None:
    a = create_app(Settings(max_body_bytes=123))
    b = create_app()
    assert a is not b
    assert a.state.settings.max_body_bytes == 123
    assert b.state.settings.max_body_bytes == Settings().max_body_bytes
    marker = object()
    assert create_app(llm=marker).state.llm is marker


def test_importing_the_app_module_builds_nothing() -> None:
    import traceplay.web.app as module

    assert not [v for v in vars(module).values() if isinstance(v, FastAPI)]


# ------------------------------------------------------------------ catalogue and scenarios


def test_components_lists_every_category_and_component(client: Client) -> None:
    r = client.get("/api/components")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert [c["id"] for c in body["categories"]] == [cid for cid, _ in catalogue.CATEGORIES]
    ids = [c["id"] for c in body["components"]]
    assert ids == [c.id for c in catalogue.COMPONENTS]
    redis = next(c for c in body["components"] if c["id"] == "redis")
    assert redis == catalogue.BY_ID["redis"].as_dict()
    assert {c["category"] for c in body["components"]} <= {c["id"] for c in body["categories"]}


def test_templates_lists_the_builtins_in_order_with_variants(client: Client) -> None:
    r = client.get("/api/templates")
    assert r.status_code == 200
    items = r.json()
    assert [t["id"] for t in items] == template_ids()
    for t in items:
        assert set(t) == {"id", "name", "category", "description", "variants"}
        assert [v["id"] for v in t["variants"]][:3] == ["success", "slow", "error"]
        for v in t["variants"]:
            assert set(v) == {"id", "title", "summary", "severity"}
            assert v["severity"] in ("info", "warning", "critical")


def test_template_detail_is_a_valid_flow_document(client: Client) -> None:
    r = client.get("/api/templates/redis-cache")
    assert r.status_code == 200
    flow = parse_flow(r.json())
    assert flow.id == "redis-cache"
    assert {n.id for n in flow.nodes} >= {"frontend", "backend", "redis"}
    assert set(flow.variants) >= {"success", "slow", "error"}


def test_unknown_template_is_404_naming_it(client: Client) -> None:
    r = client.get("/api/templates/no-such-thing")
    assert r.status_code == 404
    err = error_of(r)
    assert err["code"] == "not_found"
    assert "no-such-thing" in err["message"]


def test_malformed_template_id_is_422_naming_the_path_parameter(client: Client) -> None:
    r = client.get("/api/templates/%20bad%20id")
    assert r.status_code == 422
    err = error_of(r)
    assert err["code"] == "invalid_request"
    assert problem_locs(err) == ["path.template_id"]
    assert err["message"].startswith("path.template_id:")


def test_flow_schema_is_the_json_schema_of_flow(client: Client) -> None:
    r = client.get("/api/schema/flow")
    assert r.status_code == 200
    schema = r.json()
    assert schema["title"] == "Flow"
    assert {"nodes", "edges", "variants"} <= set(schema["properties"])
    assert "Node" in schema["$defs"] and "Edge" in schema["$defs"]


# ------------------------------------------------------------------ simulate


@pytest.mark.parametrize("variant", ["success", "slow", "error"])
def test_simulate_a_template_variant(client: Client, variant: str) -> None:
    r = client.post("/api/simulate", json={"template": "redis-cache", "variant": variant})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    trace = r.json()
    assert trace["flow"] == "redis-cache"
    assert trace["variant"] == variant
    assert re.fullmatch(r"[0-9a-f]{32}", trace["trace_id"])
    assert trace["spans"] and trace["spans"][0]["parent_id"] is None
    assert trace["response_ms"] > 0 and trace["duration_ms"] >= trace["response_ms"]


def test_every_builtin_simulates_in_every_variant(client: Client) -> None:
    for tid in template_ids():
        for variant in ("success", "slow", "error"):
            r = client.post("/api/simulate", json={"template": tid, "variant": variant})
            assert r.status_code == 200, (tid, variant, r.text)


def test_simulate_is_deterministic(client: Client) -> None:
    body = {"template": "redis-cache", "variant": "slow"}
    assert client.post("/api/simulate", json=body).content == client.post("/api/simulate", json=body).content


def test_simulate_a_posted_flow_with_a_fault(client: Client) -> None:
    r = client.post("/api/simulate", json={"flow": TINY_FLOW, "variant": "success", "faults": {"db": "down"}})
    assert r.status_code == 200, r.text
    trace = r.json()
    assert trace["flow"] == "tiny"
    assert trace["faults"] == {"db": "down"}
    db = next(s for s in trace["spans"] if s["node_id"] == "db")
    assert db["status"] == "error"
    assert trace["status"] == "error"


def test_simulate_generated_variants_of_a_posted_flow(client: Client) -> None:
    for variant in ("slow", "error"):
        r = client.post("/api/simulate", json={"flow": TINY_FLOW, "variant": variant})
        assert r.status_code == 200, r.text
    error = client.post("/api/simulate", json={"flow": TINY_FLOW, "variant": "error"}).json()
    assert error["status"] == "error"


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({}, "body"),
        ({"template": "redis-cache", "flow": TINY_FLOW}, "body"),
        ({"template": "redis-cache", "variant": 3}, "body.variant"),
        ({"template": "redis-cache", "faults": {"db": "melted"}}, "body.faults.db"),
        ({"template": "redis-cache", "seed": "x"}, "body.seed"),
        ({"template": "redis-cache", "colour": "red"}, "body.colour"),
        ({"template": "redis-cache", "variant": "sideways"}, "variant"),
        ({"template": "nope"}, "template"),
        ({"template": "redis-cache", "faults": {"ghost": "slow"}}, "faults"),
    ],
)
def test_simulate_rejects_bad_requests_naming_the_field(client: Client, body: Any, loc: str) -> None:
    r = client.post("/api/simulate", json=body)
    assert r.status_code == 422, r.text
    err = error_of(r)
    assert loc in problem_locs(err), err
    assert err["message"]


def test_simulate_rejects_an_invalid_flow_naming_node_and_field(client: Client) -> None:
    bad = {**TINY_FLOW, "nodes": [*TINY_FLOW["nodes"][:2], {"id": "db", "component": "mainframe"}]}
    r = client.post("/api/simulate", json={"flow": bad})
    assert r.status_code == 422
    err = error_of(r)
    assert err["code"] == "invalid_flow"
    problem = err["details"]["problems"][0]
    assert problem["loc"] == "flow.nodes[2].component"
    assert problem["node_id"] == "db"
    assert "mainframe" in err["message"] and "flow.nodes[2].component" in err["message"]


def test_simulate_rejects_a_cycle(client: Client) -> None:
    looped = {**TINY_FLOW, "edges": [*TINY_FLOW["edges"], {"id": "e3", "source": "db", "target": "web"}]}
    r = client.post("/api/simulate", json={"flow": looped})
    assert r.status_code == 422
    assert "cycle" in error_of(r)["message"]


def test_simulate_rejects_invalid_json(client: Client) -> None:
    r = client.post("/api/simulate", content=b'{"template": ', headers={"content-type": "application/json"})
    assert r.status_code == 422
    err = error_of(r)
    assert err["code"] == "invalid_request"
    assert "not valid JSON" in err["message"]


def test_simulate_span_limit_is_a_clear_error() -> None:
    for c in make_client(create_app(Settings(max_spans=2))):
        r = c.post("/api/simulate", json={"template": "redis-cache", "variant": "slow"})
        assert r.status_code == 422
        assert error_of(r)["code"] == "simulation_failed"


def test_flow_limits_come_from_settings() -> None:
    for c in make_client(create_app(Settings(max_nodes=2))):
        r = c.post("/api/simulate", json={"flow": TINY_FLOW})
        assert r.status_code == 422
        err = error_of(r)
        assert "too many nodes" in err["message"]
        assert problem_locs(err) == ["flow.nodes"]


# ------------------------------------------------------------------ validate


def test_validate_a_flow_document(client: Client) -> None:
    r = client.post("/api/flows/validate", json=TINY_FLOW)
    assert r.status_code == 200
    body = r.json()
    assert body["valid"] is True
    assert parse_flow(body["flow"]).id == "tiny"


def test_validate_an_invalid_document_lists_every_problem(client: Client) -> None:
    edges = [{"id": "e1", "source": "web", "target": "ghost"}, {"id": "e1", "source": "a"}]
    bad = {**TINY_FLOW, "edges": edges}
    r = client.post("/api/flows/validate", json=bad)
    assert r.status_code == 422
    err = error_of(r)
    assert err["code"] == "invalid_flow"
    assert "body.edges[1].target" in problem_locs(err)


def test_validate_yaml_text_reports_lines(client: Client) -> None:
    text = "id: t\nname: T\nnodes:\n  - {id: a, component: frontend}\n  - {id: b, component: teapot}\n"
    r = client.post("/api/flows/validate", json={"text": text, "name": "t.yaml"})
    assert r.status_code == 422
    err = error_of(r)
    problem = err["details"]["problems"][0]
    assert problem["line"] == 5
    assert err["details"]["source"] == "t.yaml"

    fixed = text.replace("teapot", "backend")
    ok = client.post("/api/flows/validate", json={"text": fixed, "name": "t.yaml"})
    assert ok.status_code == 200
    assert [n["id"] for n in ok.json()["flow"]["nodes"]] == ["a", "b"]


def test_validate_unparseable_text(client: Client) -> None:
    r = client.post("/api/flows/validate", json={"text": "nodes: [unclosed", "name": "x.yaml"})
    assert r.status_code == 422
    err = error_of(r)
    assert err["code"] == "unreadable_file"
    assert err["details"]["problems"][0]["line"] >= 1


def test_validate_requires_an_object(client: Client) -> None:
    r = client.post("/api/flows/validate", json=[1, 2])
    assert r.status_code == 422
    assert problem_locs(error_of(r)) == ["body"]


# ------------------------------------------------------------------ error mapping


@pytest.mark.parametrize(
    ("exc", "method", "status"),
    [
        (FlowError("bad flow", [Problem("oops", "nodes[0].id")]), "GET", 422),
        (LoadError("cannot read"), "GET", 422),
        (NotFoundError("no such thing"), "GET", 404),
        (NotFoundError("no such thing"), "POST", 422),
        (SimulationError("too big"), "GET", 422),
        (TraceFormatError("not a trace"), "POST", 422),
        (LLMError("model down"), "POST", 502),
        (NeedsKeyError("no key"), "POST", 400),
        (TraceplayError("generic"), "GET", 400),
    ],
)
def test_core_errors_map_to_status_and_code(exc: TraceplayError, method: str, status: int) -> None:
    app = create_app()

    async def boom() -> None:
        raise exc

    app.add_api_route("/boom", boom, methods=[method])
    for c in make_client(app):
        r = c.request(method, "/boom")
        assert r.status_code == status
        err = error_of(r)
        assert err["code"] == exc.code
        assert err["message"].startswith(exc.message)
        if exc.problems:
            assert err["details"]["problems"] == [p.as_dict() for p in exc.problems]
            assert "nodes[0].id" in err["message"]


def test_an_unexpected_exception_is_a_500_without_traceback() -> None:
    app = create_app()

    async def crash() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/crash", crash)
    for c in make_client(app):
        r = c.get("/crash")
        assert r.status_code == 500
        err = error_of(r)
        assert err["code"] == "internal_error"
        assert "secret" not in r.text


def test_unknown_path_is_a_json_404(client: Client) -> None:
    r = client.get("/api/nothing-here")
    assert r.status_code == 404
    err = error_of(r)
    assert err["code"] == "not_found"
    assert "/api/nothing-here" in err["message"]


def test_wrong_method_is_a_json_405(client: Client) -> None:
    r = client.request("DELETE", "/api/components")
    assert r.status_code == 405
    err = error_of(r)
    assert err["code"] == "method_not_allowed"
    assert "DELETE" in err["message"]
    assert "GET" in r.headers["allow"]


# ------------------------------------------------------------------ body limits


def test_body_over_the_limit_is_413_by_content_length() -> None:
    for c in make_client(create_app(Settings(max_body_bytes=1000))):
        r = c.post("/api/simulate", content=b" " * 1001, headers={"content-type": "application/json"})
        assert r.status_code == 413
        err = error_of(r)
        assert err["code"] == "body_too_large"
        assert err["details"]["limit_bytes"] == 1000
        assert r.headers["content-security-policy"] == EXPECTED_CSP


def test_streamed_body_over_the_limit_is_413() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b" " * 100

    for c in make_client(create_app(Settings(max_body_bytes=1000))):
        r = c.post("/api/simulate", content=chunks(), headers={"content-type": "application/json"})
        assert "content-length" not in r.request.headers
        assert r.status_code == 413
        assert error_of(r)["code"] == "body_too_large"


def test_default_limit_is_one_megabyte(client: Client) -> None:
    big = orjson.dumps({"template": "redis-cache", "variant": "x" * 1_048_576})
    r = client.post("/api/simulate", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413
    just_under = client.post("/api/simulate", json={"template": "redis-cache", "seed": 1})
    assert just_under.status_code == 200


def test_trace_import_has_its_own_larger_limit() -> None:
    app = create_app(Settings(max_body_bytes=1000, max_import_bytes=100_000))
    for c in make_client(app):
        r = c.post("/api/traces/import?name=t.json", content=b"{}" + b" " * 5000)
        assert r.status_code != 413
        r = c.post("/api/traces/import?name=t.json", content=b" " * 100_001)
        assert r.status_code == 413


# ------------------------------------------------------------------ static files and headers


def test_index_is_served_with_etag_and_no_cache(client: Client) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["cache-control"] == "no-cache"
    etag = r.headers["etag"]
    assert etag
    again = client.get("/", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["cache-control"] == "no-cache"
    changed = client.get("/", headers={"if-none-match": '"something-else"'})
    assert changed.status_code == 200


def test_index_has_no_inline_script_or_style(client: Client) -> None:
    html = client.get("/").text
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, tag
    assert "<style" not in html
    assert " style=" not in html
    assert 'type="module" src="/static/js/main.js"' in html


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/static/js/main.js", "text/javascript"),
        ("/static/js/store.js", "text/javascript"),
        ("/static/css/tokens.css", "text/css"),
        ("/static/favicon.svg", "image/svg+xml"),
    ],
)
def test_static_files_revalidate_with_etag(client: Client, path: str, kind: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(kind)
    assert r.headers["cache-control"] == "no-cache"
    assert r.headers["x-content-type-options"] == "nosniff"
    r2 = client.get(path, headers={"if-none-match": r.headers["etag"]})
    assert r2.status_code == 304


@pytest.mark.parametrize("path", ["/static/nope.js", "/static/../app.py", "/static/%2e%2e/app.py"])
def test_missing_or_escaping_static_paths_are_json_404(client: Client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    error_of(r)


@pytest.mark.parametrize("path", ["/", "/api/components", "/static/css/app.css", "/api/nothing"])
def test_security_headers_everywhere(client: Client, path: str) -> None:
    r = client.get(path)
    assert r.headers["content-security-policy"] == EXPECTED_CSP == CSP
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-frame-options"] == "DENY"


def test_docs_page_gets_its_own_csp_and_openapi_works_offline(client: Client) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    csp = docs.headers["content-security-policy"]
    assert "https://cdn.jsdelivr.net" in csp and "frame-ancestors 'none'" in csp
    spec = client.get("/openapi.json")
    assert spec.status_code == 200
    doc = spec.json()
    paths = doc["paths"]
    for path in (
        "/api/components",
        "/api/templates",
        "/api/templates/{template_id}",
        "/api/simulate",
        "/api/schema/flow",
        "/api/flows/validate",
    ):
        assert path in paths, path
    simulate = paths["/api/simulate"]["post"]
    assert "SimulateIn" in orjson.dumps(simulate["requestBody"]).decode()
    assert "Trace" in orjson.dumps(simulate["responses"]["200"]).decode()
    assert "/" not in paths and "/favicon.ico" not in paths


def test_index_preloads_the_whole_static_import_graph(client: Client) -> None:
    """main.js imports modules that import others: preloading them all avoids a request waterfall."""
    html = client.get("/").text
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/static/js/([^"]+)"', html))
    graph: set[str] = set()
    todo = ["main.js"]
    while todo:
        name = todo.pop()
        if name in graph:
            continue
        graph.add(name)
        source = client.get(f"/static/js/{name}").text
        for spec in re.findall(r'^import\s[^"]*?"(\.[^"]+)"', source, re.MULTILINE):
            base = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
            parts: list[str] = []
            for part in (base + spec).split("/"):
                if part == "..":
                    parts.pop()
                elif part not in (".", ""):
                    parts.append(part)
            todo.append("/".join(parts))
    assert preloaded == graph
