"""Identity resolution on the demo world: do the customers ingestion builds match the generator's truth?

The generator writes which source records are the same person (`truth/records.csv`); ingestion
never reads it. Scoring compares, over the person records that were staged (quarantined rows have
no customer), the pairs of records put into one customer with the pairs that are one person.

`run_world_eval` times generation and ingestion apart and measures memory around the ingestion:
the RSS just before it and the process's peak right after it (before scoring). With
`generate_apart=True` the world is written by a child process, so that peak is the ingestion's own.
"""

from __future__ import annotations

import csv
import multiprocessing
import resource
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, create_engine, event

from core import ConfigurationError, FixedClock
from customers import DEFAULT_SURVIVORSHIP_FILE, CustomerRepository, Ingestor, IngestReport, load_survivorship
from customers.sources import SourcesConfig, load_sources
from customers.world import SOURCES_FILE, generate_world

Progress = Callable[[str], None]

_RESOLVING = "resolving identities"
"""The progress line `Ingestor.ingest` prints when staging is done and resolution starts."""


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
    database: str
    """The backend ingested into: sqlite or postgresql."""
    source_records: int
    """Rows received from every system (person records, CRM accounts and, with events, the rest)."""
    person_rows: int
    """Rows received for person entities (staged and quarantined)."""
    person_records: int
    """Person records staged and resolved."""
    quarantined: int
    customers: int
    merge_candidates: int
    score: PairScore
    generate_seconds: float
    ingest_seconds: float
    """Staging, resolution, linking, timeline and applications: the whole `Ingestor.ingest`."""
    stage_seconds: float
    resolve_seconds: float
    """Everything after staging: resolution, linking, timeline and applications."""
    records_per_second: float
    """Source records received per second of `ingest_seconds`."""
    rss_before_ingest_mb: float
    peak_rss_mb: float
    """The process's peak RSS when ingestion finished (scoring comes after it)."""
    generated_apart: bool
    """The world was written by a child process, so `peak_rss_mb` does not include generating it."""


def _pair_count(sizes: Iterable[int]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes)


def score_against_truth(repo: CustomerRepository, truth_dir: Path) -> PairScore:
    """Pair precision, recall and F1 of the customers' source links against the world's truth.

    Counted, not listed: two records are a true pair when they share a person, a predicted pair when
    they share a customer, and a hit when they share both.
    """
    links = {(system, record_id): customer for system, _, record_id, customer in repo.source_links()}
    by_person: Counter[str] = Counter()
    by_customer: Counter[str] = Counter()
    by_both: Counter[tuple[str, str]] = Counter()
    records = 0
    with (truth_dir / "records.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            records += 1
            customer = links.get((row["source_system"], row["record_id"]))
            if customer is None:
                continue
            person = row["person_id"]
            by_person[person] += 1
            by_customer[customer] += 1
            by_both[(person, customer)] += 1
    true_pairs, predicted = _pair_count(by_person.values()), _pair_count(by_customer.values())
    hits = _pair_count(by_both.values())
    precision = hits / predicted if predicted else 1.0
    recall = hits / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScore(
        records_in_truth=records,
        records_linked=sum(by_person.values()),
        true_pairs=true_pairs,
        predicted_pairs=predicted,
        precision=round(precision, 4),
        recall=round(recall, 4),
        f1=round(f1, 4),
    )


def _sqlite_engine(path: Path) -> Engine:
    """A SQLite file set up as the product's (WAL, foreign keys), with synchronous=NORMAL for the bulk load."""
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(connection: object, _record: object) -> None:
        cursor = connection.cursor()  # type: ignore[attr-defined]
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def _current_rss_mb() -> float:
    """This process's resident set now (Linux); elsewhere its peak so far."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return _peak_rss_mb()
    return pages * resource.getpagesize() / 2**20


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def generate_eval_world(
    folder: Path, *, people: int, seed: int, data_dir: Path, events: bool = True, as_of: date = date(2026, 1, 1)
) -> int:
    """Write a world and its sources configuration into `folder`; the number of source rows written."""
    summary = generate_world(folder, people=people, seed=seed, as_of=as_of, data_dir=data_dir, events=events)
    shutil.copy(SOURCES_FILE, folder / "sources.yaml")
    return sum(summary.counts.values())


def _generate_apart(folder: Path, *, people: int, seed: int, data_dir: Path, events: bool, as_of: date) -> int:
    """`generate_eval_world` in a fresh child process, whose memory never counts as this process's."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        job = pool.submit(
            generate_eval_world, folder, people=people, seed=seed, data_dir=data_dir, events=events, as_of=as_of
        )
        return job.result()


