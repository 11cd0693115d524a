"""``traceplay convert`` and ``traceplay emit``: real trace formats (filled in by the formats work)."""

from __future__ import annotations

from traceplay.cli import app  # noqa: F401
