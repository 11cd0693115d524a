"""A chat-completions server on 127.0.0.1 for the LLM tests: a real HTTP exchange, scripted by path.

``base_url(mode)`` is ``http://127.0.0.1:PORT/<mode>/v1``; a POST to ``.../chat/completions`` behaves by
mode: ``normal`` (JSON answer, or SSE when the request asks ``stream: true``), ``429``, ``500``,
``slow`` (answers after ``SLOW_S``), ``garbage`` (HTML), ``garbage-stream`` (SSE with non-JSON data),
``stream-error`` (an error chunk mid-stream), ``json-for-stream`` (ignores ``stream``), ``empty``
(an empty answer), ``401`` (rejects the key, quoting it back). Every request is recorded.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SLOW_S = 2.0
ANSWER = ["The request ", "failed in **PostgreSQL**", "; fix the timeout first."]


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class ChatServer:
    server: ThreadingHTTPServer
    thread: threading.Thread
    seen: list[Seen] = field(default_factory=list)

    def base_url(self, mode: str) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/{mode}/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def start() -> ChatServer:
    seen: list[Seen] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            raw = self.rfile.read(length)
            body = json.loads(raw) if raw else {}
            seen.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            mode = self.path.strip("/").split("/")[0]
            if not self.path.endswith("/v1/chat/completions"):
                return self._send(404, {"error": {"message": f"no route {self.path}"}})
            stream = bool(body.get("stream"))
            if mode == "slow":
                time.sleep(SLOW_S)
                return self._send(200, _completion("".join(ANSWER)))
            if mode == "429":
                return self._send(
                    429, {"error": {"message": "Rate limit reached for model"}}, {"Retry-After": "7"}
                )
            if mode == "500":
                return self._send(500, {"error": {"message": "upstream overloaded"}})
            if mode == "401":
                key = self.headers.get("authorization", "").removeprefix("Bearer ")
                return self._send(401, {"error": {"message": f"Incorrect API key provided: {key}"}})
            if mode == "garbage":
                return self._raw(200, b"<html>Bad gateway page</html>", "text/html")
            if mode == "empty":
                return self._send(200, _completion(""))
            if mode == "json-for-stream" or not stream:
                return self._send(200, _completion("".join(ANSWER)))
            if mode == "garbage-stream":
                return self._events([b"data: {not json\n\n"])
            if mode == "stream-error":
                first = _chunk(ANSWER[0])
                err = b'data: {"error": {"message": "model overloaded mid-stream"}}\n\n'
                return self._events([first, err])
            return self._events(
                [b": keep-alive\n\n", *[_chunk(piece) for piece in ANSWER], b"data: [DONE]\n\n"]
            )

        def _send(self, status: int, data: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            self._raw(status, json.dumps(data).encode(), "application/json", headers)

        def _raw(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def _events(self, events: list[bytes]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            for event in events:
                self.wfile.write(event)
                self.wfile.flush()
                time.sleep(0.01)
            self.close_connection = True

    server = _Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="chat-server", daemon=True)
    thread.start()
    return ChatServer(server, thread, seen)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (the timeout test) closes the socket under a slow answer: expected."""


def _completion(text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "test-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
    }


def _chunk(text: str) -> bytes:
    data = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"content": text}}],
    }
    return b"data: " + json.dumps(data).encode() + b"\n\n"
