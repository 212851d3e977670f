"""Identity resolution on the demo world: do the customers ingestion builds match the generator's truth?

The generator writes which source records are the same person (`truth/records.csv`); ingestion
never reads it. Scoring compares, over the person records that were staged (quarantined rows have
no customer), the pairs of records put into one customer with the pairs that are one person.
"""

from __future__ import annotations

import csv
import itertools
import resource
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, create_engine, event

from core import FixedClock
from customers import DEFAULT_SURVIVORSHIP_FILE, CustomerRepository, Ingestor, load_survivorship
from customers.sources import load_sources
from customers.world import SOURCES_FILE, generate_world

Progress = Callable[[str], None]


class PairScore(BaseModel):
    model_config = ConfigDict(frozen=True)

    records_in_truth: int
    records_linked: int
    true_pairs: int
    predicted_pairs: int
    precision: float
    recall: float
    f1: float


class WorldEvalReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    people: int
    seed: int
    source_records: int
    person_records: int
    customers: int
    merge_candidates: int
    score: PairScore
    generate_seconds: float
    ingest_seconds: float
    records_per_second: float
    peak_rss_mb: float


def _pairs(groups: Iterable[list[tuple[str, str]]]) -> set[tuple[tuple[str, str], tuple[str, str]]]:
    out: set[tuple[tuple[str, str], tuple[str, str]]] = set()
    for members in groups:
        out.update(itertools.combinations(sorted(members), 2))
    return out


def score_against_truth(repo: CustomerRepository, truth_dir: Path) -> PairScore:
    """Pair precision, recall and F1 of the customers' source links against the world's truth."""
    links = {(system, record_id): customer for system, _, record_id, customer in repo.source_links()}
    with (truth_dir / "records.csv").open(newline="", encoding="utf-8") as handle:
        truth = {(row["source_system"], row["record_id"]): row["person_id"] for row in csv.DictReader(handle)}
    linked = [key for key in truth if key in links]
    by_person: dict[str, list[tuple[str, str]]] = defaultdict(list)
    by_customer: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key in linked:
        by_person[truth[key]].append(key)
        by_customer[links[key]].append(key)
    true_pairs, predicted = _pairs(by_person.values()), _pairs(by_customer.values())
    hits = len(true_pairs & predicted)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(true_pairs) if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScore(
        records_in_truth=len(truth),
        records_linked=len(linked),
        true_pairs=len(true_pairs),
        predicted_pairs=len(predicted),
        precision=round(precision, 4),
        recall=round(recall, 4),
        f1=round(f1, 4),
    )


def _sqlite_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(connection: object, _record: object) -> None:
        cursor = connection.cursor()  # type: ignore[attr-defined]
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def run_world_eval(
    *,
    people: int,
    seed: int,
    data_dir: Path,
    events: bool = True,
    as_of: date = date(2026, 1, 1),
    workdir: Path | None = None,
    database_url: str | None = None,
    progress: Progress = lambda _: None,
) -> WorldEvalReport:
    """Generate a world, ingest it into a fresh database, and score the customers against the truth."""
    from sqlmodel import SQLModel

    own = workdir is None
    folder = Path(tempfile.mkdtemp(prefix="steward-world-")) if workdir is None else workdir
    try:
        started = time.perf_counter()
        summary = generate_world(
            folder / "world", people=people, seed=seed, as_of=as_of, data_dir=data_dir, events=events
        )
        generated = time.perf_counter() - started
        progress(f"generated {sum(summary.counts.values()):,} source rows for {people:,} people in {generated:.1f} s")
        shutil.copy(SOURCES_FILE, folder / "world" / "sources.yaml")
        engine = create_engine(database_url) if database_url else _sqlite_engine(folder / "steward.sqlite")
        SQLModel.metadata.create_all(engine)
        clock = FixedClock(datetime.combine(as_of, datetime.min.time(), tzinfo=UTC))
        repo = CustomerRepository(engine, clock, load_survivorship(DEFAULT_SURVIVORSHIP_FILE))
        started = time.perf_counter()
        report = Ingestor(repo, load_sources(folder / "world" / "sources.yaml")).ingest(progress=progress)
        ingested = time.perf_counter() - started
        score = score_against_truth(repo, folder / "world" / "truth")
        engine.dispose()
    finally:
        if own:
            shutil.rmtree(folder, ignore_errors=True)
    received = sum(c.received for load in report.loads for c in load.entities.values())
    resolution = report.resolution
    return WorldEvalReport(
        people=people,
        seed=seed,
        source_records=received,
        person_records=resolution.person_records if resolution else 0,
        customers=resolution.customers if resolution else 0,
        merge_candidates=len(report.candidates),
        score=score,
        generate_seconds=round(generated, 1),
        ingest_seconds=round(ingested, 1),
        records_per_second=round(received / ingested, 1) if ingested else 0.0,
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )
