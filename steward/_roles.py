"""The installation's reviewer roles: the bundled `roles.yaml`, extended by the deployment's own file."""

from __future__ import annotations

from pathlib import Path

from steward._settings import PACKAGE_DIR, Settings
from supervision import RoleCatalog, load_role_catalog

BUNDLED_ROLES_FILE = PACKAGE_DIR / "roles.yaml"
"""The roles the bundled agents' policies name, and the operational ones (ops manager, auditor, engineer, admin)."""


def load_roles(settings: Settings) -> RoleCatalog:
    """The bundled roles, plus (replacing those of the same name) the roles of STEWARD_ROLES_FILE if set."""
    extra: tuple[Path, ...] = () if settings.roles_file is None else (settings.roles_file,)
    return load_role_catalog(BUNDLED_ROLES_FILE, *extra)
