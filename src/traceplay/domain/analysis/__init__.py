"""Trace analysis: the critical path, where an error started, and the classic pitfalls — for any trace,
simulated or imported. Pure functions on plain data: no I/O (see ``traceplay.domain``).

``analyze(trace, flow=None, variant=None) -> Analysis`` runs every rule of ``RULES`` (one small module
each under ``rules/``) over one shared ``TraceIndex`` and merges a built-in scenario's authored
content. docs/analysis.md lists the rules and their thresholds.
"""

from __future__ import annotations

from traceplay.domain.analysis.analyze import analyze
from traceplay.domain.analysis.model import Analysis, Finding
from traceplay.domain.analysis.rules import RULES

__all__ = ["RULES", "Analysis", "Finding", "analyze"]
