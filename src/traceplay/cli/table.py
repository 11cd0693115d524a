"""A trace as a waterfall in the terminal: indentation by depth, bars on a time axis, errors in red,
work that goes on after the response marked."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from traceplay.domain.trace import Span, Trace

BAR_WIDTH = 44


def fmt_ms(ms: float) -> str:
    if ms >= 10_000:
        return f"{ms / 1000:.1f} s"
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    if ms >= 100:
        return f"{ms:.0f} ms"
    return f"{ms:.1f} ms"


def _bar(span: Span, total: float, response: float, width: int) -> Text:
    scale = width / total if total > 0 else 0.0
    start = min(int(span.start_ms * scale), width - 1)
    length = min(max(1, round(span.duration_ms * scale)), width - start)
    resp_col = min(int(response * scale), width - 1)
    text = Text()
    for col in range(width):
        after = col > resp_col
        if start <= col < start + length:
            style = "red" if span.status == "error" else ("magenta" if after else "cyan")
            text.append("▒" if after else "█", style=style)
        elif col == resp_col:
            text.append("┊", style="yellow")
        else:
            text.append("·", style="grey30")
    return text


def _notes(span: Span, trace: Trace) -> list[tuple[str, str]]:
    notes: list[tuple[str, str]] = []
    if span.status == "error":
        notes.append((f"✗ {span.error or 'error'}", "red"))
    if span.links:
        notes.append(("↝ async (follows from its parent)", "magenta"))
    if span.parent_id is not None and span.start_ms + span.duration_ms > trace.response_ms + 1e-9:
        notes.append(("still running after the response was sent", "magenta"))
    if span.attributes.get("traceplay.orphaned"):
        notes.append(("orphaned: the caller gave up waiting", "yellow"))
    for event in span.events:
        if event.name in ("retry", "timeout", "error handled"):
            target = event.attributes.get("target", "")
            notes.append((f"{event.name} {target} at {fmt_ms(event.time_ms)}", "yellow"))
    return notes


def render_trace(trace: Trace, console: Console) -> None:
    total = trace.duration_ms or 1.0
    title = f"{trace.flow or 'trace'} · {trace.variant or ''}".strip(" ·")
    status = Text("ERROR", style="bold red") if trace.status == "error" else Text("OK", style="bold green")
    console.print(
        Text.assemble(
            (title, "bold"),
            "  ",
            status,
            f"  response {fmt_ms(trace.response_ms)}",
            f"  ·  trace ends {fmt_ms(trace.duration_ms)}",
            f"  ·  {len(trace.spans)} spans",
        )
    )
    rows = list(trace.walk())
    labels = []
    for span, depth in rows:
        label = Text("  " * min(depth, 12) + ("… " if depth > 12 else ""))
        label.append(span.service, style="bold red" if span.status == "error" else "bold")
        label.append(f"  {span.operation}", style="dim")
        labels.append(label)
    width = max(console.width, 60)
    label_w = min(max((len(t) for t in labels), default=10), int(width * 0.42))
    bar_w = max(12, width - label_w - 20)
    axis = Text(" " * (label_w + 18) + "0", style="dim")
    axis.append(fmt_ms(total).rjust(bar_w - 1), style="dim")
    console.print(axis, no_wrap=True, overflow="crop")
    for (span, depth), label in zip(rows, labels, strict=True):
        label.truncate(label_w, overflow="ellipsis", pad=True)
        line = Text.assemble(
            label,
            " ",
            fmt_ms(span.start_ms).rjust(8),
            " ",
            fmt_ms(span.duration_ms).rjust(8),
            " ",
            _bar(span, total, trace.response_ms, bar_w),
        )
        console.print(line, no_wrap=True, overflow="crop")
        indent = " " * min(2 * depth + 2, label_w)
        for note, style in _notes(span, trace):
            console.print(Text(indent + note, style=style), no_wrap=True, overflow="ellipsis")
    console.print(Text("┊ response sent   █ span   ▒ after the response   red: error", style="dim"))
