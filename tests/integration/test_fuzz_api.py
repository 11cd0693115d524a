"""Fuzzing the HTTP API in process (ASGI) with schemathesis, from the app's own OpenAPI document.

Every operation the schema lists gets (1) schemathesis' deterministic coverage cases: boundary values,
missing and extra fields, wrong types, wrong methods; (2) generated requests, valid and invalid by the
schema (bad bodies included), from ``as_strategy``; and (3) requests grounded in real data: built-in
scenarios, their simulated traces and the fixture files, mutated. Every answer must be below 500, carry
the security headers, match the documented content type and response schema, and every 4xx must be the
JSON error shape ``{"error": {"code", "message", "details"}}``.

Example counts scale with ``TRACEPLAY_FUZZ_EXAMPLES`` (tests/fuzzkit.py): ``make test`` runs a bounded,
derandomised pass; ``TRACEPLAY_FUZZ_EXAMPLES=2000`` a long random one. The language model is a fake:
no request leaves the process.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import orjson
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.routing import APIRoute
from hypothesis import event, given
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests import fuzzkit
from tests.apiclient import Client, make_client
from traceplay.config import Settings
from traceplay.domain.simulate import simulate
from traceplay.formats import EXPORT_FORMATS
from traceplay.llm import FakeLLM
from traceplay.templates import get_template, template_ids
from traceplay.web.app import ROUTERS, create_app
from traceplay.web.middleware import CSP

DEFAULT = 6  # generated examples per operation and mode in `make test`
EXAMPLES = fuzzkit.examples(DEFAULT)
COVERAGE_CASES = EXAMPLES * 8  # schemathesis' deterministic cases per operation (all of them in a long run)
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]
FUZZ = fuzzkit.fuzz_settings(DEFAULT)
TIMEOUT = fuzzkit.timeout_s(DEFAULT * 40)
AI_ANSWER = ["The trace ", "<img src=x onerror=window.__xss=1>", " is fine."]


def build_app() -> FastAPI:
    return create_app(Settings(), llm=FakeLLM(AI_ANSWER))


def _operations() -> tuple[list[tuple[str, str]], list[tuple[str, str, GenerationMode]]]:
    """Every operation; and the fuzz runs: valid requests for each, invalid ones for each that takes
    input (a GET without parameters has nothing to break: the coverage cases send it wrong methods)."""
    paths: dict[str, dict[str, Any]] = build_app().openapi()["paths"]
    ops, runs = [], []
    for path, item in paths.items():
        for method, spec in item.items():
            ops.append((method.upper(), path))
            runs.append((method.upper(), path, GenerationMode.POSITIVE))
            if spec.get("requestBody") or spec.get("parameters"):
                runs.append((method.upper(), path, GenerationMode.NEGATIVE))
    return sorted(ops), sorted(runs)


OPERATIONS, RUNS = _operations()
IDS = [f"{m} {p}" for m, p in OPERATIONS]
RUN_IDS = [f"{m} {p} {'valid' if mode is GenerationMode.POSITIVE else 'invalid'}" for m, p, mode in RUNS]


@pytest.fixture(scope="module")
def api() -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", build_app())


def operation(api: Any, method: str, path: str) -> Any:
    return api[path][method]


# --------------------------------------------------------------------------- what every answer must be


def assert_answer(status: int, headers: Any, body: bytes, what: str) -> None:
    """No 5xx; the security headers; a 4xx in the error shape with a useful message."""
    assert status < 500, f"{what} -> {status}: {body[:500]!r}"
    assert headers.get("content-security-policy") in (CSP, [CSP]), f"{what}: no CSP"
    assert headers.get("x-content-type-options") in ("nosniff", ["nosniff"]), what
    if status < 400:
        return
    ctype = headers.get("content-type")
    ctype = ctype[0] if isinstance(ctype, list) else ctype
    assert ctype is not None and ctype.startswith("application/json"), f"{what} -> {status} as {ctype}"
    doc = orjson.loads(body)
    assert set(doc) == {"error"}, f"{what}: {doc}"
    err = doc["error"]
    assert set(err) == {"code", "message", "details"}, f"{what}: {err}"
    assert isinstance(err["code"], str) and err["code"], f"{what}: {err}"
    assert isinstance(err["message"], str) and err["message"].strip(), f"{what}: {err}"
    assert isinstance(err["details"], dict), f"{what}: {err}"
    assert "Traceback" not in err["message"] and len(err["message"]) < 5_000, (
        f"{what}: {err['message'][:300]}"
    )
    note(f"{status} {err['code']}")


def note(what: str) -> None:
    """Count an outcome in Hypothesis' statistics (--hypothesis-show-statistics), when inside a test."""
    if currently_in_test_context():
        event(what)


