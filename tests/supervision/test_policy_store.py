"""Policy versions: validated, versioned, audited saves; the version in force for the gate; the what-if."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from core import ConfigurationError, NotFound
from policies import PolicyFileError, WhatIfBudgetExceeded, default_policy_dir
from supervision import (
    ApprovalQueue,
    AuditLog,
    AutonomyStore,
    PolicyChangeRefused,
    PolicyConflict,
    PolicyStore,
    ProposalSubmission,
)
from tests.policies.policy_samples import credit_facts
from tests.supervision.supervision_helpers import OFFICER, START, RacingClock, gate, run_racers

AGENT = "credit_approval"
FILE_TEXT = (default_policy_dir() / "credit_approval.yaml").read_text(encoding="utf-8")
BAND_1 = "proposal.probability_of_default < 0.08 && application.amount <= 4000.0"


def changed(amount: str = "8000.0", *, comment: str = "") -> str:
    """The bundled credit policy with approve_credit's band_1 amount changed (and `comment` appended)."""
    text = FILE_TEXT.replace(BAND_1, f"proposal.probability_of_default < 0.08 && application.amount <= {amount}")
    assert text != FILE_TEXT
    return text + comment


@pytest.fixture
def store(engine: Engine, clock: RacingClock, audit: AuditLog) -> PolicyStore:
    return PolicyStore(engine, clock, audit, bundled={AGENT: FILE_TEXT})


def test_the_file_is_version_0_until_a_version_is_saved(store: PolicyStore) -> None:
    latest = store.latest(AGENT)
    assert (latest.version, latest.text, latest.created_at, latest.author) == (0, FILE_TEXT, None, "policy file")
    assert store.get(AGENT, 0) == latest
    assert [info.version for info in store.history(AGENT)] == [0]
    assert store.current(AGENT).version == latest.label == f"v0:{latest.digest[:12]}"
    assert store.agents() == [AGENT]


def test_a_save_writes_the_next_version_and_its_audit_entry(store: PolicyStore, audit: AuditLog) -> None:
    first = store.save(AGENT, changed(), author="ops", reason="  Widen band 1 to DM 8,000  ", expected_version=0)
    second = store.save(AGENT, changed("6000.0"), author="admin", reason="Halfway back", expected_version=1)

    assert (first.version, first.author, first.reason, first.created_at) == (
        1,
        "ops",
        "Widen band 1 to DM 8,000",
        START,
    )
    assert store.latest(AGENT) == second
    assert store.get(AGENT, 1) == first
    assert store.get(AGENT, 1).text == changed()
    assert [(i.version, i.author) for i in store.history(AGENT)] == [(2, "admin"), (1, "ops"), (0, "policy file")]
    policy = store.current(AGENT)
    assert policy.version == f"v2:{second.digest[:12]}"
    assert policy.gate("approve_credit", credit_facts(application__amount=5500.0), "band_1").outcome == "auto"

    entries = audit.entries(subject=f"policy:{AGENT}")
    assert [(e.kind, e.actor, e.payload) for e in entries] == [
        (
            "policy.changed",
            "ops",
            {"agent": AGENT, "from_version": 0, "to_version": 1, "digest": first.digest, "reason": True},
        ),
        (
            "policy.changed",
            "admin",
            {"agent": AGENT, "from_version": 1, "to_version": 2, "digest": second.digest, "reason": True},
        ),
    ]
    assert audit.verify().ok
    with pytest.raises(NotFound):
        store.get(AGENT, 3)


def test_a_stale_expected_version_is_refused_and_nothing_is_written(store: PolicyStore, audit: AuditLog) -> None:
    store.save(AGENT, changed(), author="ops", reason="first", expected_version=0)

    with pytest.raises(PolicyConflict, match="version 1, not 0") as stale:
        store.save(AGENT, changed("5000.0"), author="admin", reason="second", expected_version=0)
    assert (stale.value.expected_version, stale.value.actual_version) == (0, 1)
    with pytest.raises(PolicyConflict) as ahead:
        store.save(AGENT, changed("5000.0"), author="admin", reason="from the future", expected_version=4)
    assert ahead.value.actual_version == 1

    assert [info.version for info in store.history(AGENT)] == [1, 0]
    assert len(audit.entries(subject=f"policy:{AGENT}")) == 1


def test_of_two_managers_saving_at_once_exactly_one_wins(store: PolicyStore, clock: RacingClock) -> None:
    results = run_racers(
        clock,
        lambda: store.save(AGENT, changed("5000.0"), author="ops", reason="mine", expected_version=0),
        lambda: store.save(AGENT, changed("7000.0"), author="admin", reason="theirs", expected_version=0),
    )

    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert isinstance(losers[0], PolicyConflict)
    assert store.latest(AGENT) == winners[0]
    assert [info.version for info in store.history(AGENT)] == [1, 0]


