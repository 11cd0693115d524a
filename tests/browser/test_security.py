"""The page in Chromium against hostile data: every user-controlled string is shown as text, nothing runs.

XSS payloads go into every string that reaches the page by the page's own paths: a flow opened from a
share link (#share=...) and one imported from a file (node labels, operations, attributes, variant
titles, findings, tips, fixes, error messages, the flow's name and description), the name of a file,
a trace imported through /api/traces/import (service and operation names, tags, logs, a crafted Jaeger
file), the AI answer (streamed by a fake provider with page.route) and the address bar. After each,
``window.__xss`` is still undefined, no dialog opened, no element carries an event-handler attribute or
a ``javascript:`` link, and the payload is on the page as literal text.

The Content-Security-Policy forbids inline script and eval (checked on the header and in the browser:
an injected inline script does not run), and the page makes no third-party request: the conftest's
guard aborts and reports any, which is verified here too.
"""

from __future__ import annotations

import base64
import json
import re
import zlib
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

IMG = "<img src=x onerror=window.__xss=1>"
SCRIPT = '"><script>window.__xss=1</script>'
JS_URL = "javascript:window.__xss=1//"
SVG = "<svg/onload=window.__xss=1>"
PAYLOADS = (IMG, SCRIPT, JS_URL, SVG)
RUN_DONE = "() => { const s = window.__traceplay?.store.get(); return s?.trace && s.analysis && !s.loading; }"
VARIANT_DONE = (
    "(v) => { const s = window.__traceplay.store.get(); return s.trace?.variant === v && s.analysis; }"
)
CONFIGURED = {
    "configured": True,
    "provider": "groq",
    "model": "llama-3.3-70b-versatile",
    "providers": ["groq"],
}


def crafted_flow() -> dict[str, Any]:
    """A valid flow with a payload in every free-text field the model has."""
    finding = {"title": IMG, "detail": SCRIPT, "severity": "warning", "nodes": ["api"], "edges": ["e1"]}
    return {
        "id": "xss-flow",
        "name": f"Flow {IMG}",
        "description": f"{SCRIPT} {JS_URL} {SVG}",
        "category": IMG,
        "nodes": [
            {"id": "web", "component": "frontend", "label": IMG, "operation": f"GET /{SCRIPT}",
             "attributes": {"note": JS_URL, "html": SVG}},
            {"id": "api", "component": "backend", "label": SCRIPT, "attributes": {"url.full": JS_URL}},
            {"id": "db", "component": "postgresql", "label": JS_URL, "attributes": {"db.query.text": IMG}},
            {"id": "q", "component": "kafka", "label": SVG},
        ],
        "edges": [
            {"id": "e1", "source": "web", "target": "api", "operation": IMG,
             "attributes": {"http.route": SCRIPT}},
            {"id": "e2", "source": "api", "target": "db", "operation": SCRIPT,
             "attributes": {"link": JS_URL}},
            {"id": "e3", "source": "api", "target": "q", "operation": SVG},
        ],
        "variants": {
            "success": {"title": IMG, "summary": SCRIPT, "findings": [finding], "tips": [JS_URL],
                        "fixes": [SVG]},
            "slow": {"title": SVG, "summary": JS_URL,
                     "nodes": {"db": {"latency_ms": 900, "attributes": {"why": IMG}}},
                     "findings": [finding], "tips": [IMG], "fixes": [SCRIPT]},
            "error": {"title": SCRIPT, "summary": IMG, "severity": "critical",
                      "nodes": {"db": {"status": "error", "error": f"{IMG} {SCRIPT}"}},
                      "findings": [finding], "tips": [SVG], "fixes": [JS_URL]},
        },
    }  # fmt: skip


