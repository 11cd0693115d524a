"""The command line: ``traceplay COMMAND``. Thin: parse input, call the core, print the output.

JSON goes to stdout; errors go to stderr as one readable message with exit code 2, never a traceback.
Each module below registers its commands on ``app``.
"""

from __future__ import annotations

import sys

import typer

from traceplay.errors import TraceplayError

app = typer.Typer(
    name="traceplay",
    help="An interactive distributed-tracing simulator for learning.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# registration: importing a module adds its commands to `app`
from traceplay.cli import analyze as _analyze  # noqa: E402,F401
from traceplay.cli import flows as _flows  # noqa: E402,F401
from traceplay.cli import formats as _formats  # noqa: E402,F401
from traceplay.cli import serve as _serve  # noqa: E402,F401


def main() -> None:
    try:
        app()
    except TraceplayError as exc:
        typer.secho(f"error: {exc}", err=True, fg="red")
        sys.exit(2)
