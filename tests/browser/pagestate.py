"""Reading the page's app state in browser tests: ``window.__traceplay.store`` (js/main.js)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page


def state(page: Page, expr: str) -> Any:
    """The value of a JS expression over the store's state ``s``, e.g. ``state(page, "s.variant")``."""
    return page.evaluate(f"() => {{ const s = window.__traceplay.store.get(); return {expr}; }}")


def wait_for_analysis(page: Page) -> None:
    """Until a trace and its analysis are on screen and nothing is loading."""
    page.wait_for_function(
        "() => { const s = window.__traceplay && window.__traceplay.store.get();"
        " return s && s.trace && s.analysis && !s.loading; }"
    )
