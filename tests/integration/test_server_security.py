"""The server's defences: where it listens, how much it reads, how long it waits, what it never says.

- ``traceplay serve`` (a real process on a free port) binds 127.0.0.1 unless told otherwise and warns
  when told to listen on a public interface; the page it serves carries the security headers.
- Every POST route refuses a body over the limit with a 413 in the JSON error shape.
- Every outbound HTTP call has a timeout: found in the source (no httpx call without ``timeout=``, no
  other HTTP client), and shown against loopback servers that never answer or trickle a byte at a time.
- An API key sent with an AI request is used, and then appears nowhere: not in the answer, not in a
  log record, not in an error, even when the provider quotes it back.
- The security headers are on the page, the static files, the API, its errors and its event streams.
"""

from __future__ import annotations

import ast
import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.apiclient import Client, make_client
from tests.integration.llm_server import ChatServer, start
from traceplay.config import Settings
from traceplay.domain.simulate import simulate
from traceplay.emit import emit
from traceplay.errors import LLMError, TraceplayError
from traceplay.llm import ChatClient, Message
from traceplay.templates import get_template
from traceplay.web.app import TRACE_BODY_PATHS, create_app
from traceplay.web.middleware import CSP, SECURITY_HEADERS

SRC = Path(__file__).resolve().parents[2] / "src" / "traceplay"
KEY = "sk-live-DoNotLeak-7f3a9c2e51"
MESSAGES: list[Message] = [{"role": "user", "content": "why?"}]


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    yield from make_client(create_app(Settings()))


