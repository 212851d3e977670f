"""Reviewer roles as data: the bundled roles file, a deployment's own file, bad files, and policies naming roles."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from core import ConfigurationError
from policies import Policy, PolicyFileError, parse_policy
from steward import BUNDLED_ROLES_FILE
from supervision import (
    MAX_ROLES_FILE_BYTES,
    PERMISSIONS,
    AuditLog,
    PolicyStore,
    Role,
    RoleCatalog,
    RolesFileError,
    UnknownRole,
    check_policy_roles,
    load_role_catalog,
    parse_roles,
)
from tests.policies.policy_samples import SAMPLE_POLICY
from tests.supervision.supervision_helpers import RacingClock

CREDIT = {"queue.read", "proposal.read", "proposal.decide", "customer.read", "autonomy.read"}
RUNS_SUPERVISION = CREDIT | {"audit.read", "policy.read", "policy.write", "autonomy.signoff", "eval.read"}
BUNDLED = {
    "credit_officer": CREDIT,
    "senior_credit_officer": CREDIT,
    "head_of_credit": CREDIT,
    "logistics_planner": CREDIT,
    "ops_manager": RUNS_SUPERVISION,
    "auditor": {
        "queue.read",
        "proposal.read",
        "customer.read",
        "autonomy.read",
        "audit.read",
        "policy.read",
        "eval.read",
    },
    "engineer": {"customer.read", "autonomy.read", "policy.read", "eval.read"},
    "admin": RUNS_SUPERVISION,
}
"""The roles Steward has always had, with their permissions, written out independently of the file."""

DEPLOYMENT = """\
roles:
  queue_watcher:
    description: Watches the queue; decides nothing.
    permissions: [queue.read, proposal.read]
  engineer:
    description: Engineers here also read the audit log.
    permissions: [customer.read, autonomy.read, policy.read, eval.read, audit.read]
