"""Saved eval reports: what an offline evaluation measured, on which data, against which bar.

`steward eval ...` and the demo save one report per run; engineers read the latest ones in the web
app. A report keeps its headline metrics (each with the bar it is judged against) and the whole
report as JSON. Reports hold figures about models and data sets, never personal data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import JSON, Index, func
from sqlalchemy.engine import Engine
from sqlmodel import Field as Column
from sqlmodel import Session, SQLModel, col, select

from core import Clock, JsonObject, NotFound
from supervision._audit import AuditLog
from supervision._tables import UtcDateTime


class EvalReportRow(SQLModel, table=True):
    """One saved run of an offline evaluation."""

    __tablename__ = "supervision_eval_report"
    __table_args__ = (Index("ix_supervision_eval_report_name_created", "name", "created_at"),)

    id: int | None = Column(default=None, primary_key=True)
    name: str = Column(max_length=100)
    dataset: str = Column(max_length=500)
    created_at: datetime = Column(sa_type=UtcDateTime)
    created_by: str = Column(max_length=200)
    metrics: list[dict[str, Any]] = Column(sa_type=JSON)
    report: dict[str, Any] = Column(sa_type=JSON)


class EvalMetric(BaseModel):
    """One headline figure and, when there is one, the bar it must clear."""

    model_config = ConfigDict(frozen=True)

    name: str
    value: float
    higher_is_better: bool = True
    bar: float | None = None
    """The quality bar or the published result to beat; None when there is none."""
    note: str = ""

    @property
    def meets_bar(self) -> bool | None:
        if self.bar is None:
            return None
        return self.value >= self.bar if self.higher_is_better else self.value <= self.bar


class EvalReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    dataset: str
    created_at: datetime
    created_by: str
    metrics: list[EvalMetric]
    report: JsonObject = Field(description="The whole report as the evaluation wrote it.")

    @property
    def meets_bars(self) -> bool | None:
        """False if any metric misses its bar, True if all with a bar meet it, None if none has one."""
        verdicts = [metric.meets_bar for metric in self.metrics if metric.meets_bar is not None]
        return all(verdicts) if verdicts else None


class EvalReportStore:
    """Saves eval reports (audited as `eval.saved`) and reads back the latest of each evaluation."""

    def __init__(self, engine: Engine, clock: Clock, audit: AuditLog) -> None:
        self._engine = engine
        self._clock = clock
        self._audit = audit

    def save(self, name: str, *, dataset: str, metrics: list[EvalMetric], report: JsonObject, actor: str) -> EvalReport:
        if not name.strip():
            raise ValueError("an eval report needs a name")
        with Session(self._engine) as session:
            row = EvalReportRow(
                name=name,
                dataset=dataset[:500],
                created_at=self._clock.now(),
                created_by=actor,
                metrics=[metric.model_dump(mode="json") for metric in metrics],
                report=report,
            )
            session.add(row)
            session.flush()
            self._audit.append(
                session,
                kind="eval.saved",
                subject=f"eval/{name}",
                actor=actor,
                payload={"report_id": row.id, "name": name, "metrics": {m.name: m.value for m in metrics}},
            )
            session.commit()
            session.refresh(row)
            return _view(row)

    def latest(self) -> list[EvalReport]:
        """The newest report of each evaluation, by name."""
        with Session(self._engine) as session:
            newest = (
                select(col(EvalReportRow.name), func.max(col(EvalReportRow.id)).label("id"))
                .group_by(col(EvalReportRow.name))
                .subquery()
            )
            rows = session.exec(
                select(EvalReportRow)
                .join(newest, col(EvalReportRow.id) == newest.c.id)
                .order_by(col(EvalReportRow.name))
            )
            return [_view(row) for row in rows]

    def history(self, name: str, *, limit: int = 20) -> list[EvalReport]:
        """The evaluation's reports, newest first."""
        with Session(self._engine) as session:
            rows = session.exec(
                select(EvalReportRow)
                .where(col(EvalReportRow.name) == name)
                .order_by(col(EvalReportRow.id).desc())
                .limit(limit)
            )
            return [_view(row) for row in rows]

    def get(self, report_id: int) -> EvalReport:
        with Session(self._engine) as session:
            row = session.get(EvalReportRow, report_id)
            if row is None:
                raise NotFound("eval report", str(report_id))
            return _view(row)


def _view(row: EvalReportRow) -> EvalReport:
    assert row.id is not None
    return EvalReport(
        id=row.id,
        name=row.name,
        dataset=row.dataset,
        created_at=row.created_at,
        created_by=row.created_by,
        metrics=[EvalMetric.model_validate(metric) for metric in row.metrics],
        report=row.report,
    )