def crafted_jaeger() -> dict[str, Any]:
    """A Jaeger file whose service, operation, tag and log values carry payloads."""

    def span(sid: str, parent: str | None, op: str, start: int, pid: str) -> dict[str, Any]:
        refs = [{"refType": "CHILD_OF", "traceID": "a1b2c3", "spanID": parent}] if parent else []
        return {
            "traceID": "a1b2c3", "spanID": sid, "operationName": op, "references": refs,
            "startTime": 1_700_000_000_000_000 + start, "duration": 5_000, "processID": pid,
            "tags": [{"key": "span.kind", "type": "string", "value": "server"},
                     {"key": IMG, "type": "string", "value": JS_URL},
                     {"key": "error", "type": "bool", "value": parent is not None},
                     {"key": "http.url", "type": "string", "value": JS_URL}],
            "logs": [{"timestamp": 1_700_000_000_000_000 + start + 10,
                      "fields": [{"key": "event", "type": "string", "value": SVG},
                                 {"key": "message", "type": "string", "value": SCRIPT}]}],
        }  # fmt: skip

    return {
        "data": [
            {
                "traceID": "a1b2c3",
                "spans": [
                    span("0000000000000001", None, IMG, 0, "p1"),
                    span("0000000000000002", "0000000000000001", SCRIPT, 100, "p2"),
                ],
                "processes": {
                    "p1": {
                        "serviceName": SVG,
                        "tags": [{"key": "host.name", "type": "string", "value": IMG}],
                    },
                    "p2": {"serviceName": JS_URL, "tags": []},
                },
            }
        ]
    }


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def dialogs(page: Page) -> list[str]:
    seen: list[str] = []

    def on_dialog(dialog: Any) -> None:
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return seen


def assert_nothing_ran(page: Page, dialogs: list[str]) -> None:
    assert page.evaluate("() => window.__xss") is None, "a payload ran"
    assert dialogs == [], dialogs
    found: dict[str, Any] = page.evaluate(
        """() => {
            const all = [...document.querySelectorAll('*')];
            return {
                handlers: all.flatMap(el => [...el.attributes].filter(a => /^on/i.test(a.name))
                    .map(a => `${el.tagName}[${a.name}]`)),
                jsLinks: all.flatMap(el => ['href', 'xlink:href', 'src', 'action', 'formaction']
                    .map(n => el.getAttribute(n)).filter(v => v && /^\\s*javascript:/i.test(v))),
                images: document.querySelectorAll('img[src="x"]').length,
                scripts: [...document.scripts].filter(s => !s.src).map(s => s.textContent.slice(0, 80)),
            };
        }"""
    )
    assert found == {"handlers": [], "jsLinks": [], "images": 0, "scripts": []}, found


def shown(page: Page, *texts: str) -> None:
    """Each text is on the page, literally (in the DOM's text, the SVG canvas included)."""
    for text in texts:
        page.wait_for_function("(t) => document.body.textContent.includes(t)", arg=text, timeout=10_000)


def wait_for_run(page: Page) -> None:
    page.wait_for_function(
        RUN_DONE,
        timeout=15_000,
    )
    page.evaluate("() => window.__traceplay.actions.pause()")


def visit_every_view(page: Page) -> None:
    """Every variant, every panel, and the details of every span row."""
    for variant in ("success", "slow", "error"):
        page.locator(f"[data-testid='variant-button'][data-variant='{variant}']").click()
        page.wait_for_function(
            VARIANT_DONE,
            arg=variant,
            timeout=15_000,
        )
        page.evaluate("() => window.__traceplay.actions.seek(window.__traceplay.store.get().traceEndMs)")
        for panel in ("waterfall", "spans", "analysis"):
            page.get_by_test_id(f"tab-{panel}").click()
            expect(page.get_by_test_id(f"panel-{panel}")).to_be_visible()
        page.get_by_test_id("tab-spans").click()
        rows = page.locator("[data-testid='span-row']")
        for i in range(rows.count()):
            rows.nth(i).click()


def share_link(flow: dict[str, Any]) -> str:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)  # deflate-raw, as CompressionStream writes it
    packed = packer.compress(json.dumps(flow).encode()) + packer.flush()
    return "/#share=" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


# --------------------------------------------------------------------------- flows


def test_a_shared_flow_full_of_payloads_is_shown_as_text(page: Page, dialogs: list[str]) -> None:
    page.goto(share_link(crafted_flow()))
    wait_for_run(page)
    visit_every_view(page)
    shown(page, IMG, SCRIPT, JS_URL, SVG)
    assert_nothing_ran(page, dialogs)


