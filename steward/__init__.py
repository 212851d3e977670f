"""The composition root: where Steward is put together and run.

`Settings` (`STEWARD_*` variables) say what to build; `open_steward(settings)` migrates the database and
builds every component, typed, into one `Steward` (stores, the installed agents from the registry, the
supervisor, the checkpointer); the `steward` CLI (`steward/cli.py`, handlers per noun in
`steward/_*_commands.py`), the web server (`steward/_web.py`) and the demo are its entry points. Nothing
below this package imports it.

The names below are what tests, benchmarks and embedding code use; they load on first use, so the CLI
starts without importing the agents until a command needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from steward._database import create_schema, make_engine
    from steward._ingest import run_ingest
    from steward._logging import configure_logging
    from steward._migrations import upgrade
    from steward._roles import BUNDLED_ROLES_FILE, load_roles
    from steward._settings import BUNDLED_DATA, Settings
    from steward._wiring import Steward, load_policies, open_steward

_EXPORTS: dict[str, str] = {
    "BUNDLED_DATA": "steward._settings",
    "BUNDLED_ROLES_FILE": "steward._roles",
    "Settings": "steward._settings",
    "Steward": "steward._wiring",
    "configure_logging": "steward._logging",
    "create_schema": "steward._database",
    "load_policies": "steward._wiring",
    "load_roles": "steward._roles",
    "make_engine": "steward._database",
    "open_steward": "steward._wiring",
    "run_ingest": "steward._ingest",
    "upgrade": "steward._migrations",
}

__all__ = [
    "BUNDLED_DATA",
    "BUNDLED_ROLES_FILE",
    "Settings",
    "Steward",
    "configure_logging",
    "create_schema",
    "load_policies",
    "load_roles",
    "make_engine",
    "open_steward",
    "run_ingest",
    "upgrade",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'steward' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
