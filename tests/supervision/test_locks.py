"""Installation locks: one holder at a time across processes, and a holder's death frees the lock."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import Engine

from supervision._locks import InstallationLocks

REPO = Path(__file__).resolve().parents[2]

HOLDER = """
import sys
from steward import make_engine
from supervision._locks import InstallationLocks

with InstallationLocks(make_engine(sys.argv[1])).hold("execution", "proposal-1"):
    print("held", flush=True)
    sys.stdin.readline()  # hold until killed
"""


def test_a_held_lock_is_refused_to_others_until_released(engine: Engine) -> None:
    locks = InstallationLocks(engine)
    with locks.hold("execution", "proposal-1") as held:
        assert held
        with locks.hold("execution", "proposal-1", wait=False) as again:
            assert not again
        with locks.hold("recovery", wait=False) as recovery:
            assert recovery  # another kind never waits on this one
    with locks.hold("execution", "proposal-1", wait=False) as after:
        assert after


def test_a_lock_is_freed_when_its_holder_is_killed(engine: Engine, database_url: str) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, database_url],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline().strip() == "held"
            locks = InstallationLocks(engine)
            with locks.hold("execution", "proposal-1", wait=False) as held:
                assert not held
            holder.send_signal(signal.SIGKILL)  # no cleanup: the kernel or the server must free it
            assert holder.wait(timeout=60) == -signal.SIGKILL
            with locks.hold("execution", "proposal-1") as held:  # waits until the dead holder's lock is gone
                assert held
        finally:
            holder.kill()  # a no-op once it is dead; the with-block closes the pipes and reaps it
