"""Errors raised by the credit scorecard: bad training data files and bad applicant records."""

from __future__ import annotations

from pathlib import Path

from core import ConfigurationError, StewardError


class CreditDataError(ConfigurationError):
    """A German credit CSV file is missing or malformed; the message names the file and the problem."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class InvalidApplicant(StewardError):
    """An applicant record given to `CreditScorecard.assess` is missing a field or has a bad value."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"invalid applicant field {field!r}: {problem}")
        self.field = field
        self.problem = problem


class ScorecardFileError(ConfigurationError):
    """A saved scorecard cannot be loaded (missing, not a scorecard, or written by another format version)."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem
