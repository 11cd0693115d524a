"""``traceplay serve``: the web app on uvicorn."""

from __future__ import annotations

import importlib.util
import socket
import webbrowser

import typer

from traceplay.cli import app


def listen_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket for uvicorn. Created with ``IPPROTO_TCP`` explicitly: asyncio only sets
    TCP_NODELAY on connections accepted from such a socket, and without it Nagle's algorithm plus
    the client's delayed ACK add ~40 ms to every response sent as headers + body."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


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
    try:
        sock = listen_socket(host, port)
    except OSError as exc:
        typer.secho(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True, fg="red")
        if port:
            typer.secho(f"  is another server running? try --port {port + 1}", err=True)
        raise typer.Exit(2) from None
    port = sock.getsockname()[1]
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    typer.echo(f"traceplay on {url}  (Ctrl+C to stop)")
    if open_browser:
        webbrowser.open(url)
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning"))
    server.run(sockets=[sock])
