"""The part of a graph's state that the supervised-action step reads and writes.

Values are plain JSON (pydantic models dumped with ``mode="json"``) so every checkpointer can store
them and a paused thread can be resumed by another process or another version of the code.
"""

from __future__ import annotations

from typing import TypedDict

from core import JsonObject


class SupervisedState(TypedDict, total=False):
    thread_id: str
    """The LangGraph thread this run lives in; the queue keeps it so a decision can resume it."""
    proposal: JsonObject
    """The `Proposal`, dumped."""
    facts: JsonObject
    """What the gate's CEL conditions see."""
    gate: JsonObject
    """The `GateDecision`, dumped."""
    action_hash: str
    """The hash of the proposed action (`Proposal.action_hash`), kept by the gate for the review pause."""
    status: str
    """The queue status of the proposal after the last supervised node."""
    review: JsonObject
    """The `ReviewOutcome` the thread was resumed with."""
    execution: JsonObject
    """The action tool's result."""
