"""``traceplay serve``: the web app on uvicorn."""

from __future__ import annotations

import importlib.util
import webbrowser

import typer

from traceplay.cli import app


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to bind; 0.0.0.0 exposes it to the network."),
    port: int = typer.Option(8000, min=0, max=65535, help="TCP port."),
    open_browser: bool = typer.Option(False, "--open", help="Open the page in a browser."),
) -> None:
    """Start the web app (http://127.0.0.1:8000 by default)."""
    if importlib.util.find_spec("traceplay.web.app") is None:
        typer.secho("The web app is not built yet: `serve` has nothing to start.", err=True, fg="red")
        raise typer.Exit(1)
    import uvicorn

    from traceplay.web.app import create_app

    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.secho(
            f"warning: binding {host} exposes traceplay to the network; it has no authentication.",
            err=True,
            fg="yellow",
        )
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    typer.echo(f"traceplay on {url}  (Ctrl+C to stop)")
    if open_browser:
        webbrowser.open(url)
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")
