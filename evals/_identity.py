"""Scoring the unsupervised identity matcher on the FEBRL record-linkage benchmark layout.

Only this evaluator reads ``rec_id`` and the truth files; the matcher sees the ten person fields.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict

from core import ConfigurationError
from customers.identity import ScoredPairs, score_dedupe, score_link

DEDUPE_TASKS = ("febrl_dataset1", "febrl_dataset2", "febrl_dataset3")
LINK_TASK = "febrl_dataset4"

Pair = frozenset[str]


class IdentityTaskResult(BaseModel):
    """Pairwise precision / recall / F1 of one task, plus the blocking recall and the run time."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int
    candidate_pairs: int
    blocking_recall: float
    seconds: float


class IdentityEvalReport(BaseModel):
    """One result per FEBRL task found in the data folder."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tasks: list[IdentityTaskResult]


def _read_records(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    if "rec_id" not in frame.columns:
        raise ConfigurationError(f"{path} has no rec_id column")
    return frame.reset_index(drop=True)


def _read_truth(path: Path) -> set[Pair]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    first, second = frame.columns[:2]
    return {frozenset((str(a).strip(), str(b).strip())) for a, b in zip(frame[first], frame[second], strict=True)}


def _result(
    name: str, scored: ScoredPairs, ids_left: list[str], ids_right: list[str], truth: set[Pair], seconds: float
) -> IdentityTaskResult:
    def to_ids(left: int, right: int) -> Pair:
        return frozenset((ids_left[left], ids_right[right]))

    candidates = {to_ids(int(a), int(b)) for a, b in zip(scored.left, scored.right, strict=True)}
    predicted = {to_ids(a, b) for a, b in scored.matches()}
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return IdentityTaskResult(
        name=name,
        precision=precision,
        recall=recall,
        f1=f1,
        true_pairs=len(truth),
        predicted_pairs=len(predicted),
        candidate_pairs=len(candidates),
        blocking_recall=len(candidates & truth) / len(truth) if truth else 0.0,
        seconds=round(seconds, 3),
    )


def evaluate_dedupe(records_csv: Path, truth_csv: Path, *, name: str) -> IdentityTaskResult:
    """Deduplicate one FEBRL file and score the pairs against its truth file."""
    records = _read_records(records_csv)
    start = time.perf_counter()
    scored = score_dedupe(records.drop(columns=["rec_id"]))
    seconds = time.perf_counter() - start
    ids = records["rec_id"].tolist()
    return _result(name, scored, ids, ids, _read_truth(truth_csv), seconds)


def evaluate_link(a_csv: Path, b_csv: Path, truth_csv: Path, *, name: str) -> IdentityTaskResult:
    """Link two FEBRL files and score the links against the truth file."""
    records_a, records_b = _read_records(a_csv), _read_records(b_csv)
    start = time.perf_counter()
    scored = score_link(records_a.drop(columns=["rec_id"]), records_b.drop(columns=["rec_id"]))
    seconds = time.perf_counter() - start
    ids_a, ids_b = records_a["rec_id"].tolist(), records_b["rec_id"].tolist()
    return _result(name, scored, ids_a, ids_b, _read_truth(truth_csv), seconds)


def run_identity_eval(data_dir: Path) -> IdentityEvalReport:
    """Evaluate every FEBRL task whose files are in `data_dir` (datasets 1-3 dedupe, 4a/4b link)."""
    if not data_dir.is_dir():
        raise ConfigurationError(f"identity eval data folder {data_dir} does not exist")
    tasks: list[IdentityTaskResult] = []
    for stem in DEDUPE_TASKS:
        records, truth = data_dir / f"{stem}.csv", data_dir / f"{stem}_true_pairs.csv"
        if records.is_file() and truth.is_file():
            tasks.append(evaluate_dedupe(records, truth, name=stem))
    link_files = (
        data_dir / f"{LINK_TASK}a.csv",
        data_dir / f"{LINK_TASK}b.csv",
        data_dir / f"{LINK_TASK}_true_links.csv",
    )
    if all(path.is_file() for path in link_files):
        tasks.append(evaluate_link(*link_files, name=LINK_TASK))
    if not tasks:
        raise ConfigurationError(
            f"no FEBRL task in {data_dir}: expected e.g. febrl_dataset1.csv + febrl_dataset1_true_pairs.csv, "
            "or febrl_dataset4a.csv + febrl_dataset4b.csv + febrl_dataset4_true_links.csv"
        )
    return IdentityEvalReport(tasks=tasks)
