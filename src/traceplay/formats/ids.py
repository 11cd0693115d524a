"""Trace and span ids as real exporters write them, normalised to lower-case hex.

Accepted: hex of any case (``5B8EFFF7...``), shorter hex ids (64-bit Zipkin/Jaeger trace ids, ids
without leading zeros) which are left-padded, an optional ``0x`` prefix, and base64 as protobuf's
``json_format`` writes bytes (24 characters ending in ``==`` for a trace id, 12 ending in ``=`` for a
span id — lengths hex can never have, so the two readings cannot be confused).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

TRACE_HEX = 32
SPAN_HEX = 16
_HEX = frozenset("0123456789abcdef")
_SPAN_OK = re.compile("[0-9a-f]{16}").fullmatch
_TRACE_OK = re.compile("[0-9a-f]{32}").fullmatch
_trace_cache: dict[str, str] = {}  # a document repeats one trace id on every span


class BadId(ValueError):
    """The value is not an id; the message says why (the caller adds where)."""


def _parse(value: object, width: int, what: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:  # Jaeger's old numeric ids
        text = f"{value:x}"
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise BadId(f"{what} must be a hex string, got {type(value).__name__}")
    if not text:
        raise BadId(f"{what} is empty")
    lower = text.lower()
    if lower.startswith("0x"):
        lower = lower[2:]
    if lower and len(lower) <= width and _HEX.issuperset(lower):
        return lower.rjust(width, "0")
    b64_len = (width // 2 + 2) // 3 * 4  # 12 for a span id, 24 for a trace id
    if len(text) in (b64_len, b64_len - 1, b64_len - 2):
        try:
            raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) == width // 2:
            return raw.hex()
    raise BadId(f"{what} '{text[:40]}' is not a hex id of at most {width} digits")


def trace_id(value: object) -> str:
    """A trace id as 32 lower-case hex digits."""
    if type(value) is str:
        if _TRACE_OK(value):
            return value
        cached = _trace_cache.get(value)
        if cached is not None:
            return cached
        parsed = _parse(value, TRACE_HEX, "trace id")
        if len(_trace_cache) > 1000:
            _trace_cache.clear()
        _trace_cache[value] = parsed
        return parsed
    return _parse(value, TRACE_HEX, "trace id")


def span_id(value: object) -> str:
    """A span id as 16 lower-case hex digits."""
    if type(value) is str and _SPAN_OK(value):
        return value
    return _parse(value, SPAN_HEX, "span id")


def is_zero(hex_id: str) -> bool:
    return not hex_id.strip("0")


def derived_span_id(original: str, n: int, taken: set[str]) -> str:
    """A new, deterministic span id for the n-th extra occurrence of ``original`` (never one in use)."""
    salt = 0
    while True:
        text = f"{original}:{n}:{salt}".encode()
        candidate = hashlib.blake2b(text, digest_size=8).hexdigest()
        if candidate not in taken:
            return candidate
        salt += 1


def content_trace_id(*parts: object) -> str:
    """A deterministic trace id for documents that carry none (plain Chrome traces)."""
    text = "|".join(str(p) for p in parts).encode()
    return hashlib.blake2b(text, digest_size=16).hexdigest()
