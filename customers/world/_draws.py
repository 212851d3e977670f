"""Seeded draws shared by every part of the world.

Each part of the world takes its own stream, so changing how one system is generated never shifts
the random numbers of another, and the same seed always gives the same files.
"""

from __future__ import annotations

import zlib

import numpy as np
from numpy.typing import NDArray

Texts = NDArray[np.object_]
"""A column of Python strings (numpy object array), indexed by person or by record."""


def stream(seed: int, name: str) -> np.random.Generator:
    """The generator for one named part of the world."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def zipf_weights(n: int, exponent: float) -> NDArray[np.float64]:
    """Rank-frequency weights 1/rank^exponent, normalised: a few values common, most rare."""
    weights = 1.0 / np.arange(1, n + 1, dtype=np.float64) ** exponent
    normalised: NDArray[np.float64] = weights / weights.sum()
    return normalised


def pick_column(rng: np.random.Generator, weights: NDArray[np.float64]) -> NDArray[np.int64]:
    """One column per row, with probability proportional to the row's weights (-1 where a row has none)."""
    totals = weights.sum(axis=1)
    cumulative = np.cumsum(weights, axis=1)
    target = rng.random(len(weights)) * totals
    chosen = (cumulative <= target[:, None]).sum(axis=1).astype(np.int64)
    return np.where(totals > 0, np.minimum(chosen, weights.shape[1] - 1), -1)


def texts(values: list[str]) -> Texts:
    """A list of strings as an object array (numpy would otherwise make a fixed-width unicode array)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array
