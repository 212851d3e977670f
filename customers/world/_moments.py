"""Dates and times of the world, all counted back from `as_of` (never from the wall clock)."""

from __future__ import annotations

from datetime import date

import numpy as np
from numpy.typing import NDArray

Days = NDArray[np.datetime64]
"""datetime64[D]"""
Moments = NDArray[np.datetime64]
"""datetime64[s], UTC"""

SECONDS_PER_DAY = 86_400


def start_of(as_of: date) -> np.datetime64:
    """Midnight UTC starting `as_of`: every moment of the world lies before it."""
    return np.datetime64(as_of.isoformat(), "s")


def days_before(as_of: date, days: NDArray[np.int64]) -> Days:
    return np.datetime64(as_of.isoformat(), "D") - days.astype("timedelta64[D]")


def moments_before(rng: np.random.Generator, as_of: date, low_days: float, high_days: float, size: int) -> Moments:
    """Moments uniformly between `high_days` and `low_days` days before `as_of`."""
    seconds = rng.uniform(low_days * SECONDS_PER_DAY, high_days * SECONDS_PER_DAY, size).astype(np.int64)
    return start_of(as_of) - np.maximum(seconds, 1).astype("timedelta64[s]")


def during(rng: np.random.Generator, days: Days, first_hour: int = 7, last_hour: int = 22) -> Moments:
    """A moment on each of `days`, in waking hours."""
    seconds = rng.integers(first_hour * 3600, last_hour * 3600, size=len(days))
    moments: Moments = days.astype("datetime64[s]") + seconds.astype("timedelta64[s]")
    return moments


def day_texts(days: Days) -> list[str]:
    text: list[str] = np.datetime_as_string(days.astype("datetime64[D]"), unit="D").tolist()
    return text


def moment_texts(moments: Moments) -> list[str]:
    text: list[str] = np.char.add(np.datetime_as_string(moments.astype("datetime64[s]"), unit="s"), "+00:00").tolist()
    return text


def days_ago(as_of: date, days: NDArray[np.float64]) -> Moments:
    """The moments `days` (fractional) before the start of `as_of`; never at or after it."""
    seconds = np.maximum((days * SECONDS_PER_DAY).astype(np.int64), 1)
    return start_of(as_of) - seconds.astype("timedelta64[s]")