@pytest.mark.parametrize(
    ("text", "at", "message"),
    [
        (FILE_TEXT.replace("default: review", "default: [review"), None, "not valid YAML"),
        (FILE_TEXT.replace("agent: credit_approval", "agent: identity_resolution"), "agent:", "the policy of"),
        (FILE_TEXT.replace("default: review", "default: auto"), "default: auto", "'auto' is not allowed"),
        (FILE_TEXT.replace("  request_information:", "  request_info:"), "actions:", "request_information is missing"),
        (FILE_TEXT + "extra: &x 1\nmore: *x\n", "more: *x", "YAML alias"),
        ("", None, "is empty"),
        ("agent: credit_approval\nx: \ud800\n", None, "not valid Unicode"),
        ("[" * 1000, None, "nests too deeply"),  # deeper than the YAML parser's recursion allows
    ],
)
def test_an_invalid_policy_is_refused_with_its_line_and_nothing_is_saved(
    store: PolicyStore, text: str, at: str | None, message: str | None
) -> None:
    with pytest.raises(PolicyFileError) as refused:
        store.save(AGENT, text, author="ops", reason="try", expected_version=0)
    if at is not None:  # the line of the first line that starts with `at`
        line = next(n for n, content in enumerate(text.splitlines(), 1) if content.lstrip().startswith(at))
        assert refused.value.line == line
    if message is not None:
        assert message in refused.value.reason
    assert store.latest(AGENT).version == 0


def test_a_policy_must_keep_the_level_an_action_stands_on(store: PolicyStore, autonomy: AutonomyStore) -> None:
    band_2 = (
        "        - name: band_2\n"
        '          auto_when: "proposal.probability_of_default < 0.12 && application.amount <= 8000.0"\n'
    )
    without_band_2 = FILE_TEXT.replace(band_2, "")
    assert without_band_2 != FILE_TEXT
    assert store.validate(AGENT, without_band_2).levels("approve_credit") == ["shadow", "review_all", "band_1"]

    autonomy.set_level(AGENT, "approve_credit", "band_2", actor="ops", reason="test")
    with pytest.raises(PolicyFileError, match="has no level 'band_2'"):
        store.validate(AGENT, without_band_2)


@pytest.mark.parametrize(
    ("reason", "author"), [("", "ops"), ("   ", "ops"), ("x" * 501, "ops"), ("ok", ""), ("a\x00b", "ops")]
)
def test_a_change_needs_a_plain_reason_and_an_author(store: PolicyStore, reason: str, author: str) -> None:
    with pytest.raises(PolicyChangeRefused):
        store.save(AGENT, changed(), author=author, reason=reason, expected_version=0)
    assert store.latest(AGENT).version == 0


def test_an_unknown_agent_is_not_found(store: PolicyStore) -> None:
    for call in (
        lambda: store.latest("nobody"),
        lambda: store.history("nobody"),
        lambda: store.current("nobody"),
        lambda: store.source("nobody"),
        lambda: store.save("nobody", changed(), author="ops", reason="r", expected_version=0),
    ):
        with pytest.raises(NotFound, match="nobody"):
            call()


def test_another_process_sees_a_saved_version_at_its_next_decision(
    store: PolicyStore, engine: Engine, clock: RacingClock, audit: AuditLog
) -> None:
    elsewhere = PolicyStore(engine, clock, audit, bundled={AGENT: FILE_TEXT})  # e.g. the web app beside a worker
    live = store.source(AGENT)
    facts = credit_facts(application__amount=6000.0)
    assert live.current().gate("approve_credit", facts, "band_1").outcome == "review"

    saved = elsewhere.save(AGENT, changed(), author="ops", reason="widen", expected_version=0)

    policy = live.current()
    assert policy.version == saved.label
    assert policy.gate("approve_credit", facts, "band_1").outcome == "auto"
    assert live.current() is policy  # parsed once per version


def _submit(queue: ApprovalQueue, proposal_id: str, amount: float, customer_id: str = "cust-1") -> None:
    queue.submit(
        ProposalSubmission(
            id=proposal_id,
            agent=AGENT,
            action="approve_credit",
            thread_id=f"thread-{proposal_id}",
            customer_id=customer_id,
            arguments={"amount": amount},
            action_hash="a" * 64,
            proposal={"id": proposal_id},
            facts=credit_facts(application__amount=amount),
            gate=gate("review", amount=amount),
        )
    )


