"""Reading trace files (I/O at the edge; the format converters in ``traceplay.formats`` never open one).

Big files are parsed with the garbage collector paused: a parse creates millions of objects that are
all still alive at the end, and every collection pass over them is wasted (DESIGN.md, performance).
Every error names the file.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from traceplay.config import Settings
from traceplay.domain.trace import Trace
from traceplay.errors import Problem, TraceFormatError
from traceplay.formats import load_trace


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run a block with the garbage collector off (and back on after, even on errors)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_bytes(path: str | Path, max_bytes: int) -> bytes:
    """A file's bytes, refusing files over ``max_bytes`` before reading them; ``-`` is stdin."""
    p = Path(path)
    name = str(path)
    if name == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise TraceFormatError(
                f"standard input holds more than {max_bytes:,} bytes",
                [Problem("raise TRACEPLAY_MAX_IMPORT_BYTES to import bigger files")],
                source="<stdin>",
            )
        return data
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise TraceFormatError(
                f"the file is {size:,} bytes; the limit is {max_bytes:,}",
                [Problem("raise TRACEPLAY_MAX_IMPORT_BYTES to import bigger files")],
                source=name,
            )
        return p.read_bytes()
    except FileNotFoundError:
        raise TraceFormatError("no such file", source=name) from None
    except IsADirectoryError:
        raise TraceFormatError("is a directory, not a trace file", source=name) from None
    except PermissionError:
        raise TraceFormatError("permission denied", source=name) from None
    except OSError as exc:
        raise TraceFormatError(exc.strerror or str(exc), source=name) from None


def load_trace_file(
    path: str | Path, settings: Settings | None = None, *, index: int | None = None
) -> tuple[Trace, str, int]:
    """One trace of a file in any supported format: (trace, format name, traces in the file).

    ``-`` reads standard input. Limits come from ``settings`` (max_import_bytes, max_spans)."""
    settings = settings or Settings()
    data = read_bytes(path, settings.max_import_bytes)
    name = "<stdin>" if str(path) == "-" else str(path)
    with gc_paused():
        return load_trace(
            data, name=name, index=index, max_spans=settings.max_spans, max_bytes=settings.max_import_bytes
        )


def read_trace_file(path: str | Path, settings: Settings | None = None, *, index: int | None = None) -> Trace:
    """The trace of a file in any supported format (the first, or the one at ``index``)."""
    return load_trace_file(path, settings, index=index)[0]
