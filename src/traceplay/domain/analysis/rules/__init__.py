"""The registry of analysis rules: a tuple the analyzer iterates, in the order findings are drafted.

A new rule is a module with a ``RULE`` (see ``analysis/rule.py``) added here — and to docs/analysis.md,
which a test checks.
"""

from __future__ import annotations

from traceplay.domain.analysis.rule import Rule
from traceplay.domain.analysis.rules import (
    after_response,
    cache,
    critical_path,
    error_origin,
    external,
    fan_out,
    queue_wait,
    repeated_calls,
    retries,
    sequential_calls,
    timeouts,
)

RULES: tuple[Rule, ...] = (
    critical_path.RULE,
    error_origin.RULE,
    after_response.RULE,
    timeouts.RULE,
    retries.RULE,
    external.RULE,
    repeated_calls.RULE,
    sequential_calls.RULE,
    fan_out.RULE,
    cache.RULE,
    queue_wait.RULE,
)
