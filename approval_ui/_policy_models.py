"""What the policy endpoints of the JSON API take and return."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from supervision import PolicyStore, PolicyVersionInfo


class PolicyOut(BaseModel):
    """An agent's policy in force, with every version so far (newest first, version 0 the file)."""

    model_config = ConfigDict(frozen=True)

    agent: str
    version: int
    label: str = Field(description="How gate decisions name this version, e.g. `v3:1a2b3c4d5e6f`.")
    text: str = Field(description="The policy YAML.")
    history: list[PolicyVersionInfo]


class PolicyTextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=PolicyStore.MAX_TEXT_CHARS, description="The candidate policy YAML.")


class PolicyChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=PolicyStore.MAX_TEXT_CHARS, description="The new policy YAML.")
    reason: str = Field(max_length=PolicyStore.MAX_REASON_CHARS, description="Why the policy changes; required.")
    expected_version: int = Field(
        ge=0,
        le=1_000_000,
        description="The version the change is based on (0: the policy file). A newer saved version is a conflict.",
    )


PolicyRefusal = Literal["invalid_policy", "invalid_change", "conflict", "csrf", "what_if_budget"]


class PolicyRefusedOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    detail: str
    code: PolicyRefusal
    line: int | None = Field(default=None, description="The line of the policy YAML the problem is on, if known.")
    current_version: int | None = Field(default=None, description="On a conflict: the version saved meanwhile.")