def test_an_imported_flow_file_and_a_hostile_file_name_are_shown_as_text(
    page: Page, dialogs: list[str], guard: Any
) -> None:
    guard.allow(r"status of 422")  # the hostile file is refused, on purpose
    page.goto("/")
    page.wait_for_function("() => window.__traceplay?.store.get().templates")
    good = {
        "name": f"{IMG}.json",
        "mimeType": "application/json",
        "buffer": json.dumps(crafted_flow()).encode(),
    }
    bad_flow = {"id": "bad", "name": "Bad", "nodes": [{"id": "x", "component": IMG}]}
    bad = {"name": f"{SVG}.yaml", "mimeType": "application/yaml", "buffer": json.dumps(bad_flow).encode()}
    page.get_by_test_id("import-input").set_input_files(files=[good, bad])
    report = page.get_by_test_id("import-problem")
    expect(report).to_have_count(1)
    expect(report).to_contain_text(f"unknown component '{IMG}'")  # the server's message, as text
    expect(report).to_contain_text(SVG)  # the file's name, as text
    page.get_by_test_id("import-report-close").click()
    wait_for_run(page)
    expect(page.get_by_test_id("custom-flow-item").first).to_contain_text(IMG)
    visit_every_view(page)
    shown(page, IMG, SCRIPT, JS_URL, SVG)
    assert_nothing_ran(page, dialogs)


def test_hostile_values_in_the_address_are_ignored_or_named_as_text(page: Page, dialogs: list[str]) -> None:
    """An id that is not an id is dropped (the first scenario opens); an unknown saved flow is named."""
    page.goto(f"/?scenario={quote(IMG)}&variant={quote(SCRIPT)}&fault={quote(SVG)}:down")
    wait_for_run(page)
    assert page.evaluate("() => window.__traceplay.store.get().variant") == "success"
    page.goto(f"/?flow={quote(IMG)}")
    shown(page, IMG)
    wait_for_run(page)
    assert_nothing_ran(page, dialogs)


# --------------------------------------------------------------------------- imported traces


def test_an_imported_trace_full_of_payloads_is_shown_as_text(page: Page, dialogs: list[str]) -> None:
    page.goto("/?scenario=simple")
    wait_for_run(page)
    body = json.dumps(crafted_jaeger()).encode()
    hostile = {"name": f"{IMG}.json", "mimeType": "application/json", "buffer": body}
    page.get_by_test_id("trace-input").set_input_files(files=[hostile])  # through the page, as a user does
    page.wait_for_function(
        "() => { const s = window.__traceplay.store.get();"
        " return s.imported && s.trace === s.imported.trace && s.analysis && !s.loading; }"
    )
    assert page.evaluate("() => window.__traceplay.store.get().imported.format") == "jaeger"
    expect(page.get_by_test_id("trace-file")).to_contain_text(IMG)  # the file's name, as text
    page.evaluate("() => window.__traceplay.actions.seek(1e9)")
    for panel in ("waterfall", "spans", "analysis"):
        page.get_by_test_id(f"tab-{panel}").click()
    page.get_by_test_id("tab-spans").click()
    rows = page.locator("[data-testid='span-row']")
    expect(rows).to_have_count(2)
    for i in range(2):
        rows.nth(i).click()
    shown(page, IMG, SCRIPT, JS_URL, SVG)
    assert_nothing_ran(page, dialogs)


# --------------------------------------------------------------------------- the AI answer


