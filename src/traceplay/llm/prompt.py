"""The prompt: a bounded summary of the trace and the rule-based findings, and the instruction to
explain and prioritise them — not to invent numbers.

Everything the model sees is computed (by ``analyze`` and from the trace); a 100,000-span trace gives
a prompt of the same size as a 10-span one: lists are capped, long texts cut, and the whole user
message stays under ``MAX_PROMPT_CHARS``.
"""

from __future__ import annotations

import heapq
from collections import Counter

from traceplay.domain.analysis import Analysis
from traceplay.domain.analysis.text import chain, ms, short
from traceplay.domain.trace import Trace
from traceplay.llm.base import Message

MAX_PROMPT_CHARS = 12_000
MAX_LINE = 500
TOP_SPANS = 8
TOP_SERVICES = 15

SYSTEM = """\
You are a senior engineer teaching a developer to read a distributed trace.
You are given a summary of one trace and the findings a rule-based analyzer computed from it.
Explain what happened in plain words, then prioritise: what to fix first and why, what can wait.
Rules:
- Use only the numbers, spans and services given. Never invent measurements, names or causes; if the
  data does not say, say that it does not.
- Refer to findings by their title; do not repeat them word for word.
- Be concrete (a config, a code pattern, a metric to add) and short: at most 250 words.
Answer in Markdown with three sections: "What happened", "Fix first", "Also worth knowing"."""


def build_messages(trace: Trace, analysis: Analysis, *, max_chars: int = MAX_PROMPT_CHARS) -> list[Message]:
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": summary(trace, analysis, max_chars=max_chars)},
    ]


def summary(trace: Trace, analysis: Analysis, *, max_chars: int = MAX_PROMPT_CHARS) -> str:
    """The trace and its analysis as bounded plain text, most important first."""
    lines: list[str] = []
    by_id = {s.span_id: s for s in trace.spans}

    def span_text(span_id: str | None) -> str:
        s = by_id.get(span_id or "")
        return f"{s.service} ({short(s.operation, 60)})" if s is not None else "none"

    where = f"scenario {analysis.flow}, variant {analysis.variant}" if analysis.flow else "an imported trace"
    lines.append(f"Trace {trace.trace_id} ({where}).")
    lines.append(
        f"Caller saw: {analysis.status}, response {ms(analysis.response_ms)}; trace ends at "
        f"{ms(analysis.duration_ms)}; {len(trace.spans):,} spans; overall severity {analysis.severity}."
    )
    lines.append(f"Headline: {analysis.headline}")
    path = [by_id[i].service for i in analysis.critical_path if i in by_id]
    if path:
        lines.append(f"Critical path ({len(path):,} spans): {chain(path, 8)}.")
    lines.append(
        f"Bottleneck: {span_text(analysis.bottleneck)}. Error origin: {span_text(analysis.error_origin)}."
    )
    services = Counter(s.service for s in trace.spans)
    top = ", ".join(f"{name} ×{n:,}" for name, n in services.most_common(TOP_SERVICES))
    more = f" and {len(services) - TOP_SERVICES:,} more" if len(services) > TOP_SERVICES else ""
    lines.append(f"Services ({len(services):,}): {top}{more}.")
    lines.append("")
    lines.append(f"Findings ({len(analysis.findings)}), most serious first:")
    for f in analysis.findings:
        text = f"- [{f.severity}] {f.title}: {f.detail}"
        if f.fix:
            text += f" Suggested fix: {f.fix}"
        lines.append(short(text, MAX_LINE))
    lines.append("")
    lines.append(f"Slowest spans (of {len(trace.spans):,}):")
    for s in heapq.nlargest(TOP_SPANS, trace.spans, key=lambda s: s.duration_ms):
        status = f", error: {short(s.error or 'error', 120)}" if s.status == "error" else ""
        lines.append(f"- {s.service} ({short(s.operation, 60)}): {ms(s.duration_ms)}{status}")
    failing = [s for s in trace.spans if s.status == "error"]
    if failing:
        lines.append(f"Failing spans ({len(failing):,}):")
        for s in failing[:TOP_SPANS]:
            lines.append(
                f"- {s.service} ({short(s.operation, 60)}) at {ms(s.start_ms)}: {short(s.error or '', 160)}"
            )
    if analysis.tips or analysis.fixes:
        lines.append("Scenario notes: " + short(" ".join(analysis.tips + analysis.fixes), MAX_LINE))
    return _bounded(lines, max_chars)


def _bounded(lines: list[str], max_chars: int) -> str:
    out: list[str] = []
    used = 0
    for k, line in enumerate(lines):
        if used + len(line) + 1 > max_chars - 60:
            out.append(f"(… {len(lines) - k} more lines left out to keep this short)")
            break
        out.append(line)
        used += len(line) + 1
    return "\n".join(out)
