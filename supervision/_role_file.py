"""Read roles files into a `RoleCatalog`, pointing every mistake at its file and line.

A roles file is YAML::

    roles:
      credit_officer:
        description: Decides credit proposals within the limits the policy gives the role.
        permissions: [queue.read, proposal.read, proposal.decide, customer.read, autonomy.read]

The first file (Steward's bundled one) declares the roles; each later file (a deployment's own) adds
roles, and a role it names that an earlier file declared is replaced as a whole. Files are small and
plain: at most `MAX_ROLES_FILE_BYTES`, no YAML aliases, no key twice, no keys but these.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

import yaml

from core import ConfigurationError
from supervision._roles import PERMISSIONS, ROLE_NAME, Permission, Role, RoleCatalog

MAX_ROLES_FILE_BYTES: Final = 64 * 1024
MAX_DESCRIPTION_CHARS: Final = 500
ROLE_KEYS: Final = ("description", "permissions")


class RolesFileError(ConfigurationError):
    """A roles file is missing, unreadable, too large, not plain YAML, or declares a role wrongly."""

    def __init__(self, path: str, line: int | None, reason: str) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"roles file {where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


def load_role_catalog(first: str | Path, *more: str | Path) -> RoleCatalog:
    """The catalog declared by `first`, extended (and overridden) by each of `more` in turn."""
    catalog = RoleCatalog(read_roles(first), (str(first),))
    for path in more:
        catalog = catalog.extended(read_roles(path), str(path))
    return catalog


def read_roles(path: str | Path) -> tuple[Role, ...]:
    """The roles one file declares, in file order; `RolesFileError` on any problem."""
    name = str(path)
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(MAX_ROLES_FILE_BYTES + 1)
    except FileNotFoundError:
        raise RolesFileError(name, None, "file not found; check the path (STEWARD_ROLES_FILE)") from None
    except OSError as exc:
        raise RolesFileError(name, None, f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > MAX_ROLES_FILE_BYTES:
        raise RolesFileError(name, None, f"is larger than {MAX_ROLES_FILE_BYTES // 1024} KiB; a roles file is short")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RolesFileError(name, None, f"is not UTF-8 text ({exc.reason}); save it as UTF-8") from None
    return parse_roles(text, name)


def parse_roles(text: str, source: str = "<string>") -> tuple[Role, ...]:
    """The roles declared by roles-file YAML given as text; `source` names it in messages and in each role."""
    root = _compose(text, source)
    roles_node: yaml.Node | None = None
    for key, value in root.value:
        if _scalar(key) != "roles":
            raise RolesFileError(source, _line(key), f"{_scalar(key)!r} is not a known key; a roles file has 'roles:'")
        roles_node = value
    if roles_node is None:
        raise RolesFileError(source, _line(root), "has no 'roles:' mapping")
    if not isinstance(roles_node, yaml.MappingNode):
        raise RolesFileError(source, _line(roles_node), "'roles' must be a mapping of role name to its declaration")
    return tuple(_role(key, value, source) for key, value in roles_node.value)


def _role(key: yaml.Node, node: yaml.Node, source: str) -> Role:
    name = _scalar(key)
    if not ROLE_NAME.fullmatch(name):
        raise RolesFileError(
            source,
            _line(key),
            f"{name!r} is not a role name: lower-case letters, digits and underscores, starting with a letter, "
            "at most 63 characters",
        )
    if not isinstance(node, yaml.MappingNode):
        raise RolesFileError(source, _line(node), f"role {name!r} must be a mapping with description and permissions")
    found = {_scalar(k): (k, v) for k, v in node.value}
    extras = [key for key in found if key not in ROLE_KEYS]
    if extras:
        raise RolesFileError(
            source,
            _line(found[extras[0]][0]),
            f"role {name!r}: {extras[0]!r} is not a known key; a role has {' and '.join(ROLE_KEYS)}",
        )
    for missing in ROLE_KEYS:
        if missing not in found:
            raise RolesFileError(source, _line(node), f"role {name!r} needs {missing!r}")
    return Role(
        name=name,
        description=_description(name, found["description"][1], source),
        permissions=_permissions(name, found["permissions"][1], source),
        source=source,
    )


def _description(role: str, node: yaml.Node, source: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str" or not node.value.strip():
        raise RolesFileError(source, _line(node), f"role {role!r}: the description must be text, not empty")
    if len(node.value) > MAX_DESCRIPTION_CHARS:
        raise RolesFileError(
            source, _line(node), f"role {role!r}: the description is longer than {MAX_DESCRIPTION_CHARS} characters"
        )
    return str(node.value).strip()


def _permissions(role: str, node: yaml.Node, source: str) -> frozenset[Permission]:
    if not isinstance(node, yaml.SequenceNode):
        raise RolesFileError(
            source, _line(node), f"role {role!r}: permissions must be a list, e.g. [queue.read, proposal.read]"
        )
    granted: set[Permission] = set()
    for item in node.value:
        value = _scalar(item) if isinstance(item, yaml.ScalarNode) else None
        if value not in PERMISSIONS:
            shown = repr(value) if value is not None else "a nested value"
            raise RolesFileError(
                source,
                _line(item),
                f"role {role!r}: {shown} is not a permission; permissions are: {', '.join(PERMISSIONS)}",
            )
        granted.add(value)
    return frozenset(granted)


def _compose(text: str, source: str) -> yaml.MappingNode:
    """The YAML node tree, refusing syntax errors, aliases, tags, duplicate keys and anything but a mapping."""
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.AliasToken):
                raise RolesFileError(source, token.start_mark.line + 1, "uses a YAML alias (*...); write it out")
            if isinstance(token, yaml.TagToken):
                raise RolesFileError(source, token.start_mark.line + 1, "uses a YAML tag (!...); write plain values")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise RolesFileError(
            source, mark.line + 1 if mark is not None else None, f"is not valid YAML: {exc.problem or exc.context}"
        ) from None
    except yaml.YAMLError as exc:
        raise RolesFileError(source, None, f"is not valid YAML: {exc}") from None
    except RecursionError:
        raise RolesFileError(source, None, "nests too deeply to be a roles file") from None
    if root is None:
        raise RolesFileError(source, 1, "is empty; a roles file starts with 'roles:'")
    if not isinstance(root, yaml.MappingNode):
        raise RolesFileError(source, _line(root), "must be a mapping that starts with 'roles:'")
    _refuse_duplicate_keys(root, source)
    return root


def _refuse_duplicate_keys(node: yaml.Node, source: str) -> None:
    """PyYAML keeps the last of two equal keys silently; a role declared twice in one file is a mistake."""
    children: Sequence[yaml.Node] = ()
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, _ in node.value:
            name = _scalar(key)
            if name in seen:
                raise RolesFileError(source, _line(key), f"{name!r} appears twice in one mapping")
            seen.add(name)
        children = [value for _, value in node.value]
    elif isinstance(node, yaml.SequenceNode):
        children = node.value
    for child in children:
        _refuse_duplicate_keys(child, source)


def _scalar(node: yaml.Node) -> str:
    """A key's text; a key that is itself a list or mapping reads as its YAML kind, so messages can name it."""
    return (
        str(node.value)
        if isinstance(node, yaml.ScalarNode)
        else f"<{'list' if isinstance(node, yaml.SequenceNode) else 'mapping'}>"
    )


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1