def test_an_ai_answer_full_of_payloads_is_shown_as_text(page: Page, dialogs: list[str]) -> None:
    pieces = [
        f"## {IMG}\n",
        f"The **{SCRIPT}** part and `{SVG}` code.\n",
        f'- [click me]({JS_URL})\n- <a href="{JS_URL}">link</a>\n',
        f"```\n{IMG}\n```\n",
        f'<iframe srcdoc="{SCRIPT}"></iframe> done.\n',
    ]
    events = "".join(f"event: delta\ndata: {json.dumps({'text': p})}\n\n" for p in pieces)
    events += f"event: error\ndata: {json.dumps({'error': {'code': 'llm_failed', 'message': IMG}})}\n\n"
    page.route("**/api/llm/status", lambda r: r.fulfill(status=200, content_type="application/json",
                                                         body=json.dumps(CONFIGURED)))  # fmt: skip
    page.route(
        "**/api/analyze/ai", lambda r: r.fulfill(status=200, content_type="text/event-stream", body=events)
    )
    page.goto("/?scenario=redis-cache&variant=error")
    wait_for_run(page)
    page.get_by_test_id("tab-analysis").click()
    page.get_by_test_id("ai-explain").click()
    out = page.get_by_test_id("ai-output")
    expect(out).to_contain_text("done.")
    for payload in (IMG, SCRIPT, SVG, JS_URL):
        expect(out).to_contain_text(payload)
    expect(page.get_by_test_id("ai-error")).to_contain_text(IMG)
    assert out.locator("img, script, iframe, a, svg").count() == 0
    assert_nothing_ran(page, dialogs)


# --------------------------------------------------------------------------- CSP and third parties


def test_the_csp_forbids_inline_script_and_eval(page: Page, guard: Any) -> None:
    guard.allow(r"Content Security Policy|Content-Security-Policy")
    csps: dict[str, str] = {}
    page.on("response", lambda r: csps.__setitem__(r.url, r.headers.get("content-security-policy", "")))
    response = page.goto("/")
    assert response is not None and response.ok
    wait_for_run(page)
    assert csps, "no responses seen"
    for url, csp in csps.items():
        assert csp, f"{url} has no Content-Security-Policy"
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, f"{url}: {csp}"
        assert re.search(r"script-src 'self'(;|$)", csp) and "object-src 'none'" in csp, f"{url}: {csp}"
    # markup injected at run time (as an innerHTML slip would) must not run: the CSP blocks inline code
    ran = page.evaluate(
        """() => new Promise(resolve => {
            const s = document.createElement('script');
            s.textContent = 'window.__inline = (window.__inline || 0) + 1';
            document.body.append(s);
            const el = document.createElement('div');
            el.setAttribute('onclick', 'window.__inline = (window.__inline || 0) + 10');
            document.body.append(el);
            el.click();
            const img = document.createElement('img');
            img.setAttribute('onerror', 'window.__inline = (window.__inline || 0) + 100');
            img.src = 'data:,not-an-image';
            document.body.append(img);
            setTimeout(() => resolve(window.__inline ?? null), 300);
        })"""
    )
    assert ran is None, f"inline code ran: {ran}"


def test_the_page_makes_no_third_party_request(page: Page, guard: Any) -> None:
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    page.route("**/api/llm/status", lambda r: r.fulfill(status=200, content_type="application/json",
                                                         body=json.dumps(CONFIGURED)))  # fmt: skip
    page.goto(share_link(crafted_flow()))
    wait_for_run(page)
    visit_every_view(page)
    page.goto("/?scenario=rag-pipeline&variant=error")  # a scenario with external APIs and a model
    wait_for_run(page)
    page.get_by_test_id("tab-analysis").click()
    assert seen, "no requests seen"
    hosts = {
        re.sub(r"^[a-z]+://([^/:]+).*$", r"\1", url) for url in seen if not url.startswith(("data:", "blob:"))
    }
    assert hosts == {"127.0.0.1"}, hosts
    assert guard.external_requests == []


def test_the_guard_aborts_and_reports_a_third_party_request(page: Page, guard: Any) -> None:
    """The conftest routes every request of the context: one to another host is aborted before it
    leaves (no DNS lookup, no connection) and reported, which fails the test that made it."""
    page.goto("/")
    with pytest.raises(Exception, match="ERR_BLOCKED_BY_CLIENT"):
        page.goto("https://third-party.invalid/tracker.js")
    assert guard.external_requests == ["https://third-party.invalid/tracker.js"]
    assert guard.problems() == ["request off loopback: https://third-party.invalid/tracker.js"]
    guard.external_requests.clear()  # seen and reported: this test made it on purpose