"""


def _write(tmp_path: Path, text: str, name: str = "roles.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_bundled_file_declares_the_roles_of_today_with_their_permissions() -> None:
    catalog = load_role_catalog(BUNDLED_ROLES_FILE)
    assert {role.name: set(role.permissions) for role in catalog} == BUNDLED
    assert catalog.names == tuple(BUNDLED)
    assert catalog.sources == (str(BUNDLED_ROLES_FILE),)
    assert all(role.description and role.source == str(BUNDLED_ROLES_FILE) for role in catalog)
    assert catalog.permissions_of(["credit_officer", "engineer"]) == CREDIT | {"policy.read", "eval.read"}
    assert catalog.permissions_of(["chief", ""]) == frozenset()  # an undeclared role allows nothing


def test_a_deployment_file_adds_roles_and_replaces_bundled_ones_as_a_whole(tmp_path: Path) -> None:
    own = _write(tmp_path, DEPLOYMENT)
    catalog = load_role_catalog(BUNDLED_ROLES_FILE, own)

    assert catalog.names == (*BUNDLED, "queue_watcher")  # a replaced role keeps its place, new ones follow
    assert catalog.sources == (str(BUNDLED_ROLES_FILE), str(own))
    watcher, engineer = catalog.get("queue_watcher"), catalog.get("engineer")
    described = "Watches the queue; decides nothing."
    assert watcher == Role("queue_watcher", described, frozenset({"queue.read", "proposal.read"}), str(own))
    assert engineer is not None and engineer.description == "Engineers here also read the audit log."
    assert set(engineer.permissions) == BUNDLED["engineer"] | {"audit.read"}
    assert {name: set(catalog.permissions_of([name])) for name in BUNDLED if name != "engineer"} == {
        name: granted for name, granted in BUNDLED.items() if name != "engineer"
    }


def test_the_catalog_is_immutable_and_refuses_an_inconsistent_construction() -> None:
    catalog = load_role_catalog(BUNDLED_ROLES_FILE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        catalog.roles = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        catalog._by_name["x"] = catalog.roles[0]  # type: ignore[index]
    admin = catalog.roles[-1]
    with pytest.raises(ConfigurationError, match="declared twice"):
        RoleCatalog((admin, admin))
    with pytest.raises(ConfigurationError, match="not a role name"):
        RoleCatalog((dataclasses.replace(admin, name="Admin"),))
    with pytest.raises(ConfigurationError, match="unknown permission"):
        RoleCatalog((dataclasses.replace(admin, permissions=frozenset({"everything"})),))  # type: ignore[arg-type]


def test_require_names_the_unknown_roles_and_lists_the_declared_ones(tmp_path: Path) -> None:
    catalog = load_role_catalog(BUNDLED_ROLES_FILE)
    catalog.require(["admin", "auditor"])
    with pytest.raises(UnknownRole) as refused:
        catalog.require(["chief", "admin", "boss", "chief"])
    assert refused.value.roles == ("boss", "chief")
    assert str(refused.value) == (
        f"unknown role(s) boss, chief; roles are: {', '.join(BUNDLED)} (declared in {BUNDLED_ROLES_FILE})"
    )


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        (
            "roles:\n  viewer:\n    description: Reads.\n    permissions: [queue.read, queue.write]\n",
            4,
            "role 'viewer': 'queue.write' is not a permission; permissions are: " + ", ".join(PERMISSIONS),
        ),
        (
            "roles:\n  viewer:\n    description: Reads.\n    permissions: [[queue.read]]\n",
            4,
            "role 'viewer': a nested value is not a permission",
        ),
        ("roles:\n  Viewer:\n    description: Reads.\n    permissions: []\n", 2, "'Viewer' is not a role name"),
        ("roles:\n  view-er:\n    description: Reads.\n    permissions: []\n", 2, "'view-er' is not a role name"),
        (
            "roles:\n  viewer: {description: A, permissions: []}\n  viewer: {description: B, permissions: []}\n",
            3,
            "'viewer' appears twice in one mapping",
        ),
        (
            "roles:\n  a: &base {description: A, permissions: [queue.read]}\n  b: *base\n",
            3,
            "uses a YAML alias (*...); write it out",
        ),
        ("roles:\n  a: !!python/object {}\n", 2, "uses a YAML tag"),
        ("roles:\n  viewer:\n    description: Reads.\n", 3, "role 'viewer' needs 'permissions'"),
        ("roles:\n  viewer:\n    permissions: []\n", 3, "role 'viewer' needs 'description'"),
        ("roles:\n  viewer: {description: '', permissions: []}\n", 2, "the description must be text, not empty"),
        ("roles:\n  viewer: {description: 12, permissions: []}\n", 2, "the description must be text"),
        ("roles:\n  viewer: {description: A, permissions: queue.read}\n", 2, "permissions must be a list"),
        ("roles:\n  viewer: {description: A, permissions: [], grants: [all]}\n", 2, "'grants' is not a known key"),
        ("roles:\n  viewer: admin\n", 2, "role 'viewer' must be a mapping"),
        ("role:\n  viewer: {description: A, permissions: []}\n", 1, "'role' is not a known key"),
        ("roles: [viewer]\n", 1, "'roles' must be a mapping"),
        ("", 1, "is empty"),
        ("- roles\n", 1, "must be a mapping that starts with 'roles:'"),
        ("roles:\n  viewer: {description: A\n", 3, "is not valid YAML"),
    ],
)
def test_a_bad_roles_file_is_refused_with_its_file_line_and_problem(
    tmp_path: Path, text: str, line: int, problem: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(RolesFileError) as refused:
        load_role_catalog(BUNDLED_ROLES_FILE, path)
    assert isinstance(refused.value, ConfigurationError)
    assert str(refused.value).startswith(f"roles file {path}:{line}: ")
    assert problem in str(refused.value)
    assert (refused.value.path, refused.value.line) == (str(path), line)


def test_a_roles_file_too_large_missing_or_not_text_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    role = "  r{n}: {{description: Reads., permissions: [queue.read]}}\n"
    large = _write(tmp_path, "roles:\n" + "".join(role.format(n=n) for n in range(2_000)))
    assert large.stat().st_size > MAX_ROLES_FILE_BYTES
    with pytest.raises(RolesFileError, match=f"roles file {large}: is larger than 64 KiB"):
        load_role_catalog(large)
    with pytest.raises(RolesFileError, match="file not found"):
        load_role_catalog(BUNDLED_ROLES_FILE, tmp_path / "missing.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"roles:\n  \xff\xfe: {}\n")
    with pytest.raises(RolesFileError, match="is not UTF-8 text"):
        load_role_catalog(binary)
    with pytest.raises(RolesFileError, match="nests too deeply"):
        parse_roles("roles: " + "[" * 20_000, "deep.yaml")


def _sample_policy(roles: str = "{clerk: 100.0, manager: 1000.0, director: null}") -> tuple[str, Policy]:
    text = SAMPLE_POLICY.replace("{clerk: 100.0, manager: 1000.0, director: null}", roles)
    return text, parse_policy(text, "sample.yaml")


def test_check_policy_roles_names_the_agent_the_action_and_the_unknown_role(tmp_path: Path) -> None:
    staff = _write(
        tmp_path,
        "roles:\n  clerk: {description: Refunds small orders., permissions: [queue.read, proposal.decide]}\n"
        "  manager: {description: Refunds larger orders., permissions: [queue.read, proposal.decide]}\n",
    )
    catalog = load_role_catalog(BUNDLED_ROLES_FILE, staff)
    _, policy = _sample_policy()
    with pytest.raises(UnknownRole) as refused:
        check_policy_roles({"sample": policy}, catalog)
    message = str(refused.value)
    assert message.startswith(
        "the sample policy (sample.yaml), action 'refund', names the role 'director' in authority.roles, "
        "but no roles file declares it"
    )
    assert f"declare it in a roles file (read: {BUNDLED_ROLES_FILE}, {staff})" in message
    assert refused.value.roles == ("director",)

    _, fixed = _sample_policy("{clerk: 100.0, manager: null}")
    check_policy_roles({"sample": fixed}, catalog)  # every role declared: nothing to say


def test_check_policy_roles_passes_the_bundled_policies_under_the_bundled_roles() -> None:
    from policies import default_policy_dir, load_policy

    policies = {path.stem: load_policy(path) for path in sorted(default_policy_dir().glob("*.yaml"))}
    assert len(policies) >= 2
    check_policy_roles(policies, load_role_catalog(BUNDLED_ROLES_FILE))


def test_a_policy_store_given_the_roles_refuses_a_version_naming_an_unknown_role(
    engine: Engine, clock: RacingClock, audit: AuditLog, tmp_path: Path
) -> None:
    staff = _write(
        tmp_path,
        "roles:\n  clerk: {description: Refunds., permissions: [proposal.decide]}\n"
        "  manager: {description: Refunds more., permissions: [proposal.decide]}\n",
    )
    text, _ = _sample_policy("{clerk: 100.0, manager: null}")
    store = PolicyStore(
        engine, clock, audit, bundled={"sample": text}, roles=load_role_catalog(BUNDLED_ROLES_FILE, staff)
    )
    candidate, _ = _sample_policy("{clerk: 100.0, manager: 1000.0,\n    chief: null}")
    with pytest.raises(PolicyFileError) as refused:
        store.save("sample", candidate, author="ops", reason="a chief decides the largest refunds", expected_version=0)
    assert refused.value.line == candidate.splitlines().index("    chief: null}") + 1
    assert refused.value.reason.startswith(
        "actions.refund names the role 'chief' in authority.roles, which no roles file declares; roles are: "
    )
    assert store.latest("sample").version == 0
    assert audit.entries(subject="policy:sample") == []

    saved = store.save("sample", text + "\n# same roles\n", author="ops", reason="a comment", expected_version=0)
    assert saved.version == 1
    unchecked = PolicyStore(engine, clock, audit, bundled={"sample": text})  # without a catalog: no role check
    assert unchecked.save("sample", candidate, author="ops", reason="unchecked", expected_version=1).version == 2