def test_the_what_if_replays_recent_proposals_at_their_current_level(
    store: PolicyStore, queue: ApprovalQueue, autonomy: AutonomyStore
) -> None:
    _submit(queue, "p-1", 6000.0)
    _submit(queue, "p-2", 7000.0)
    _submit(queue, "p-3", 3000.0)
    _submit(queue, "p-4", 9000.0)
    _submit(queue, "p-erased", 6500.0, customer_id="cust-erased")
    queue.decide("p-1", OFFICER, "reject", comment="income unclear")
    queue.decide("p-2", OFFICER, "approve")
    queue.redact_customers(["cust-erased"])

    at_shadow = store.what_if(AGENT, changed())
    assert (at_shadow.total.cases, at_shadow.total.newly_automated, at_shadow.total.candidate.auto) == (4, 0, 0)

    autonomy.set_level(AGENT, "approve_credit", "band_1", actor="ops", reason="test")
    report = store.what_if(AGENT, changed())

    total = report.total
    assert total.cases == 4  # the erased proposal has no facts left
    assert (total.current.auto, total.candidate.auto) == (1, 3)  # p-3 already; p-1 and p-2 newly
    assert (total.newly_automated, total.automated_reviewed, total.automated_overridden) == (2, 2, 1)
    assert [(e.proposal_id, e.verdict) for e in report.examples] == [("p-1", "reject"), ("p-2", "approve")]
    assert report.current_version == store.latest(AGENT).label
    # The newest three proposals, without the erased one.
    assert [case.proposal_id for case in store.recent_cases(AGENT, store.current(AGENT), limit=3)] == ["p-4", "p-3"]


class _Stopwatch:
    """A monotonic timer that advances `step` seconds at every reading: the first reading starts a what-if."""

    def __init__(self, step: float) -> None:
        self.readings = 0
        self.step = step

    def __call__(self) -> float:
        self.readings += 1
        return self.readings * self.step


def test_a_what_if_past_its_time_budget_is_refused_and_changes_nothing(
    engine: Engine, clock: RacingClock, audit: AuditLog, queue: ApprovalQueue
) -> None:
    for n in range(3):
        _submit(queue, f"p-{n}", 3000.0 + n)
    audited = len(audit.entries())
    # Readings: the start (1 s, so the deadline is 3.5 s), before the replay (2 s), before case 0 (3 s), before
    # case 1 (4 s): the time is up after the first case.
    timer = _Stopwatch(step=1.0)
    store = PolicyStore(engine, clock, audit, bundled={AGENT: FILE_TEXT}, what_if_seconds=2.5, timer=timer)

    with pytest.raises(WhatIfBudgetExceeded) as stopped:
        store.what_if(AGENT, changed())

    assert (stopped.value.seconds, stopped.value.replayed, timer.readings) == (2.5, 1, 4)
    assert "time budget of 2.5 seconds after replaying 1 case(s)" in str(stopped.value)
    assert store.latest(AGENT).version == 0
    assert len(audit.entries()) == audited
    roomy = PolicyStore(engine, clock, audit, bundled={AGENT: FILE_TEXT}, what_if_seconds=10.0, timer=_Stopwatch(1.0))
    assert roomy.what_if(AGENT, changed()).total.cases == 3


def test_a_what_if_budget_of_zero_refuses_even_an_empty_history(
    engine: Engine, clock: RacingClock, audit: AuditLog
) -> None:
    store = PolicyStore(engine, clock, audit, bundled={AGENT: FILE_TEXT}, what_if_seconds=0.0)
    with pytest.raises(WhatIfBudgetExceeded) as stopped:
        store.what_if(AGENT, changed())
    assert stopped.value.replayed == 0


@pytest.mark.parametrize("seconds", [-1.0, float("nan"), float("inf")])
def test_a_what_if_budget_must_be_a_finite_number_of_seconds(
    engine: Engine, clock: RacingClock, audit: AuditLog, seconds: float
) -> None:
    with pytest.raises(ConfigurationError, match="what-if budget"):
        PolicyStore(engine, clock, audit, bundled={AGENT: FILE_TEXT}, what_if_seconds=seconds)


def test_nested_comprehensions_are_refused_at_their_line_by_save_and_what_if(store: PolicyStore) -> None:
    attack = "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"
    attack = f"{attack}.all(a, {attack}.all(b, {attack}.all(c, a + b + c > 0)))"
    text = FILE_TEXT.replace(BAND_1, attack)
    line = next(n for n, content in enumerate(text.splitlines(), 1) if attack in content)
    for attempt in (
        lambda: store.what_if(AGENT, text),
        lambda: store.save(AGENT, text, author="ops", reason="try", expected_version=0),
    ):
        with pytest.raises(PolicyFileError) as refused:
            attempt()
        assert refused.value.line == line
        assert "nests comprehensions (all, exists, exists_one, map, filter) more than 2 deep" in refused.value.reason
    assert store.latest(AGENT).version == 0
