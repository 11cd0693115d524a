"""``traceplay analyze``: findings for a trace (filled in by the analysis work)."""

from __future__ import annotations

from traceplay.cli import app  # noqa: F401
