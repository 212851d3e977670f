"""The identity-resolution agent: uncertain duplicate customers become supervised merge proposals."""

from agents.identity._agent import (
    AGENT,
    IDENTITY_ACTIONS,
    IdentityResolutionAgent,
    IdentityRun,
    build_identity_agent,
    candidate_facts,
)

__all__ = [
    "AGENT",
    "IDENTITY_ACTIONS",
    "IdentityResolutionAgent",
    "IdentityRun",
    "build_identity_agent",
    "candidate_facts",
]
