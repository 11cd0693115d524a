"""Transport models: what the HTTP API reads and writes, where it differs from the core models.

Responses are written as orjson bytes; the response models here document them in OpenAPI.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from traceplay.domain.flow import Flow

FaultName = Literal["slow", "down", "timeout", "error"]


class ErrorDetail(BaseModel):
    code: str = Field(description="machine-readable, e.g. invalid_flow, not_found, body_too_large")
    message: str = Field(description="one sentence naming what is wrong and where")
    details: dict[str, Any] = Field(description="problems: [{loc, message, node_id?, edge_id?, line?}] ...")


class ErrorOut(BaseModel):
    error: ErrorDetail


class CategoryOut(BaseModel):
    id: str
    label: str


class ComponentOut(BaseModel):
    id: str
    name: str
    category: str
    icon: str
    latency_ms: float
    mode: Literal["sync", "async"]
    role: str
    description: str
    attributes: dict[str, str]


class ComponentsOut(BaseModel):
    categories: list[CategoryOut]
    components: list[ComponentOut]


class VariantSummary(BaseModel):
    id: str
    title: str
    summary: str
    severity: Literal["info", "warning", "critical"]


class TemplateSummary(BaseModel):
    id: str
    name: str
    category: str
    description: str
    variants: list[VariantSummary]


class SimulateIn(BaseModel):
    """One request to run: a built-in (``template``) or a flow document (``flow``), never both."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"template": "redis-cache", "variant": "error"},
                {"template": "redis-cache", "variant": "success", "faults": {"db": "timeout"}},
            ]
        },
    )

    template: str | None = Field(default=None, description="id of a built-in scenario")
    flow: dict[str, Any] | None = Field(default=None, description="a Flow document (GET /api/schema/flow)")
    variant: str = Field(default="success", max_length=100, description="success, slow, error ...")
    faults: dict[str, FaultName] = Field(default_factory=dict, description="node id -> injected fault")
    seed: StrictInt | None = Field(default=None, description="adds ±10 % jitter, reproducibly")

    @model_validator(mode="after")
    def _one_source(self) -> SimulateIn:
        if (self.template is None) == (self.flow is None):
            raise ValueError("give either 'template' (a built-in id) or 'flow' (a flow document), not both")
        return self


class ValidateOut(BaseModel):
    valid: Literal[True]
    flow: Flow
