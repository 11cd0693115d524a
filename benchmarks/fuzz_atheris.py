"""Coverage-guided fuzzing of the importers with atheris (libFuzzer), for long runs outside the tests.

    .venv/bin/pip install atheris                      # not a project dependency
    .venv/bin/python benchmarks/fuzz_atheris.py trace -max_total_time=3600
    .venv/bin/python benchmarks/fuzz_atheris.py flow -runs=200000
    .venv/bin/python benchmarks/fuzz_atheris.py trace artifacts/fuzz/trace-crashes/crash-...   # replay

Targets: ``trace`` feeds bytes to ``traceplay.formats.load_trace`` (every format, detected); ``flow``
feeds text to ``traceplay.loader.flow_from_text`` as YAML or JSON (the first byte picks). A clear
``TraceplayError`` of the target's family is the expected answer to bad input; any other exception
is a crash that libFuzzer saves. Every input is bounded: ``-timeout=5`` seconds and
``-rss_limit_mb=2048`` unless given, ``-max_len`` 64 KiB. The corpus starts from the real fixtures in
tests/fixtures/traces, simulated traces in every format and the 43 built-in scenarios, and grows in
artifacts/fuzz/<target>-corpus; crashes go to artifacts/fuzz/<target>-crashes/.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from traceplay.errors import FlowError, TraceFormatError
    from traceplay.formats import load_trace
    from traceplay.loader import flow_from_text

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "artifacts" / "fuzz"
DEFAULTS = ("-timeout=5", "-rss_limit_mb=2048", "-max_len=65536")


def fuzz_trace(data: bytes) -> None:
    with contextlib.suppress(TraceFormatError):  # the expected answer to bad input
        load_trace(data, name="fuzz.json")


def fuzz_flow(data: bytes) -> None:
    if not data:
        return
    name = "fuzz.json" if data[0] & 1 else "fuzz.yaml"
    with contextlib.suppress(FlowError):
        flow_from_text(data[1:].decode("utf-8", "replace"), name)


TARGETS = {"trace": fuzz_trace, "flow": fuzz_flow}


def seed_corpus(target: str, corpus: Path) -> None:
    """Write the seeds once: real files, simulated exports, built-in scenarios."""
    if corpus.exists() and any(corpus.iterdir()):
        return
    corpus.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    from tests import fuzzkit

    if target == "trace":
        for i, (_, data) in enumerate(fuzzkit.trace_files()):
            (corpus / f"seed-{i:03d}").write_bytes(data)
    else:
        for i, (name, text) in enumerate(fuzzkit.flow_texts()):
            marker = b"\x01" if name.endswith(".json") else b"\x00"
            (corpus / f"seed-{i:03d}").write_bytes(marker + text.encode())


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(TARGETS)}}} [libFuzzer options] [files or corpus dirs]")
    target, rest = sys.argv[1], sys.argv[2:]
    corpus = OUT / f"{target}-corpus"
    crashes = OUT / f"{target}-crashes"
    crashes.mkdir(parents=True, exist_ok=True)
    replay = [a for a in rest if not a.startswith("-")]
    options = [a for a in rest if a.startswith("-")]
    for default in DEFAULTS:
        if not any(o.split("=")[0] == default.split("=")[0] for o in options):
            options.append(default)
    if not any(o.startswith("-artifact_prefix=") for o in options):
        options.append(f"-artifact_prefix={crashes}/")
    if not replay:
        seed_corpus(target, corpus)
        replay = [str(corpus)]
    atheris.Setup([sys.argv[0], *options, *replay], TARGETS[target])
    atheris.Fuzz()


if __name__ == "__main__":
    main()
