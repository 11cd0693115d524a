"""The HTTP API in process: a synchronous face on httpx.AsyncClient over ASGI (starlette's TestClient
is deprecated, and warnings are errors here). One client for every API test."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import anyio.from_thread
import httpx
from fastapi import FastAPI


class Client:
    def __init__(self, portal: Any, client: httpx.AsyncClient) -> None:
        self.portal = portal
        self.client = client

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response: httpx.Response = self.portal.call(
            functools.partial(self.client.request, method, url, **kwargs)
        )
        return response

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def options(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("OPTIONS", url, **kwargs)


def make_client(app: FastAPI) -> Iterator[Client]:
    """A client for ``app`` for as long as the generator runs (use with ``yield from``)."""
    with anyio.from_thread.start_blocking_portal() as portal:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async_client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        try:
            yield Client(portal, async_client)
        finally:
            portal.call(async_client.aclose)
