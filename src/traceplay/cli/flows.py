"""Commands about components, scenarios and flows: components, templates, validate, simulate."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from traceplay.cli import app
from traceplay.cli.common import echo_json, parse_faults, resolve_flow
from traceplay.cli.formats import print_document
from traceplay.cli.table import render_trace
from traceplay.domain import catalogue
from traceplay.domain.simulate import simulate as run_simulation
from traceplay.domain.trace import Trace
from traceplay.loader import load_flow
from traceplay.templates import all_templates, summary


def emit_trace(trace: Trace, fmt: str) -> None:
    """Print a trace in one of the CLI's output formats."""
    if fmt == "table":
        render_trace(trace, Console(highlight=False))
        return
    echo_json(trace.model_dump(mode="json"))


@app.command()
def components(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the component catalogue by category."""
    if as_json:
        echo_json([c.as_dict() for c in catalogue.COMPONENTS])
        return
    table = Table("id", "name", "category", "latency", "mode", box=None)
    for _, label, comps in catalogue.by_category():
        for c in comps:
            table.add_row(c.id, f"{c.icon} {c.name}", label, f"{c.latency_ms:g} ms", c.mode)
    Console().print(table)


@app.command()
def templates(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the built-in scenarios with their variants."""
    flows = all_templates()
    if as_json:
        echo_json([summary(f) for f in flows])
        return
    table = Table("id", "name", "category", "variants", box=None)
    for f in flows:
        table.add_row(f.id, f.name, f.category, " · ".join(f.variants) or "success · slow · error")
    Console().print(table)


@app.command()
def validate(
    flow_file: str = typer.Argument(..., metavar="FLOW_FILE", help="A .json or .yaml flow file."),
) -> None:
    """Check a flow file; print what is wrong, with its place, or 'valid'."""
    flow = load_flow(flow_file)
    typer.echo(f"{flow_file}: valid — {len(flow.nodes)} nodes, {len(flow.edges)} edges")


@app.command()
def simulate(
    flow: str = typer.Argument(
        ..., metavar="FLOW", help="A flow file (.json/.yaml) or a built-in scenario id."
    ),
    variant: str = typer.Option("success", "--variant", "-v", help="success, slow or error."),
    fault: list[str] = typer.Option(None, "--fault", help="Inject a fault: NODE=slow|down|timeout|error."),
    seed: int = typer.Option(None, "--seed", help="Add ±10 % jitter, reproducibly."),
    fmt: str = typer.Option("json", "--format", "-f", help="json, table, otlp, jaeger, zipkin or chrome."),
) -> None:
    """Run one request through a flow and print its trace."""
    if fmt not in FORMATS:
        raise typer.BadParameter(f"choose one of: {', '.join(FORMATS)}", param_hint="--format")
    trace = run_simulation(resolve_flow(flow), variant, faults=parse_faults(fault), seed=seed)
    FORMATS[fmt](trace)


FORMATS = {
    "json": lambda t: emit_trace(t, "json"),
    "table": lambda t: emit_trace(t, "table"),
    "otlp": lambda t: print_document(t, "otlp"),
    "jaeger": lambda t: print_document(t, "jaeger"),
    "zipkin": lambda t: print_document(t, "zipkin"),
    "chrome": lambda t: print_document(t, "chrome"),
}
