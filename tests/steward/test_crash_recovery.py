"""A real `steward` process killed between two steps of a decision, then `steward recover`: executed once.

The dying process is the real CLI (`steward queue decide`) started by a bootstrap that wraps one real
function so that, once it returns, the process sends itself SIGKILL: no cleanup, no rollback, no
flush. The database and the checkpoints are left as a crash leaves them. Production code has no test
hook; the bootstrap picks the step.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from core import FixedClock
from steward import Settings, open_steward
from steward.cli import main
from tests.agents.flow_helpers import AGENT, REPO, audit_kinds, installation, pending_runs, run_steward

DIE_AFTER = """
import importlib, os, signal, sys

module, owner_name, method = sys.argv[1:4]
owner = getattr(importlib.import_module(module), owner_name)
real = getattr(owner, method)


def then_die(*args, **kwargs):
    result = real(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)  # a crash: the process ends here, with no cleanup at all
    return result


setattr(owner, method, then_die)
from steward.cli import main

sys.exit(main(sys.argv[4:]))
"""


@dataclass(frozen=True)
class CrashPoint:
    """Where the deciding process dies, what it leaves, and what recovery must make of it."""

    name: str
    dies_after: tuple[str, str, str]
    """module, class, method: the process is killed as this call returns."""
    verdict: str
    left: str
    """The proposal's status as the crash leaves it."""
    outcome: str
    status: str
    decisions: int
    claims: tuple[bool, ...]
    """`first_attempt` of each audited claim: a re-entry after a crash is the only second claim."""


POINTS = (
    CrashPoint(
        "after the decision is recorded, before the thread is resumed",
        ("supervision", "ApprovalQueue", "decide"),
        "--approve",
        left="approved",
        outcome="executed",
        status="executed",
        decisions=1,
        claims=(True,),
    ),
    CrashPoint(
        "after the execution claim, before the action tool writes",
        ("supervision", "ApprovalQueue", "claim_execution"),
        "--approve",
        left="executing",
        outcome="executed",
        status="executed",
        decisions=1,
        claims=(True, False),
    ),
    CrashPoint(
        "after the action tool's write, before the result is recorded",
        ("customers", "CustomerRepository", "record_credit_decision"),
        "--approve",
        left="executing",
        outcome="executed",
        status="executed",
        decisions=1,
        claims=(True, False),
    ),
    CrashPoint(
        "after the result is recorded, before the ladder review",
        ("supervision", "ApprovalQueue", "complete_execution"),
        "--approve",
        left="executed",
        outcome="finished",
        status="executed",
        decisions=1,
        claims=(True,),
    ),
    CrashPoint(
        "after a rejection is recorded, before the thread is resumed",
        ("supervision", "ApprovalQueue", "decide"),
        "--reject",
        left="rejected",
        outcome="finished",
        status="rejected",
        decisions=0,
        claims=(),
    ),
)


