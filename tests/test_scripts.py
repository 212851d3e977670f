"""The helper scripts do what the README says they do."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[1]
SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
"""The server scripts/ensure-postgres.sh looks after (the tests' database server)."""


def _databases() -> set[str]:
    with psycopg.connect(SERVER, autocommit=True, connect_timeout=5) as connection:
        return {row[0] for row in connection.execute("SELECT datname FROM pg_database")}


def test_ensure_postgres_creates_the_test_database_when_the_server_is_already_running() -> None:
    """The server is up (the storage tests use it), so the script must not stop at its readiness check."""
    name = f"steward_ensure_{uuid.uuid4().hex[:10]}"  # a database of its own: the shared `test` stays untouched
    assert name not in _databases()
    try:
        run = subprocess.run(
            ["bash", str(REPO / "scripts" / "ensure-postgres.sh")],
            env={**os.environ, "STEWARD_TEST_DATABASE": name},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        assert name in _databases()
        assert f"created the database {name}" in run.stderr

        again = subprocess.run(
            ["bash", str(REPO / "scripts" / "ensure-postgres.sh")],
            env={**os.environ, "STEWARD_TEST_DATABASE": name},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert (again.returncode, again.stderr) == (0, "")  # idempotent: it exists, nothing to do
    finally:
        with psycopg.connect(SERVER, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