def check_case(case: Any) -> None:
    response = case.call()
    what = f"{case.method} {case.formatted_path} {case.query or ''} body={str(case.body)[:300]}"
    assert_answer(response.status_code, response.headers, response.content, what)
    case.validate_response(response, checks=CHECKS)
    if response.status_code < 400:
        note(str(response.status_code))


# --------------------------------------------------------------------------- schemathesis


def test_the_schema_lists_every_api_route() -> None:
    """What is fuzzed is what is served: every route of every router is an operation of the schema."""
    served = {
        (method, route.path)
        for module in ROUTERS
        for route in module.router.routes
        if isinstance(route, APIRoute)
        for method in route.methods - {"HEAD", "OPTIONS"}
    }
    assert served, "no API routes"
    assert all(path.startswith("/api/") for _, path in served)
    assert served == set(OPERATIONS)


@pytest.mark.timeout(TIMEOUT)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=IDS)
def test_coverage_cases(api: Any, method: str, path: str) -> None:
    """Schemathesis' deterministic cases: boundaries, missing/extra fields, wrong types and methods.
    Past COVERAGE_CASES, an even sample of them (every case in a long run)."""
    op = operation(api, method, path)
    cases = list(
        api.iter_coverage_cases(
            op, generation_modes=list(GenerationMode), generation_config=api.config.generation
        )
    )
    assert cases, f"no coverage cases for {method} {path}"
    step = max(1, -(-len(cases) // COVERAGE_CASES))
    for case in cases[::step]:
        check_case(case)


@pytest.mark.timeout(TIMEOUT)
@pytest.mark.parametrize(("method", "path", "mode"), RUNS, ids=RUN_IDS)
def test_generated_requests(api: Any, method: str, path: str, mode: GenerationMode) -> None:
    """Requests generated from the schema: valid ones, and invalid ones (bad bodies, bad parameters)."""

    @FUZZ
    @given(operation(api, method, path).as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        check_case(case)

    run()


# --------------------------------------------------------------------------- grounded in real data


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    yield from make_client(build_app())


@functools.cache
def seeds() -> dict[str, tuple[Any, ...]]:
    """Realistic request bodies: every built-in by id and as a document, with faults on real nodes,
    and traces of a few of them for the routes that take a trace."""
    sim, ana, ai, valid = [], [], [], []
    for tid in template_ids():
        flow = get_template(tid)
        node = flow.nodes[-1].id
        doc = flow.model_dump(mode="json", exclude_defaults=True)
        sim += [
            {"template": tid, "variant": "error", "faults": {node: "timeout"}, "seed": 3},
            {"flow": doc, "variant": "slow"},
        ]
        ana.append({"template": tid, "variant": "slow", "faults": {node: "down"}})
        valid.append(doc)
    for tid in ("simple", "redis-cache", "kafka-fanout", "circuit-breaker"):
        trace = simulate(get_template(tid), "error", seed=1).model_dump(mode="json")
        ana += [{"trace": trace, "template": tid, "variant": "error"}, {"trace": trace}]
        ai.append(
            {"trace": trace, "template": tid, "provider": "ollama", "model": "llama3.2", "api_key": "sk-x"}
        )
    valid.append({"name": "simple.yaml", "text": fuzzkit.flow_texts()[0][1]})
    traces = tuple({"trace": body["trace"]} for body in ana if "trace" in body)
    return {
        "/api/simulate": tuple(sim),
        "/api/analyze": tuple(ana),
        "/api/analyze/ai": tuple(ai),
        "/api/flows/validate": tuple(valid),
        "/api/traces/export": traces,
    }


@st.composite
def grounded_requests(draw: Callable[..., Any]) -> tuple[str, str, dict[str, Any]]:
    """(method, url, httpx keyword arguments) for one realistic request, mutated."""
    table = seeds()
    route = draw(st.sampled_from([*table, "/api/traces/import", "/api/templates/{id}"]))
    if route == "/api/traces/import":
        name, data = draw(st.sampled_from(fuzzkit.trace_files()))
        body = draw(st.just(data) | fuzzkit.mutated_bytes(data))
        params = {"name": draw(st.sampled_from([name, "", "<img src=x>.json", "a" * 500]))}
        if draw(st.booleans()):
            params["index"] = str(draw(st.integers(-1, 5)))
        return "POST", route, {"content": body, "params": params}
    if route == "/api/templates/{id}":
        tid = draw(st.sampled_from(template_ids()) | st.text(max_size=30))
        return "GET", f"/api/templates/{quote(tid, safe='')}", {}
    doc = draw(fuzzkit.mutated_json(table[route]))
    params = (
        {"format": draw(st.sampled_from([*EXPORT_FORMATS, "xml", ""]))} if route.endswith("export") else {}
    )
    content = json.dumps(doc).encode()
    return (
        "POST",
        route,
        {"content": content, "params": params, "headers": {"content-type": "application/json"}},
    )


@pytest.mark.timeout(TIMEOUT)
@fuzzkit.fuzz_settings(60)
@given(grounded_requests())
def test_mutated_real_requests(client: Client, request_args: tuple[str, str, dict[str, Any]]) -> None:
    method, url, kwargs = request_args
    response = client.request(method, url, **kwargs)
    what = f"{method} {url} {kwargs.get('params')} {kwargs.get('content', b'')[:300]!r}"
    assert_answer(response.status_code, response.headers, response.content, what)
    if response.status_code >= 400:
        return
    note(str(response.status_code))
    if 300 <= response.status_code < 400:  # /api/templates/ -> /api/templates: a redirect, no body
        assert response.headers["location"].startswith("http://testserver/api/"), response.headers
    elif url == "/api/analyze/ai":
        events = [block.split("\n")[0] for block in response.text.strip().split("\n\n")]
        assert events[-1] in ("event: done", "event: error"), response.text[-300:]
    else:
        orjson.loads(response.content)


# --------------------------------------------------------------------------- found by the fuzzers


@pytest.mark.parametrize("route", ["/api/simulate", "/api/analyze", "/api/flows/validate"])
@pytest.mark.parametrize(
    "body", [b"\xf2A\xef", b"[" * 100_000 + b"]" * 100_000], ids=["not-utf8", "nested-100000-deep"]
)
def test_an_unreadable_body_is_invalid_json_like_any_other(client: Client, route: str, body: bytes) -> None:
    """Bytes that are not UTF-8, or JSON nested deeper than the parser goes, once answered 400 "There
    was an error parsing the body": a status the schema does not list and words that do not say what
    is wrong, where every other unreadable body is a 422 naming the problem."""
    response = client.request("POST", route, content=body, headers={"content-type": "application/json"})
    assert_answer(response.status_code, response.headers, response.content, route)
    assert response.status_code == 422, response.text
    assert "JSON" in response.json()["error"]["message"], response.text


@pytest.mark.parametrize("seed", [False, True, 1.0, "7"], ids=["false", "true", "float", "string"])
@pytest.mark.parametrize("route", ["/api/simulate", "/api/analyze"])
def test_a_seed_must_be_an_integer_as_the_schema_says(client: Client, route: str, seed: Any) -> None:
    """The schema says integer; a boolean, a float or a numeric string was quietly taken as one."""
    body = {"template": "simple", "variant": "slow", "seed": seed}
    response = client.request("POST", route, json=body)
    assert_answer(response.status_code, response.headers, response.content, route)
    assert response.status_code == 422, response.text
    assert "seed" in response.json()["error"]["message"]
