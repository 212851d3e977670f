"""The identity-resolution agent's one action: merge two customers that are the same person."""

from __future__ import annotations

from typing import Any

from agents._summary import Figure
from agents._supervised import ActionSpec
from core import JsonObject
from policies import Facts
from tools import MergeCustomersArgs, merge_customers


def _merge_facts(facts: Facts, args: MergeCustomersArgs) -> JsonObject:
    return dict(facts)


IDENTITY_ACTIONS: dict[str, ActionSpec[Any]] = {
    "merge_customers": ActionSpec(
        "merge_customers",
        MergeCustomersArgs,
        merge_customers,
        _merge_facts,
        label="Merge customers",
        description="Merge the other customer into the first: they are the same person.",
        figures=(
            Figure("Match probability", "proposal.probability", "percent"),
            Figure("Customer", "arguments.customer_id"),
            Figure("Record", "arguments.record"),
            Figure("Other customer", "arguments.other_customer_id"),
            Figure("Other record", "arguments.other_record"),
            Figure("Fields agreeing", "facts.candidate.agreeing", "integer"),
            Figure("Fields different", "facts.candidate.disagreeing", "integer"),
        ),
    )
}
