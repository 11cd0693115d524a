"""``traceplay analyze TRACE_FILE|TEMPLATE_ID``: the analysis of a trace, as JSON or a readable report.

TRACE_FILE is a trace in the Trace contract (what ``traceplay simulate`` prints) or in any format the
importers read (OTLP, Jaeger, Zipkin, Chrome); ``-`` reads stdin. TEMPLATE_ID runs the built-in
scenario in ``--variant`` first. A trace that came from a built-in scenario gets that scenario's
teaching content too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from traceplay.cli import app
from traceplay.cli.common import echo_json
from traceplay.cli.table import fmt_ms
from traceplay.config import load_settings
from traceplay.domain.analysis import Analysis, analyze
from traceplay.domain.analysis.text import listing
from traceplay.domain.flow import Flow
from traceplay.domain.simulate import simulate
from traceplay.domain.trace import Trace
from traceplay.errors import NotFoundError, Problem, TraceFormatError
from traceplay.formats import load_trace
from traceplay.templates import get_template, template_ids
from traceplay.tracefile import gc_paused, read_bytes

SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}


def read_trace(path: str) -> Trace:
    """A trace file (or ``-`` for stdin): the Trace contract, or any format the importers read
    (OTLP JSON / JSON Lines, Jaeger, Zipkin v2, Chrome trace events)."""
    settings = load_settings()
    data = read_bytes(path, settings.max_import_bytes)
    with gc_paused():  # a big document parses several times faster without the collector
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError:
            doc = None  # maybe JSON Lines: the importers know
        if isinstance(doc, dict) and "nodes" in doc and "spans" not in doc:
            raise TraceFormatError(
                "this is a flow, not a trace",
                [Problem(f"simulate it first: traceplay simulate {path} > trace.json")],
                source=path,
            )
        if isinstance(doc, dict) and "trace_id" in doc:  # the Trace contract (importers use traceID...)
            try:
                return Trace.model_validate(doc)
            except ValidationError as exc:
                problems = [Problem(e["msg"], _loc(e["loc"])) for e in exc.errors()[:20]]
                raise TraceFormatError("not a trace in the Trace contract", problems, source=path) from None
        name = "<stdin>" if path == "-" else path
        return load_trace(data, name=name, max_spans=settings.max_spans, max_bytes=settings.max_import_bytes)[
            0
        ]


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def scenario_of(trace: Trace) -> Flow | None:
    """The built-in scenario a trace came from, when its spans are that scenario's nodes."""
    if trace.flow is None or trace.flow not in template_ids():
        return None
    flow = get_template(trace.flow)
    nodes = {n.id for n in flow.nodes}
    if all(s.node_id in nodes for s in trace.spans):
        return flow
    return None


def resolve(ref: str, variant: str | None) -> tuple[Trace, Flow | None]:
    """The trace to analyse, and the flow it came from when known."""
    path = Path(ref)
    if ref == "-" or path.suffix.lower() in (".json", ".jsonl") or path.exists():
        trace = read_trace(ref)
        return trace, scenario_of(trace)
    if ref in template_ids():
        flow = get_template(ref)
        return simulate(flow, variant or "success"), flow
    raise NotFoundError(
        f"'{ref}' is neither a trace file nor a built-in scenario",
        [Problem("give a .json trace (traceplay simulate ID > trace.json) or run `traceplay templates`")],
    )


@app.command("analyze")
def analyze_command(
    ref: str = typer.Argument(
        ..., metavar="TRACE_FILE|TEMPLATE_ID", help="A .json trace ('-' reads stdin) or a scenario id."
    ),
    variant: str = typer.Option(None, "--variant", "-v", help="The scenario's variant (default: success)."),
    fmt: str = typer.Option("text", "--format", "-f", help="text (a readable report) or json."),
) -> None:
    """Analyse a trace: critical path, bottleneck, error origin, findings with tips and fixes."""
    if fmt not in ("json", "text"):
        raise typer.BadParameter("choose json or text", param_hint="--format")
    trace, flow = resolve(ref, variant)
    analysis = analyze(trace, flow, variant)
    if fmt == "json":
        echo_json(analysis.model_dump(mode="json"))
    else:
        render_report(trace, analysis, Console(highlight=False))


def render_report(trace: Trace, analysis: Analysis, console: Console) -> None:
    """The analysis for a terminal: headline, the path, then findings with their tips and fixes."""
    by_id = {s.span_id: s for s in trace.spans}

    def name(span_id: str | None) -> str:
        s = by_id.get(span_id or "")
        return s.service if s is not None else "—"

    where = f"{analysis.flow} · {analysis.variant}" if analysis.flow else "trace"
    console.print(Text(f"{where}  ·  trace {analysis.trace_id}", style="bold"))
    head = Text()
    head.append(f" {analysis.severity.upper()} ", style=f"reverse {SEVERITY_STYLE[analysis.severity]}")
    head.append(f" {analysis.headline}")
    console.print(head)
    console.print(
        f"[dim]status {analysis.status} · response {fmt_ms(analysis.response_ms)} · trace ends "
        f"{fmt_ms(analysis.duration_ms)} · {len(trace.spans):,} spans[/dim]"
    )
    path = listing([name(i) for i in analysis.critical_path], 8)
    console.print(f"[dim]critical path ({len(analysis.critical_path):,} spans):[/dim] {escape(path or '—')}")
    console.print(
        f"[dim]bottleneck:[/dim] {escape(name(analysis.bottleneck))}   "
        f"[dim]error origin:[/dim] {escape(name(analysis.error_origin))}"
    )
    console.print()
    console.print(Text(f"Findings ({len(analysis.findings)})", style="bold underline"))
    for f in analysis.findings:
        style = SEVERITY_STYLE[f.severity]
        line = Text("● ", style=style)
        line.append(f"{f.severity.upper():9}", style=style)
        line.append(f.title, style="bold")
        if f.source == "scenario":
            line.append("  (scenario)", style="dim")
        console.print(line)
        body = [Text(f.detail)]
        if f.tip:
            body.append(Text.assemble(("tip: ", "dim"), f.tip))
        if f.fix:
            body.append(Text.assemble(("fix: ", "green"), f.fix))
        for part in body:
            console.print(Padding(part, (0, 0, 0, 2), expand=False))
    for title, items in (("Tips", analysis.tips), ("Fixes", analysis.fixes)):
        if items:
            console.print()
            console.print(Text(title, style="bold underline"))
            for item in items:
                console.print(Text.assemble(("• ", "green" if title == "Fixes" else "cyan"), item))
