"""Steward's settings, read from `STEWARD_*` environment variables (and a `.env` file) at the entry point."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_DATA = PACKAGE_DIR / "data"


class Settings(BaseSettings):
    """Everything configurable about one Steward installation.

    Built once by each entry point (`Settings()`), never at import time, and passed down.
    """

    model_config = SettingsConfigDict(env_prefix="STEWARD_", env_file=".env", extra="ignore")

    home: Path = Field(default=Path(".steward"), description="Folder for the default database and model files.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default sqlite:///<home>/steward.sqlite. postgresql://... uses psycopg 3.",
    )
    policy_dir: Path | None = Field(default=None, description="Folder of policy YAML files; default: bundled.")
    data_dir: Path = Field(default=BUNDLED_DATA, description="Folder of bundled datasets (german_credit/...).")
    sources: Path | None = Field(
        default=None,
        description="Source-system configuration (YAML) for `steward ingest`; default: <home>/world/sources.yaml.",
    )
    survivorship: Path | None = Field(
        default=None, description="Survivorship rules (YAML) of the golden record; default: bundled."
    )
    retention: Path | None = Field(default=None, description="Retention rules (YAML); default: bundled.")
    review_sla_hours: float = Field(default=48.0, gt=0, description="Hours before a pending review expires.")
    log_level: str = Field(default="WARNING", description="DEBUG, INFO, WARNING or ERROR (logs go to stderr).")
    log_json: bool = Field(default=False, description="Log JSON lines instead of human-readable lines.")
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint; unset: no LLM.")
    llm_model: str = Field(default="gpt-4o-mini", description="Model name sent to the LLM endpoint.")
    llm_api_key: str = Field(default="not-needed", description="API key for the LLM endpoint.")
    session_secret: str | None = Field(
        default=None,
        min_length=32,
        description=(
            "Key that signs web-session cookies (32+ characters; the same on every web replica). "
            "Unset: a random key kept in <home>/session.key."
        ),
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'steward.sqlite').resolve()}"

    @property
    def checkpoint_path(self) -> Path:
        """SQLite file for LangGraph checkpoints when the database is SQLite (kept beside it)."""
        return (self.home / "checkpoints.sqlite").resolve()

    @property
    def model_path(self) -> Path:
        return (self.home / "models" / "credit_scorecard.pkl").resolve()

    @property
    def german_credit_csv(self) -> Path:
        return self.data_dir / "german_credit" / "german_credit.csv"

    @property
    def sources_file(self) -> Path:
        return self.sources or self.home / "world" / "sources.yaml"

    @property
    def survivorship_file(self) -> Path:
        from customers import DEFAULT_SURVIVORSHIP_FILE

        return self.survivorship or DEFAULT_SURVIVORSHIP_FILE

    @property
    def retention_file(self) -> Path:
        from customers import DEFAULT_RETENTION_FILE

        return self.retention or DEFAULT_RETENTION_FILE

    @property
    def review_sla(self) -> timedelta:
        return timedelta(hours=self.review_sla_hours)
