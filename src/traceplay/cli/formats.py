"""``traceplay convert`` and ``traceplay emit``: real trace formats in and out.

``convert IN --to FORMAT`` reads a trace file in any supported format (detected) and writes it in
another; ``emit FLOW|ID`` simulates a request and pushes its trace to an OTLP/HTTP collector.
"""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import typer

from traceplay.cli import app
from traceplay.cli.common import parse_faults, resolve_flow
from traceplay.config import load_settings
from traceplay.domain.simulate import simulate as run_simulation
from traceplay.domain.trace import Trace
from traceplay.errors import LoadError
from traceplay.formats import EXPORT_FORMATS, dump_trace
from traceplay.tracefile import gc_paused, load_trace_file

FORMAT_HELP = (
    "otlp (OTLP JSON), jaeger (Jaeger UI JSON), zipkin (Zipkin v2) or chrome (Perfetto trace events)."
)


def document_bytes(trace: Trace, fmt: str) -> bytes:
    """A trace as an indented JSON document of the named format, ending with a newline."""
    if fmt not in EXPORT_FORMATS:
        raise typer.BadParameter(f"choose one of: {', '.join(EXPORT_FORMATS)}", param_hint="--to")
    with gc_paused():
        return orjson.dumps(dump_trace(trace, fmt), option=orjson.OPT_INDENT_2) + b"\n"


def print_document(trace: Trace, fmt: str) -> None:
    """Print a trace as an OTLP / Jaeger / Zipkin / Chrome document on stdout."""
    sys.stdout.buffer.write(document_bytes(trace, fmt))
    sys.stdout.flush()


@app.command()
def convert(
    source: str = typer.Argument(
        ..., metavar="IN", help="A trace file in any supported format; - reads stdin."
    ),
    to: str = typer.Option(..., "--to", "-t", help=FORMAT_HELP),
    output: Path = typer.Option(None, "--output", "-o", help="Write here instead of stdout."),
    index: int = typer.Option(None, "--index", "-i", min=0, help="Which trace of a file holding several."),
) -> None:
    """Convert a trace file (OTLP JSON / JSON Lines, Jaeger, Zipkin, Chrome, traceplay) to another format."""
    if to not in EXPORT_FORMATS:
        raise typer.BadParameter(f"choose one of: {', '.join(EXPORT_FORMATS)}", param_hint="--to")
    trace, fmt, count = load_trace_file(source, load_settings(), index=index)
    data = document_bytes(trace, to)
    picked = index or 0
    note = f" (trace {picked} of {count}; pick another with --index)" if count > 1 else ""
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        if note:
            typer.echo(f"{source}: {fmt}{note}", err=True)
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise LoadError(exc.strerror or str(exc), source=str(output)) from None
    typer.echo(f"{source} ({fmt}, {len(trace.spans):,} spans){note} → {output} ({to})", err=True)


@app.command()
def emit(
    flow: str = typer.Argument(
        ..., metavar="TEMPLATE_ID|FLOW_FILE", help="A built-in scenario id or a flow file."
    ),
    variant: str = typer.Option("success", "--variant", "-v", help="success, slow or error."),
    endpoint: str = typer.Option(
        "http://127.0.0.1:4318",
        "--endpoint",
        "-e",
        help="OTLP/HTTP endpoint (a Collector, Jaeger, Tempo ...).",
    ),
    fault: list[str] = typer.Option(None, "--fault", help="Inject a fault: NODE=slow|down|timeout|error."),
    seed: int = typer.Option(None, "--seed", help="Add ±10 % jitter, reproducibly."),
    header: list[str] = typer.Option(None, "--header", "-H", help="An extra HTTP header, NAME=VALUE."),
) -> None:
    """Simulate one request and send its trace to an OpenTelemetry collector over OTLP/HTTP protobuf.

    Timestamps are moved so that the trace ends now and it gets a fresh trace id, so it shows up in
    the backend's search (e.g. Jaeger UI on http://127.0.0.1:16686)."""
    from traceplay.emit import emit as push  # httpx and protobuf load only for this command

    settings = load_settings()
    headers = {}
    for item in header or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"'{item}': expected NAME=VALUE", param_hint="--header")
        headers[name.strip()] = value.strip()
    trace = run_simulation(
        resolve_flow(flow), variant, faults=parse_faults(fault), seed=seed, max_spans=settings.max_spans
    )
    result = push(trace, endpoint, timeout_s=settings.otlp_timeout_s, headers=headers)
    typer.echo(
        f"sent {result.spans} spans ({result.bytes:,} bytes) to {result.url}: trace {result.trace_id} "
        f"({trace.flow} · {variant}, {trace.status}, {trace.response_ms:g} ms)"
    )
