"""Numbers and names as the findings write them. Every number in a finding's text goes through here,
computed from the trace: nothing is typed in."""

from __future__ import annotations

from collections.abc import Sequence


def ms(value: float) -> str:
    """A duration the way the waterfall shows it: 40 µs, 0.4 ms, 8.0 ms, 140 ms, 2.90 s, 12.5 s, 2.0 min."""
    if value == 0:
        return "0 ms"
    if value < 0.1:
        return f"{value * 1000:.0f} µs"
    if value >= 120_000:
        return f"{value / 60_000:.1f} min"
    if value >= 10_000:
        return f"{value / 1000:.1f} s"
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    if value >= 100:
        return f"{value:.0f} ms"
    return f"{value:.1f} ms"


def share(part: float, whole: float) -> float:
    return part / whole if whole > 0 else 0.0


def pct(part: float, whole: float) -> str:
    """``part`` as a percentage of ``whole``: "97 %", "<1 %"."""
    p = share(part, whole) * 100
    if 0 < p < 1:
        return "<1 %"
    return f"{p:.0f} %"


def count(n: int, word: str, plural: str | None = None) -> str:
    """``3 calls``, ``1 call``, ``12,000 spans``."""
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n:,} times"


def short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def chain(names: Sequence[str], limit: int = 6) -> str:
    """``A → B → C``; a long chain keeps its ends: ``A → B → C → … (99,995 more) → Y → Z``."""
    if len(names) <= limit:
        return " → ".join(names)
    head, tail = list(names[: limit - 2]), list(names[-2:])
    return " → ".join([*head, f"… ({len(names) - len(head) - len(tail):,} more)", *tail])


def listing(items: Sequence[str], limit: int = 4) -> str:
    """``A``, ``A and B``, ``A, B and C``, ``A, B, C and 7 more``."""
    items = list(items)
    if not items:
        return ""
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit:,} more"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]
