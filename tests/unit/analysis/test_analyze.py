"""The Analysis contract, ordering, ids, scenario merging and imported traces."""

from __future__ import annotations

import orjson
import pytest

from tests.unit.analysis.tracekit import finding, run, span, trace
from tests.unit.flowkit import edge, flow, node
from traceplay.domain.analysis import RULES, Analysis, analyze
from traceplay.domain.analysis.model import SEVERITY_RANK
from traceplay.domain.analysis.rule import MAX_SPAN_IDS
from traceplay.domain.simulate import simulate
from traceplay.domain.trace import Trace
from traceplay.templates import get_template

CONTRACT_KEYS = {
    "trace_id", "flow", "variant", "severity", "headline", "response_ms", "duration_ms", "status",
    "critical_path", "bottleneck", "error_origin", "findings", "tips", "fixes",
}  # fmt: skip
FINDING_KEYS = {"id", "rule", "severity", "title", "detail", "span_ids", "node_ids", "tip", "fix", "source"}


def _busy() -> Analysis:
    return run(
        span("api", dur=3000, status="error", error="500"),
        *[span(f"q{i}", "api", 10 + 12 * i, 12, service="db", op=f"SELECT {i}") for i in range(6)],
        span("pay", "api", 100, 2800, status="error", error="503", component="stripe"),
        span("job", "api", 50, 4000, kind="consumer", follows=True),
    )


def test_the_json_has_exactly_the_contract_fields() -> None:
    data = orjson.loads(orjson.dumps(_busy().model_dump(mode="json")))
    assert set(data) == CONTRACT_KEYS
    assert data["findings"] and all(set(f) == FINDING_KEYS for f in data["findings"])
    assert data["severity"] == "critical" and data["status"] == "error"


def test_findings_are_ordered_by_severity_then_impact_with_unique_ids() -> None:
    a = _busy()
    ranks = [SEVERITY_RANK[f.severity] for f in a.findings]
    assert ranks == sorted(ranks)
    ids = [f.id for f in a.findings]
    assert len(ids) == len(set(ids))
    assert a.severity == a.findings[0].severity


def test_numbers_come_from_the_trace() -> None:
    fast = run(span("a", dur=100), span("b", "a", 10, 60))
    slow = run(span("a", dur=1234), span("b", "a", 10, 1100))
    assert "100 ms" in fast.findings[-1].title and "1.23 s" in slow.findings[-1].title
    assert "1.10 s" in finding(slow, "bottleneck").title


def test_an_empty_trace_is_analysed_not_crashed() -> None:
    a = analyze(Trace(trace_id="e" * 32, response_ms=0, duration_ms=0, status="ok", spans=[]))
    assert a.critical_path == [] and a.bottleneck is None and a.error_origin is None
    assert a.headline == "The trace has no spans." and [f.id for f in a.findings] == ["critical-path"]


def test_an_imported_trace_without_nodes_or_components_works() -> None:
    a = run(
        span("root", dur=500, kind="server"),
        span("db", "root", 10, 400, kind="client", attrs={"db.system": "postgresql"}, op="SELECT 1"),
    )
    assert a.flow is None and a.bottleneck == "db"
    assert all(f.node_ids == [] for f in a.findings)
    assert "EXPLAIN" in (finding(a, "bottleneck").fix or "")  # a store, from its attributes


def test_every_finding_names_spans_of_the_trace_and_caps_them() -> None:
    spans = [span("p", dur=10_000)] + [
        span(f"c{i}", "p", 0, 9_000, service="svc", op="GET /x") for i in range(1500)
    ]
    a = run(*spans)
    ids = {s.span_id for s in spans}
    for f in a.findings:
        assert set(f.span_ids) <= ids and len(f.span_ids) <= MAX_SPAN_IDS


def test_every_rule_has_an_id_title_and_topic() -> None:
    assert len({r.id for r in RULES}) == len(RULES) >= 11
    assert all(r.title and r.topic for r in RULES)


def test_a_rule_registry_can_be_narrowed() -> None:
    a = analyze(trace(span("a", dur=10)), rules=())
    assert a.findings == [] and a.severity == "info" and a.critical_path == ["a"]


# ------------------------------------------------------------------ scenario content


def test_authored_findings_tips_and_fixes_are_merged_and_mapped_to_spans() -> None:
    f = get_template("simple")
    t = simulate(f, "slow")
    a = analyze(t, f)
    variant = f.variants["slow"]
    authored = [x for x in a.findings if x.source == "scenario"]
    assert [x.title for x in authored] == [x.title for x in variant.findings]
    db_spans = [s.span_id for s in t.spans if s.node_id == "db"]
    assert authored[0].span_ids == db_spans and authored[0].node_ids == ["db"]
    assert authored[0].rule == "scenario" and authored[0].id == "scenario-1"
    assert a.tips == variant.tips and a.fixes == variant.fixes


def test_a_rule_finding_an_authored_one_already_says_is_dropped() -> None:
    f = get_template("simple")
    t = simulate(f, "slow")
    with_scenario = analyze(t, f)
    without = analyze(t)
    # the bottleneck (PostgreSQL holds 97 % ...) is authored: the rule's own bottleneck finding goes
    assert any(x.id == "bottleneck" for x in without.findings)
    assert not any(x.id == "bottleneck" for x in with_scenario.findings)
    # the critical-path summary is about the whole trace: it always stays
    assert any(x.id == "critical-path" for x in with_scenario.findings)


def test_a_rule_finding_on_another_topic_stays() -> None:
    fl = flow(
        [node("api", "backend", 20), node("pay", "stripe", 1800)],
        [edge("api", "pay")],
        variants={"success": {"findings": [{"title": "Stripe holds 99 % of the request", "nodes": ["pay"]}]}},
    )
    a = analyze(simulate(fl), fl)
    assert any(x.rule == "external_dependency" for x in a.findings)  # the timeout lesson is not authored
    assert not any(x.id == "bottleneck" for x in a.findings)  # the latency lesson is


@pytest.mark.parametrize("variant", ["success", "nope"])
def test_variants_without_authored_content_add_nothing(variant: str) -> None:
    fl = flow([node("a"), node("b")], [edge("a", "b")])
    a = analyze(simulate(fl), fl, variant)
    assert a.tips == [] and a.fixes == [] and all(x.source == "rule" for x in a.findings)
    assert a.variant == variant and a.flow == "t"
