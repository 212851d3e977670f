"""The identity-resolution agent: uncertain duplicate customers become supervised merge proposals."""

from agents.identity._actions import IDENTITY_ACTIONS
from agents.identity._agent import (
    AGENT,
    IDENTITY_RESOLUTION,
    IdentityInput,
    candidate_facts,
    matches_to_propose,
)
from agents.identity._facts import IdentityFacts

__all__ = [
    "AGENT",
    "IDENTITY_ACTIONS",
    "IDENTITY_RESOLUTION",
    "IdentityFacts",
    "IdentityInput",
    "candidate_facts",
    "matches_to_propose",
]
