"""History for the policy editor's tests: proposals to replay, some of them decided by a person."""

from __future__ import annotations

from agents import AgentRunner
from policies import ReviewVerdict, default_policy_dir
from supervision import QueueItem
from tests.approval_ui.web_helpers import Web

AGENT = "credit_approval"
FILE_TEXT = (default_policy_dir() / "credit_approval.yaml").read_text(encoding="utf-8")
BAND_1 = "proposal.probability_of_default < 0.08 && application.amount <= 4000.0"
WIDER = "proposal.probability_of_default < 0.12 && application.amount <= 10000.0"


def wider(text: str = FILE_TEXT) -> str:
    """The credit policy with approve_credit's band_1 raised to DM 10,000 and a probability of default of 12%."""
    assert text.count(BAND_1) == 1
    return text.replace(BAND_1, WIDER)


def application_of(item: QueueItem) -> tuple[str, float]:
    """The id and amount of the application a credit proposal is about, from the facts the gate saw."""
    application = item.facts["application"]
    assert isinstance(application, dict)
    identifier, amount = application["id"], application["amount"]
    assert isinstance(identifier, str) and isinstance(amount, float)
    return identifier, amount


def replay_history(web: Web) -> None:
    """Every loaded application proposed, both credit actions moved to band_1, and the approvals above
    DM 4,000 (which band_1 does not automate) decided by a person: the first rejected, the others approved."""
    steward = web.steward
    used = {application_of(item)[0] for item in steward.queue.list(agent=AGENT, limit=1000)}
    agent = AgentRunner(steward.runtimes["credit_approval"])
    runs = [agent.run(a.id) for a in steward.customers.pending_applications() if a.id not in used]
    for action in ("approve_credit", "decline_credit"):
        steward.autonomy.set_level(AGENT, action, "band_1", actor="ops", reason="policy editor tests")
    above = [
        item
        for item in (steward.queue.get(run.proposal_id) for run in runs)
        if item.action == "approve_credit" and application_of(item)[1] > 4000
    ]
    assert above, "the loaded applications must include approvals above DM 4,000"
    for n, item in enumerate(above):
        verdict: ReviewVerdict = "reject" if n == 0 else "approve"
        steward.supervisor.decide(item.id, reviewer_id="head", verdict=verdict, comment="checked")
