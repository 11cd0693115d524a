"""End-to-end fixtures: the real app on a free loopback port, driven by the system Chromium.

- ``server_url``: a uvicorn server running ``create_app()`` in a background thread (session scope).
- ``page``: a fresh browser context per test (desktop 1440x900), base URL set, so ``page.goto("/")``
  works. The test FAILS on any console error, uncaught page error, or request to a host that is not
  loopback (such requests are also aborted: the suite never reaches the internet).
- ``phone_page``: the same at 390x844 with touch and a mobile user agent.
- ``new_page(width, height, **context_options)``: a guarded page of any size.
- ``guard``: the test's console/network watcher; ``guard.allow(regex)`` accepts console errors the
  test provokes on purpose (a 422 from a deliberately bad request, say).
- ``screenshot(page, name)`` / ``save_screenshot``: writes ``artifacts/screenshots/<name>.png``.

Every test under tests/browser is marked ``browser``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Route,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
LOCAL_SCHEMES = frozenset({"data", "blob", "about", "chrome-error"})
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


# --------------------------------------------------------------------------- server


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    from traceplay.cli.serve import listen_socket
    from traceplay.web.app import create_app

    sock = listen_socket("127.0.0.1", 0)  # a free port; TCP_NODELAY on its connections
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(), log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)  # off the main thread it installs no signal handlers
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class Guard:
    """What a page did wrong: console errors, uncaught exceptions, requests off loopback."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Accept console errors matching ``pattern`` (regex) — for errors the test provokes."""
        self.allowed.append(re.compile(pattern))

    def on_console(self, msg: ConsoleMessage) -> None:
        if msg.type != "error":
            return
        loc = msg.location or {}
        text = f"{msg.text} ({loc.get('url', '')}:{loc.get('lineNumber', '')})"
        self.console_errors.append(text)

    def on_page_error(self, exc: PlaywrightError) -> None:
        self.page_errors.append(f"{exc.name}: {exc.message}\n{exc.stack or ''}")

    def on_route(self, route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES or (parts.hostname or "") in LOOPBACK_HOSTS:
            route.continue_()
            return
        self.external_requests.append(url)
        route.abort("blockedbyclient")

    def problems(self) -> list[str]:
        out = [f"page error: {e}" for e in self.page_errors]
        out += [
            f"console error: {e}"
            for e in self.console_errors
            if not any(p.search(e) for p in self.allowed)
            and "net::ERR_BLOCKED_BY_CLIENT" not in e  # reported below as an external request
        ]
        out += [f"request off loopback: {u}" for u in self.external_requests]
        return out


@pytest.fixture
def guard() -> Guard:
    return Guard()


NewPage = Callable[..., Page]


@pytest.fixture
def new_page(browser: Browser, server_url: str, guard: Guard) -> Iterator[NewPage]:
    contexts: list[BrowserContext] = []

    def make(width: int = DESKTOP["width"], height: int = DESKTOP["height"], **options: Any) -> Page:
        context = browser.new_context(
            base_url=server_url, viewport={"width": width, "height": height}, **options
        )
        context.route("**/*", guard.on_route)
        contexts.append(context)
        page = context.new_page()
        page.on("console", guard.on_console)
        page.on("pageerror", guard.on_page_error)
        return page

    yield make
    for context in contexts:
        context.close()
    problems = guard.problems()
    if problems:
        pytest.fail("the page misbehaved:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def page(new_page: NewPage) -> Page:
    return new_page()


@pytest.fixture
def phone_page(new_page: NewPage) -> Page:
    return new_page(
        PHONE["width"],
        PHONE["height"],
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        user_agent=(
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/130.0 Mobile Safari/537.36"
        ),
    )


def save_screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    """Save ``artifacts/screenshots/<name>.png`` and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    return save_screenshot
