"""What facts an agent gives its policy, and their CEL types: the schema a policy's conditions are checked against.

An agent declares the facts its policy may read (in `agents`, as a pydantic model); this is the pure
picture of them the policy engine checks conditions against, so a condition that reads a fact no agent
provides (``application.amout``) or compares it with the wrong type is refused when the policy is saved,
not found out when a case fails closed.

    schema = FactSchema.of({"application.amount": "double", "orders[].total": "double"})
    schema.paths()["application.amount"]  # "double"
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

from core import ConfigurationError

CelType = Literal[
    "bool", "int", "uint", "double", "string", "bytes", "list", "map", "timestamp", "duration", "null", "dyn"
]
"""CEL's types as the facts check uses them; ``dyn`` is a value of any type (nothing is checked about it)."""
CEL_TYPES: frozenset[str] = frozenset(get_args(CelType))
NUMBERS: frozenset[CelType] = frozenset({"int", "uint", "double"})


@dataclass(frozen=True)
class FactType:
    """The CEL type of one fact, or of a value a condition computes.

    A ``map`` with `fields` has exactly those keys (a nested object); one without has any keys, each
    value of type `element`. A ``list``'s elements are of type `element`. `nullable` facts may be null.
    """

    kind: CelType
    fields: Mapping[str, "FactType"] | None = None
    element: "FactType | None" = None
    nullable: bool = False

    def __post_init__(self) -> None:
        if self.kind not in CEL_TYPES:
            raise ConfigurationError(f"{self.kind!r} is not a CEL type; use one of {', '.join(sorted(CEL_TYPES))}")
        if self.fields is not None and self.kind != "map":
            raise ConfigurationError(f"a {self.kind} has no fields; only a map has")
        if self.element is not None and self.kind not in ("list", "map"):
            raise ConfigurationError(f"a {self.kind} has no elements; only a list or a map has")

    def describe(self) -> str:
        """``double``, ``list of string``, ``map`` or ``int or null``: how messages name the type."""
        text: str = self.kind
        if self.kind == "list" and self.element is not None and self.element.kind != "dyn":
            text = f"list of {self.element.kind}"
        return f"{text} or null" if self.nullable else text


DYN = FactType("dyn")


@dataclass(frozen=True)
class FactSchema:
    """The facts an agent gives its policy: each top-level name (``customer``, ``application``) and its type."""

    roots: Mapping[str, FactType] = field(default_factory=dict)

    @classmethod
    def of(cls, paths: Mapping[str, CelType]) -> "FactSchema":
        """A schema from dotted paths and their types; ``[]`` after a name steps into a list's elements.

        ``{"application.amount": "double", "orders[].lines[].sku": "string"}``: the maps and lists on the
        way are made as needed.
        """
        tree: dict[str, object] = {}
        for path, kind in paths.items():
            parts = path.split(".")
            if not path or any(not part or part == "[]" for part in parts):
                raise ConfigurationError(f"{path!r} is not a dotted fact path such as 'application.amount'")
            node = tree
            for part in parts[:-1]:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    raise ConfigurationError(f"{path!r}: {part!r} is declared as a {child} and cannot have fields")
                node = child
            if parts[-1] in node:
                raise ConfigurationError(f"{path!r} is declared twice or has fields of its own")
            node[parts[-1]] = kind
        return cls(_fields(tree))

    def get(self, path: str) -> FactType | None:
        """The type at a dotted `path` (``[]`` steps into a list), or None when no such fact is declared."""
        parts = path.split(".")
        found: FactType | None = FactType("map", self.roots)
        for part in parts:
            if found is None:
                return None
            name, into_list = (part[:-2], True) if part.endswith("[]") else (part, False)
            found = (found.fields or {}).get(name)
            if found is not None and into_list:
                found = found.element if found.kind == "list" else None
        return found

    def paths(self) -> dict[str, CelType]:
        """Every declared fact by dotted path (``orders[].total`` for a field of a list's elements), in order."""
        return dict(_walk(self.roots, ""))


def _fields(tree: Mapping[str, object]) -> dict[str, FactType]:
    """The facts of a tree of declared names (``orders[]`` is the list ``orders``)."""
    out: dict[str, FactType] = {}
    for key, value in tree.items():
        name = key.removesuffix("[]")
        if name in out:
            raise ConfigurationError(f"{name!r} is declared both as a list (with []) and as something else")
        inner = FactType("map", _fields(value)) if isinstance(value, dict) else FactType(value)  # type: ignore[arg-type]
        out[name] = FactType("list", element=inner) if key.endswith("[]") else inner
    return out


def _walk(fields: Mapping[str, FactType], prefix: str) -> Iterator[tuple[str, CelType]]:
    for name, fact in fields.items():
        path = f"{prefix}{name}"
        yield path, fact.kind
        inner, step = fact, path
        while inner.kind == "list" and inner.element is not None:
            inner, step = inner.element, f"{step}[]"
        if inner.fields is not None:
            yield from _walk(inner.fields, f"{step}.")


@dataclass(frozen=True)
class FactProblem:
    """A condition that reads a fact its agent does not provide, or uses a fact with the wrong type.

    `location` is the condition's place in the file (``("actions", "refund", "rules", 0, "when")``),
    `where` the same written out, `line` its line in the YAML.
    """

    location: tuple[str | int, ...]
    where: str
    line: int | None
    message: str

    def __str__(self) -> str:
        at = f"line {self.line}: " if self.line is not None else ""
        return f"{at}{self.where}: {self.message}"
