"""Pausing the cyclic garbage collector around big batch work (DESIGN.md, "Performance rules").

Simulation, analysis and imports allocate a few objects per span and free none until the end; on
100,000 spans the collector would rescan them again and again for nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

PAUSE_AT = 10_000  # items (spans, nodes) from which pausing pays


@contextmanager
def collector_paused(pause: bool = True) -> Iterator[None]:
    """Run a block with the collector off (and back on after, even on errors); a no-op when it was
    already off or ``pause`` is false."""
    if not pause or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
