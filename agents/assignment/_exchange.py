"""Plans passed between the MILP, running in its own thread, and the neighbourhood search beside it."""

from __future__ import annotations

import threading

from agents.assignment._arrays import Ints


def _better(score: float, than: float) -> bool:
    return score < than - 1e-9 * max(1.0, abs(than))


class SolutionExchange:
    """The best plan each side has offered (as the model's objective and an option per job of the model).

    The MILP's callbacks run in its thread and the search in another, so every access holds a lock; a plan
    from the search is handed to the MILP once. `finished` is set when the MILP run ends.
    """

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        """When the MILP must stop (a `time.perf_counter()` value): HiGHS's own time limit can be overrun by
        seconds on large models, so it is also interrupted from its MIP callback."""
        self._lock = threading.Lock()
        self._from_milp: tuple[float, Ints] | None = None
        self._from_search: tuple[float, Ints] | None = None
        self._search_taken = True
        self.finished = threading.Event()
        self.optimal = False
        """Whether the MILP, once finished, proved its plan optimal (then searching on is pointless)."""

    def offer_from_milp(self, score: float, chosen: Ints) -> None:
        with self._lock:
            if self._from_milp is None or _better(score, self._from_milp[0]):
                self._from_milp = (score, chosen.copy())

    def take_from_milp(self, *, better_than: float) -> Ints | None:
        """The MILP's best plan, if it beats `better_than`."""
        with self._lock:
            if self._from_milp is not None and _better(self._from_milp[0], better_than):
                return self._from_milp[1].copy()
            return None

    def offer_from_search(self, score: float, chosen: Ints) -> None:
        with self._lock:
            if self._from_search is None or _better(score, self._from_search[0]):
                self._from_search = (score, chosen.copy())
                self._search_taken = False

    def take_for_milp(self, *, better_than: float) -> Ints | None:
        """The search's best plan, once, if it beats `better_than` (the MILP's incumbent)."""
        with self._lock:
            if self._search_taken or self._from_search is None or not _better(self._from_search[0], better_than):
                return None
            self._search_taken = True
            return self._from_search[1].copy()

    def close(self, *, optimal: bool = False) -> None:
        self.optimal = optimal
        self.finished.set()
