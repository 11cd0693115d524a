"""The one exception tree of traceplay.

Core errors carry data (where the problem is: a file, a line, a node id, a field) and never an HTTP
code. The web layer maps them to the JSON error shape in one place (``web/errors.py``); the CLI prints
them on stderr and exits with code 2.

::

    TraceplayError                     base: code + message + details
     ├── FlowError                     a flow (built-in, custom or file) is not valid
     │    └── LoadError                a file could not be read or parsed (file, line)
     ├── NotFoundError                 an unknown template, component, node or variant id
     ├── SimulationError               a valid flow that cannot be simulated (too many spans)
     ├── TraceFormatError              a trace document that cannot be imported
     ├── ConfigError                   a TRACEPLAY_* variable with a bad value
     ├── EmitError                     a collector refused or never answered an OTLP push
     ├── QuizError                     a quiz answer for another question, or a damaged answer key
     └── LLMError                      the language model could not answer
          └── NeedsKeyError            no API key configured for the chosen provider
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, and where it is."""

    message: str
    loc: str = ""  # a path into the document: "nodes[3].component", "edges.e2"
    node_id: str | None = None
    edge_id: str | None = None
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message}
        if self.loc:
            out["loc"] = self.loc
        if self.node_id is not None:
            out["node_id"] = self.node_id
        if self.edge_id is not None:
            out["edge_id"] = self.edge_id
        if self.line is not None:
            out["line"] = self.line
        return out

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.loc:
            where.append(self.loc)
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class TraceplayError(Exception):
    message: str
    problems: list[Problem] = field(default_factory=list)
    source: str | None = None  # a file name or template id

    code = "error"

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        head = f"{self.source}: {self.message}" if self.source else self.message
        if not self.problems:
            return head
        lines = [head] + [f"  - {p}" for p in self.problems[:20]]
        if len(self.problems) > 20:
            lines.append(f"  ... and {len(self.problems) - 20} more")
        return "\n".join(lines)

    @property
    def details(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.source:
            out["source"] = self.source
        if self.problems:
            out["problems"] = [p.as_dict() for p in self.problems]
        return out


class FlowError(TraceplayError):
    code = "invalid_flow"


class LoadError(FlowError):
    code = "unreadable_file"


class NotFoundError(TraceplayError):
    code = "not_found"


class SimulationError(TraceplayError):
    code = "simulation_failed"


class TraceFormatError(TraceplayError):
    code = "invalid_trace"


class ConfigError(TraceplayError):
    code = "invalid_config"


class EmitError(TraceplayError):
    """The trace could not be delivered to the OTLP endpoint."""

    code = "emit_failed"


class QuizError(TraceplayError):
    code = "invalid_question"


class LLMError(TraceplayError):
    code = "llm_failed"


class NeedsKeyError(LLMError):
    code = "llm_needs_key"