def _die_after(env: dict[str, str], dies_after: tuple[str, str, str], *args: str) -> subprocess.Popen[str]:
    """Start `steward ARGS` in a new process that is SIGKILLed as `dies_after` returns."""
    return subprocess.Popen(
        [sys.executable, "-c", DIE_AFTER, *dies_after, *args],
        env={**os.environ, **env},
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _assert_killed(process: subprocess.Popen[str], dies_after: tuple[str, str, str]) -> None:
    """The process died where it was meant to (one that never got there ends with an exit code)."""
    with process:
        _, stderr = process.communicate(timeout=180)
    assert process.returncode == -signal.SIGKILL, f"did not die in {'.'.join(dies_after)}: {stderr}"


@pytest.mark.slow
def test_a_process_killed_between_any_two_steps_is_recovered_exactly_once(
    steward_settings: Settings, steward_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    # The proposals are made "now": the killed processes and recovery use the wall clock.
    with installation(steward_settings, FixedClock(datetime.now(UTC))) as app:
        runs = pending_runs(app, len(POINTS))
    # Reviewers decide at once, each in a process that dies at its point.
    dying = [
        _die_after(steward_env, point.dies_after, "queue", "decide", run.proposal_id, point.verdict, "--as", "officer")
        for point, run in zip(POINTS, runs, strict=True)
    ]
    for point, process in zip(POINTS, dying, strict=True):
        _assert_killed(process, point.dies_after)

    with open_steward(steward_settings) as app:
        assert [app.queue.get(run.proposal_id).status for run in runs] == [point.left for point in POINTS]
        # Deciding again is a conflict, and expiry does not touch a decided proposal: only recovery helps.
        assert app.supervisor.expire_overdue() == []

    recovered = run_steward(steward_env, "recover", "--json")
    assert recovered.returncode == 0, recovered.stderr + recovered.stdout
    report = json.loads(recovered.stdout)
    assert {entry["id"]: entry["outcome"] for entry in report["proposals"]} == {
        run.proposal_id: point.outcome for point, run in zip(POINTS, runs, strict=True)
    }
    assert {entry["id"]: entry["found"] for entry in report["proposals"]} == {
        run.proposal_id: point.left for point, run in zip(POINTS, runs, strict=True)
    }
    assert report["ladders_reviewed"] == sorted({f"{AGENT}/{run.action}" for run in runs})

    # Once more: nothing is left to do.
    assert main(["recover", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["proposals"] == []
    assert set(again["counts"].values()) == {0}

    with open_steward(steward_settings) as app:
        for point, run in zip(POINTS, runs, strict=True):
            item = app.queue.get(run.proposal_id)
            assert item.status == point.status, point.name
            application_id = str(item.arguments["application_id"])
            assert len(app.customers.decisions(application_id)) == point.decisions, point.name
            entries = app.audit.entries(subject=run.proposal_id)
            claims = tuple(entry.payload["first_attempt"] for entry in entries if entry.kind == "action.claimed")
            assert claims == point.claims, point.name
            kinds = audit_kinds(app, run.proposal_id)
            assert kinds.count("action.executed") == (1 if point.status == "executed" else 0), point.name
            assert kinds[-1] == "proposal.recovered", point.name
            thread = app.runtimes["credit_approval"].graph.get_state({"configurable": {"thread_id": run.thread_id}})
            assert thread.next == (), point.name
            if point.dies_after[2] == "record_credit_decision":
                assert item.execution_result is not None
                assert item.execution_result["replayed"] is True  # found the dead process's write
        assert app.audit.verify().ok


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # recovery itself runs on both above
def test_serve_recovers_at_start_before_it_answers(steward_settings: Settings, steward_env: dict[str, str]) -> None:
    with installation(steward_settings, FixedClock(datetime.now(UTC))) as app:
        (run,) = pending_runs(app, 1)
        app.users.set_password("officer", "correct horse battery staple")
    decision = POINTS[0].dies_after
    _assert_killed(
        _die_after(steward_env, decision, "queue", "decide", run.proposal_id, "--approve", "--as", "officer"), decision
    )

    port = _free_port()
    with subprocess.Popen(
        [sys.executable, "-m", "steward.cli", "serve", "--port", str(port)],
        env={**os.environ, **steward_env, "STEWARD_LOG_LEVEL": "INFO"},
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as server:
        watchdog = threading.Timer(180, server.kill)  # a server that never starts fails the test, not hangs it
        watchdog.start()
        try:
            assert server.stderr is not None
            log: list[str] = []
            for line in server.stderr:  # uvicorn reports startup once the app's lifespan (and recovery) ran
                log.append(line)
                if "Application startup complete" in line:
                    break
            else:
                pytest.fail("the server stopped before it started:\n" + "".join(log))
            assert any("recovery.done" in line for line in log), "".join(log)
            with open_steward(steward_settings) as app:
                assert app.queue.get(run.proposal_id).status == "executed"  # before the first request
            assert httpx.get(f"http://127.0.0.1:{port}/login", timeout=60).status_code == 200
        finally:
            watchdog.cancel()
            server.terminate()
            server.wait(timeout=60)

    with open_steward(steward_settings) as app:
        item = app.queue.get(run.proposal_id)
        assert len(app.customers.decisions(str(item.arguments["application_id"]))) == 1
        assert audit_kinds(app, run.proposal_id)[-1] == "proposal.recovered"
        assert app.audit.verify().ok


def test_recover_prints_what_it_did_and_exits_non_zero_on_what_it_could_not_carry_on(
    steward_settings: Settings, steward_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    with installation(steward_settings, FixedClock(datetime.now(UTC))) as app:
        done, lost = pending_runs(app, 2)
        for run in (done, lost):  # decided; the process died before resuming either
            app.queue.decide(run.proposal_id, app.users.get("officer"), "approve")
        app.checkpointer.delete_thread(lost.thread_id)

    assert main(["recover"]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == "recovered 2 proposal(s): 1 executed, 0 failed, 0 finished, 1 stuck, 0 error"
    assert f"executed  {done.proposal_id}" in out
    assert f"stuck     {lost.proposal_id}" in out
    assert err.startswith("steward: 1 proposal(s) could not be carried on") and err.count("\n") == 1

    # The executed one is done for good; the stuck one is reported until someone deals with it.
    assert main(["recover", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(entry["id"], entry["outcome"]) for entry in report["proposals"]] == [(lost.proposal_id, "stuck")]
