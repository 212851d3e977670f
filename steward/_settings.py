"""Steward's settings, read from `STEWARD_*` environment variables (and a `.env` file) at the entry point."""

from __future__ import annotations

import re
from datetime import timedelta
from ipaddress import ip_network
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    roles_file: Path | None = Field(
        default=None,
        description=(
            "The deployment's reviewer roles (YAML, as the bundled steward/roles.yaml): roles added to the bundled "
            "ones, and bundled ones replaced as a whole by a role of the same name. Default: the bundled roles only."
        ),
    )
    agent_modules: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description=(
            "Comma-separated `package.module:ATTRIBUTE` references to the deployment's own agents (an "
            "`agents.AgentDefinition` or a list of them), installed after the bundled ones."
        ),
    )
    review_sla_hours: float = Field(
        default=48.0,
        gt=0,
        le=24 * 366,
        allow_inf_nan=False,
        description="Hours before a pending review expires, unless its action's policy sets a review clock.",
    )
    what_if_seconds: float = Field(
        default=5.0,
        ge=0,
        allow_inf_nan=False,
        description=(
            "Time budget of one policy what-if (validation, reading the history, the replay); past it the "
            "what-if is refused (422 in the API, an error in the CLI). 0 refuses every what-if."
        ),
    )
    log_level: str = Field(default="WARNING", description="DEBUG, INFO, WARNING or ERROR (logs go to stderr).")
    log_json: bool = Field(default=False, description="Log JSON lines instead of human-readable lines.")
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint; unset: no LLM.")
    llm_model: str = Field(default="gpt-4o-mini", description="Model name sent to the LLM endpoint.")
    llm_api_key: str = Field(default="not-needed", description="API key for the LLM endpoint.")
    audit_key_file: Path | None = Field(
        default=None,
        description=(
            "Ed25519 private key (PEM, or 32 raw bytes) that signs the audit chain's checkpoints. Keep it outside "
            "the database, readable by Steward's user only (mode 0600; looser modes are refused), the same file on "
            "every host that writes. Unset: <home>/audit-signing.key, created on first use."
        ),
    )
    audit_trusted_keys: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description=(
            "Comma-separated Ed25519 public keys (64 hex digits, as `steward audit checkpoint` prints them) whose "
            "checkpoints verify besides the signing key's own: keys retired after a rotation."
        ),
    )
    audit_checkpoint_entries: int = Field(
        default=100, ge=1, description="Write a signed checkpoint of the audit chain at least every this many entries."
    )
    audit_checkpoint_minutes: float = Field(
        default=10.0,
        gt=0,
        le=60 * 24 * 366,
        allow_inf_nan=False,
        description="Also checkpoint in the first audit append this many minutes after a process's last checkpoint.",
    )
    session_secret: str | None = Field(
        default=None,
        min_length=32,
        description=(
            "Key that signs web-session cookies (32+ characters; the same on every web replica). "
            "Unset: a random key kept in <home>/session.key."
        ),
    )
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description=(
            "Comma-separated IP addresses or CIDR networks of the reverse proxies in front of `steward serve`; "
            "only from them are X-Forwarded-For and X-Forwarded-Proto believed (the client address the login "
            "throttle sees, https for cookies). Default: none, the peer's own address is used."
        ),
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_list(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        if isinstance(value, list | tuple):
            for part in value:
                try:
                    ip_network(str(part), strict=False)
                except ValueError:
                    raise ValueError(
                        f"STEWARD_TRUSTED_PROXIES: {part!r} is not an IP address or CIDR network (e.g. 10.0.0.0/8)"
                    ) from None
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'steward.sqlite').resolve()}"

    @field_validator("agent_modules", mode="before")
    @classmethod
    def _agent_modules(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        if isinstance(value, list | tuple):
            for part in value:
                if not re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*", str(part)):
                    raise ValueError(f"agent module {part!r}: write it as package.module:ATTRIBUTE")
        return value

    @field_validator("audit_trusted_keys", mode="before")
    @classmethod
    def _public_keys(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(part.strip().lower() for part in value.split(",") if part.strip())
        if isinstance(value, list | tuple):
            for part in value:
                if not re.fullmatch(r"[0-9a-fA-F]{64}", str(part)):
                    raise ValueError(
                        f"STEWARD_AUDIT_TRUSTED_KEYS: {part!r} is not an Ed25519 public key (64 hex digits)"
                    )
        return value

    @property
    def audit_key_path(self) -> Path:
        """The key file that signs the audit chain's checkpoints."""
        return (self.audit_key_file or self.home / "audit-signing.key").resolve()

    @property
    def audit_checkpoint_interval(self) -> timedelta:
        return timedelta(minutes=self.audit_checkpoint_minutes)

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
