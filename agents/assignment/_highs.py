"""The HiGHS solver as this package uses it: silent, one thread, seeded, with a time limit.

Two quirks of `highspy` are handled here. The first `Highs()` of a process prints a banner on the C-level
standard output before any option can silence it, which would corrupt a command's JSON output; it is sent
to the null device. And HiGHS keeps one thread scheduler per process: a run asking for another thread count
than an earlier run fails, so every run here asks for the same count and resets the scheduler if some other
code in the process set it differently.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Literal

import highspy

THREADS = 1
"""HiGHS's MIP search is serial at heart; one thread keeps runs reproducible and leaves the other core free."""

Status = Literal["optimal", "time_limit", "infeasible", "failed"]

_banner_lock = threading.Lock()
_banner_done = False


def new_highs(*, time_limit: float, seed: int) -> highspy.Highs:
    """A silent HiGHS instance with our options (exact: no relative gap tolerance)."""
    highs = _quiet_highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", THREADS)
    highs.setOptionValue("random_seed", int(seed) % 2_147_483_647)
    highs.setOptionValue("time_limit", max(float(time_limit), 0.001))
    highs.setOptionValue("mip_rel_gap", 0.0)
    return highs


def _highs() -> highspy.Highs:
    return highspy.Highs()  # type: ignore[no-untyped-call]


def _quiet_highs() -> highspy.Highs:
    global _banner_done
    with _banner_lock:
        if _banner_done:
            return _highs()
        _banner_done = True
        try:
            sys.stdout.flush()
            saved = os.dup(1)
        except (OSError, ValueError):  # no usable standard output: nothing to protect
            return _highs()
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 1)
            return _highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(null)


def run(highs: highspy.Highs) -> Status:
    """Run the model passed to `highs` and say how it ended."""
    if highs.run() == highspy.HighsStatus.kError:
        highs.resetThreadScheduler(True)
        highs.run()
    model_status = highs.getModelStatus()
    if model_status == highspy.HighsModelStatus.kOptimal:
        return "optimal"
    if model_status == highspy.HighsModelStatus.kInfeasible:
        return "infeasible"
    if has_solution(highs) or model_status in _STOPPED:
        return "time_limit"
    return "failed"


def has_solution(highs: highspy.Highs) -> bool:
    return bool(highs.getInfo().primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible)


_STOPPED = {
    highspy.HighsModelStatus.kTimeLimit,
    highspy.HighsModelStatus.kInterrupt,
    highspy.HighsModelStatus.kIterationLimit,
    highspy.HighsModelStatus.kSolutionLimit,
}