def _person_rows(report: IngestReport, config: SourcesConfig) -> int:
    return sum(
        counts.received
        for load in report.loads
        for entity, counts in load.entities.items()
        if config.systems[load.system].entities[entity].role == "person"
    )


def run_world_eval(
    *,
    people: int,
    seed: int,
    data_dir: Path,
    events: bool = True,
    as_of: date = date(2026, 1, 1),
    workdir: Path | None = None,
    database_url: str | None = None,
    generate_apart: bool = False,
    progress: Progress = lambda _: None,
) -> WorldEvalReport:
    """Generate a world, ingest it into a fresh database, and score the customers against the truth.

    `database_url` names an empty database to ingest into (its tables are created and its rows left
    there); without it, a SQLite file in the working folder, removed with it unless `workdir` is given.
    """
    from sqlmodel import SQLModel

    own = workdir is None
    folder = Path(tempfile.mkdtemp(prefix="steward-world-")) if workdir is None else workdir
    world = folder / "world"
    try:
        started = time.perf_counter()
        if generate_apart:
            rows = _generate_apart(world, people=people, seed=seed, data_dir=data_dir, events=events, as_of=as_of)
        else:
            rows = generate_eval_world(world, people=people, seed=seed, data_dir=data_dir, events=events, as_of=as_of)
        generated = time.perf_counter() - started
        progress(f"generated {rows:,} source rows for {people:,} people in {generated:.1f} s")
        engine = create_engine(database_url) if database_url else _sqlite_engine(folder / "steward.sqlite")
        try:
            SQLModel.metadata.create_all(engine)
            clock = FixedClock(datetime.combine(as_of, datetime.min.time(), tzinfo=UTC))
            repo = CustomerRepository(engine, clock, load_survivorship(DEFAULT_SURVIVORSHIP_FILE))
            _require_empty(repo)
            config = load_sources(world / "sources.yaml")
            marks: dict[str, float] = {}

            def noted(line: str) -> None:
                if line.startswith(_RESOLVING):
                    marks.setdefault(_RESOLVING, time.perf_counter())
                progress(line)

            rss_before = _current_rss_mb()
            started = time.perf_counter()
            report = Ingestor(repo, config).ingest(progress=noted)
            finished = time.perf_counter()
            peak = _peak_rss_mb()
            progress(f"ingested in {finished - started:.1f} s; peak RSS {peak:,.0f} MB; scoring")
            score = score_against_truth(repo, world / "truth")
        finally:
            engine.dispose()
    finally:
        if own:
            shutil.rmtree(folder, ignore_errors=True)
    ingested = finished - started
    staged = marks.get(_RESOLVING, finished) - started
    received = sum(c.received for load in report.loads for c in load.entities.values())
    resolution = report.resolution
    return WorldEvalReport(
        people=people,
        seed=seed,
        database=engine.dialect.name,
        source_records=received,
        person_rows=_person_rows(report, config),
        person_records=resolution.person_records if resolution else 0,
        quarantined=sum(c.quarantined for load in report.loads for c in load.entities.values()),
        customers=resolution.customers if resolution else 0,
        merge_candidates=len(report.candidates),
        score=score,
        generate_seconds=round(generated, 1),
        ingest_seconds=round(ingested, 1),
        stage_seconds=round(staged, 1),
        resolve_seconds=round(ingested - staged, 1),
        records_per_second=round(received / ingested, 1) if ingested else 0.0,
        rss_before_ingest_mb=round(rss_before, 1),
        peak_rss_mb=round(peak, 1),
        generated_apart=generate_apart,
    )


def _require_empty(repo: CustomerRepository) -> None:
    """Scores count every link in the database, so it must start with none."""
    if repo.source_links():
        raise ConfigurationError("the database already holds customer links: give the world eval an empty one")