# --------------------------------------------------------------------------- where it listens


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def listening_addresses(port: int) -> set[str]:
    """The local IPv4 addresses with a socket listening on ``port`` (from /proc/net/tcp, state 0A)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        hex_ip, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.add(socket.inet_ntoa(bytes.fromhex(hex_ip)[::-1]))
    return found


class Served:
    """``traceplay serve`` in a subprocess; its stdout and stderr lines as they come."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1", "TERM": "dumb"}
        env = {k: v for k, v in env.items() if not k.startswith("TRACEPLAY_")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "traceplay", "serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self.pumps = [
            threading.Thread(target=self._pump, args=(stream, sink), daemon=True)
            for stream, sink in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))
        ]
        for pump in self.pumps:
            pump.start()

    @staticmethod
    def _pump(stream: Any, sink: list[str]) -> None:
        for line in stream:
            sink.append(line)

    def wait_for(self, text: str, where: list[str], timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in where:
                if text in line:
                    return line
            if self.proc.poll() is not None and not any(text in line for line in where):
                time.sleep(0.1)  # let the pumps drain
                if not any(text in line for line in where):
                    break
            time.sleep(0.05)
        raise AssertionError(f"never saw {text!r}: out={self.out} err={self.err} rc={self.proc.poll()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        for pump in self.pumps:
            pump.join(timeout=10)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def wait_until_serving(url: str, served: Served, timeout: float = 20.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            if time.monotonic() > deadline or served.proc.poll() is not None:
                raise AssertionError(f"{url} never answered: out={served.out} err={served.err}") from None
            time.sleep(0.1)


def test_serve_binds_loopback_by_default_and_serves_the_headers() -> None:
    port = free_port()
    served = Served("--port", str(port))
    try:
        served.wait_for(f"http://127.0.0.1:{port}/", served.out)
        page = wait_until_serving(f"http://127.0.0.1:{port}/", served)
        assert listening_addresses(port) == {"127.0.0.1"}
        assert page.status_code == 200
        assert_security_headers(page.headers, "GET / (uvicorn)")
        assert not any("warning" in line.lower() for line in served.err), served.err
    finally:
        served.stop()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.1"], ids=["all-interfaces", "an-address-not-here"])
def test_serve_warns_before_a_public_bind(host: str) -> None:
    """The warning comes first. 192.0.2.1 (TEST-NET-1) is on no interface here, so that bind fails
    after the warning: nothing is ever exposed by this case."""
    served = Served("--host", host, "--port", str(free_port()))
    try:
        line = served.wait_for("warning", served.err)
        assert host in line and "no authentication" in line
    finally:
        served.stop()


def test_serve_on_localhost_does_not_warn() -> None:
    port = free_port()
    served = Served("--host", "localhost", "--port", str(port))
    try:
        served.wait_for(f":{port}/", served.out)
        wait_until_serving(f"http://127.0.0.1:{port}/api/templates", served)
        assert listening_addresses(port) == {"127.0.0.1"}
        assert not any("warning" in line.lower() for line in served.err), served.err
    finally:
        served.stop()


# --------------------------------------------------------------------------- how much it reads


def post_routes() -> list[str]:
    paths: dict[str, dict[str, Any]] = create_app(Settings()).openapi()["paths"]
    return sorted(path for path, item in paths.items() if "post" in item)


@pytest.fixture(scope="module")
def small_client() -> Iterator[Client]:
    yield from make_client(create_app(Settings(max_body_bytes=2_000, max_import_bytes=8_000)))


@pytest.mark.parametrize("route", post_routes())
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_every_post_route_refuses_a_body_over_the_limit(
    small_client: Client, route: str, declared: bool
) -> None:
    limit = 8_000 if route in TRACE_BODY_PATHS else 2_000  # routes that carry whole traces read more
    body = b'{"pad": "' + b"x" * limit + b'"}'
    route += "?format=otlp" if route.endswith("/export") else ""  # else its query is refused first
    if declared:
        response = small_client.request(
            "POST", route, content=body, headers={"content-type": "application/json"}
        )
    else:

        async def chunks() -> AsyncIterator[bytes]:
            for i in range(0, len(body), 512):
                yield body[i : i + 512]

        response = small_client.request(
            "POST", route, content=chunks(), headers={"content-type": "application/json"}
        )
    assert response.status_code == 413, response.text
    error = response.json()["error"]
    assert error["code"] == "body_too_large" and f"{limit:,} bytes" in error["message"]
    assert error["details"]["limit_bytes"] == limit
    assert_security_headers(response.headers, f"413 {route}")


def test_a_body_at_the_limit_is_read(small_client: Client) -> None:
    body = b'{"template": "simple", "variant": "success"}'
    body += b" " * (2_000 - len(body))
    response = small_client.request(
        "POST", "/api/simulate", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 200, response.text


# --------------------------------------------------------------------------- how long it waits

HTTP_CALLS = {
    "Client",
    "AsyncClient",
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "options",
    "request",
    "stream",
}
OTHER_CLIENTS = ("urllib.request", "http.client", "requests", "aiohttp", "urllib3")


def _py_files() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_every_httpx_call_in_the_source_passes_a_timeout() -> None:
    calls = []
    for path in _py_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            target = node.func.value
            if isinstance(target, ast.Name) and target.id == "httpx" and node.func.attr in HTTP_CALLS:
                where = f"{path.relative_to(SRC)}:{node.lineno}"
                calls.append(where)
                timeout = next((k.value for k in node.keywords if k.arg == "timeout"), None)
                assert timeout is not None, f"{where}: httpx.{node.func.attr}(...) without timeout="
                assert not (isinstance(timeout, ast.Constant) and timeout.value is None), (
                    f"{where}: timeout=None"
                )
    assert len(calls) >= 2, f"expected the LLM client and the OTLP emitter, found {calls}"


def test_no_other_http_client_is_used() -> None:
    for path in _py_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(OTHER_CLIENTS), f"{path.relative_to(SRC)} imports {name}"


class Silent:
    """A loopback server that accepts connections and then says nothing (``drip``: sends the headers
    of an event stream, then one byte every 50 ms, forever)."""

    def __init__(self, drip: bool = False) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.drip = drip
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        conns = []
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            conns.append(conn)
            if self.drip:
                threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()
        for conn in conns:
            conn.close()

    def _trickle(self, conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n")
            while not self.stop.is_set():
                conn.sendall(b"d")
                time.sleep(0.05)
        except OSError:
            pass

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def silent() -> Iterator[Silent]:
    server = Silent()
    yield server
    server.close()


@pytest.fixture
def dripping() -> Iterator[Silent]:
    server = Silent(drip=True)
    yield server
    server.close()


def _llm(url: str, **kw: Any) -> ChatClient:
    return ChatClient(provider="custom", label="Test LLM", base_url=url + "/v1", model="m", **kw)


def _stream(client: ChatClient) -> list[str]:
    async def go() -> list[str]:
        return [piece async for piece in client.stream(MESSAGES)]

    return asyncio.run(go())


@pytest.mark.parametrize("how", ["stream", "complete"])
def test_the_llm_client_gives_up_on_a_provider_that_never_answers(silent: Silent, how: str) -> None:
    client = _llm(silent.url, timeout_s=0.5)
    began = time.monotonic()
    with pytest.raises(LLMError, match=r"did not answer within 0\.5 s"):
        _stream(client) if how == "stream" else asyncio.run(client.complete(MESSAGES))
    assert time.monotonic() - began < 10


def test_the_llm_client_gives_up_on_a_provider_that_trickles(dripping: Silent) -> None:
    """Each read gets a byte well within the read timeout; only the deadline on the whole answer
    ends it."""
    client = _llm(dripping.url, timeout_s=0.5, deadline_s=1.0)
    began = time.monotonic()
    with pytest.raises(LLMError, match="did not finish its answer within 1 s"):
        _stream(client)
    assert time.monotonic() - began < 10


def test_the_deadline_defaults_to_a_few_read_timeouts() -> None:
    assert _llm("http://127.0.0.1:9", timeout_s=30).deadline_s == 120
    assert _llm("http://127.0.0.1:9", timeout_s=1).deadline_s == 60


def test_the_otlp_emitter_gives_up_on_a_collector_that_never_answers(silent: Silent) -> None:
    trace = simulate(get_template("simple"), "success")
    began = time.monotonic()
    with pytest.raises(TraceplayError, match=r"did not answer within 0\.5 s"):
        emit(trace, silent.url, timeout_s=0.5)
    assert time.monotonic() - began < 10


# --------------------------------------------------------------------------- what it never says


@pytest.fixture(scope="module")
def provider() -> Iterator[ChatServer]:
    server = start()
    yield server
    server.close()


@pytest.mark.parametrize("mode", ["401", "500", "429", "garbage", "normal"])
def test_an_api_key_is_used_and_then_appears_nowhere(
    provider: ChatServer, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The loopback provider's 401 quotes the key back, as OpenAI's does: it must still not reach the
    browser or the log."""
    caplog.set_level(logging.DEBUG)
    settings = Settings(llm_provider="custom", llm_base_url=provider.base_url(mode), llm_model="test-model")
    body = {"template": "redis-cache", "variant": "error", "provider": "custom", "api_key": KEY}
    for client in make_client(create_app(settings)):
        response = client.request("POST", "/api/analyze/ai", json=body)
    assert response.status_code == 200
    assert provider.seen[-1].headers["authorization"] == f"Bearer {KEY}"  # it was used ...
    expected = "event: done" if mode == "normal" else "event: error"
    assert expected in response.text
    assert KEY not in response.text  # ... and is not in the answer ...
    assert KEY not in caplog.text  # ... nor in any log line ...
    for record in caplog.records:  # ... nor in what a handler could format differently
        assert KEY not in repr(record.args) and KEY not in str(record.exc_info or "")


@pytest.mark.parametrize(
    "body",
    [
        {"template": 5, "api_key": KEY},
        {"template": "simple", "flow": {}, "api_key": KEY},
        {"template": "simple", "api_key": KEY, "model": "bad model!"},
        {"template": "simple", "api_key": KEY * 40},
        {"template": "no-such-scenario", "api_key": KEY},
    ],
    ids=["bad-template", "two-sources", "bad-model", "key-too-long", "unknown-template"],
)
def test_a_rejected_ai_request_does_not_echo_the_key(
    client: Client, body: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = client.request("POST", "/api/analyze/ai", json=body)
    assert response.status_code == 422, response.text
    assert KEY not in response.text and KEY not in caplog.text


def test_the_servers_own_key_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROQ_API_KEY", KEY)
    settings = Settings(llm_provider="groq", llm_api_key=KEY)
    assert KEY not in repr(settings) and KEY not in str(settings.model_dump())
    for client in make_client(create_app(settings)):
        status = client.request("GET", "/api/llm/status")
        docs = client.request("GET", "/openapi.json")
    assert status.status_code == 200 and status.json()["configured"] is True
    assert KEY not in status.text and KEY not in docs.text
    assert KEY not in repr(_llm("http://127.0.0.1:9", api_key=KEY))


# --------------------------------------------------------------------------- headers everywhere


def assert_security_headers(headers: Any, what: str) -> None:
    csp = headers.get("content-security-policy")
    assert csp == CSP, f"{what}: CSP {csp!r}"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, what
    assert "script-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    for name, value in SECURITY_HEADERS:
        assert headers.get(name) == value, f"{what}: {name} = {headers.get(name)!r}"


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/static/js/main.js", 200),
        ("GET", "/static/css/tokens.css", 200),
        ("GET", "/static/favicon.svg", 200),
        ("GET", "/static/nope.js", 404),
        ("GET", "/api/templates", 200),
        ("GET", "/api/templates/simple", 200),
        ("GET", "/api/templates/nope", 404),
        ("GET", "/api/nowhere", 404),
        ("DELETE", "/api/simulate", 405),
        ("POST", "/api/simulate", 422),
        ("GET", "/openapi.json", 200),
    ],
)
def test_security_headers_on_the_page_static_files_api_and_errors(
    client: Client, method: str, url: str, status: int
) -> None:
    response = client.request(method, url)
    assert response.status_code == status
    assert_security_headers(response.headers, f"{method} {url}")


def test_security_headers_on_an_event_stream() -> None:
    for client in make_client(create_app(Settings(), llm=_FakeModel())):
        response = client.request("POST", "/api/analyze/ai", json={"template": "simple"})
    assert response.headers["content-type"].startswith("text/event-stream")
    assert_security_headers(response.headers, "POST /api/analyze/ai")


def test_a_304_revalidation_keeps_the_headers(client: Client) -> None:
    first = client.request("GET", "/static/js/main.js")
    again = client.request("GET", "/static/js/main.js", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304
    assert_security_headers(again.headers, "304 /static/js/main.js")


class _FakeModel:
    provider = "fake"
    model = "fake-1"

    async def stream(self, messages: list[Message]) -> AsyncIterator[str]:
        yield "ok"

    async def complete(self, messages: list[Message]) -> str:
        return "ok"
