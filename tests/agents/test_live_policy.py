"""A policy saved in one process governs the next gate decision of agents already running in another."""

from __future__ import annotations

from agents import AgentRunner
from core import FixedClock
from policies import default_policy_dir
from steward import Settings, open_steward
from tests.agents.flow_helpers import AGENT, START, find_application, installation
from tests.policies.policy_samples import credit_facts

BAND_1 = "proposal.probability_of_default < 0.08 && application.amount <= 4000.0"


def test_a_saved_threshold_change_takes_effect_in_a_running_installation(steward_settings: Settings) -> None:
    text = (default_policy_dir() / "credit_approval.yaml").read_text(encoding="utf-8")
    wider = text.replace(BAND_1, "proposal.probability_of_default < 0.08 && application.amount <= 8000.0")
    assert wider != text
    facts = credit_facts(application__amount=6000.0)

    with installation(steward_settings, FixedClock(START)) as worker:
        worker.autonomy.set_level(AGENT, "approve_credit", "band_1", actor="ops", reason="test")
        step = worker.runtimes["credit_approval"].step
        before = step.gate_action("approve_credit", facts)
        assert (before.outcome, before.matched) == ("review", "default")
        assert before.policy_version == worker.policy_store.latest(AGENT).label
        assert before.policy_version.startswith("v0:")

        with open_steward(steward_settings, clock=FixedClock(START)) as web:  # another process: the web app
            saved = web.policy_store.save(
                AGENT, wider, author="ops", reason="Band 1 up to DM 8,000", expected_version=0
            )

        after = step.gate_action("approve_credit", facts)
        assert (after.outcome, after.matched, after.policy_version) == ("auto", "band_1", saved.label)
        assert step.policy.version == saved.label  # what the autonomy ladder reads too

        run = AgentRunner(worker.runtimes["credit_approval"]).run(
            find_application(worker, lambda amount: amount <= 4000)
        )
        item = worker.queue.get(run.proposal_id)
        assert item.gate.policy_version == saved.label
        gate_entry = next(e for e in worker.audit.entries(subject=run.proposal_id) if e.kind == "gate.decided")
        assert gate_entry.payload["policy_version"] == saved.label
        assert worker.audit.verify().ok
