"""The source configuration: which systems exist, where their exports live, how columns map to fields.

One YAML file describes every source system. Each system names a connector (`csv`, `json`, `sql`
or one a user registers) and a location (a folder relative to the file, or a SQLAlchemy URL), and
lists its entities. An entity's role says what its rows are:

- ``person``: a record describing someone (a CRM contact, an ERP customer, a web account...);
  its fields feed identity resolution and the golden record.
- ``event``: something that happened to a person record of the same system (an order, a ticket,
  an e-mail open); it lands on that person's signals timeline.
- ``credit_application``: a credit request by a person record of the same system.
- ``reference``: rows other entities look up (a CRM account a contact belongs to), and reference data
  with lineage. A reference entity's `kind` says what its rows are when Steward reads them itself:
  ``warehouse``, ``item``, ``stock``, ``carrier`` or ``carrier_rate`` (the fulfilment side; the fields
  each kind needs are in `customers/sources/_kinds.py`).
- ``order_line``: one line of an order: `order` names the column holding the order's id, an order of
  an event entity of kind ``order`` in the same system (`order_entity`, default: the system's only
  one); the line needs the fields ``sku`` and ``quantity`` (an integer, ``min`` at least 1) and a lookup
  on its sku column into the system's ``item`` reference entity that brings ``unit_weight_kg``. An
  order line whose order is unknown goes to quarantine; an order with an invalid line goes to
  quarantine with the line's reason, and its other lines with it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core import ConfigurationError
from customers.sources._kinds import check_fulfilment, check_order_line

FieldType = Literal["text", "email", "phone", "date", "datetime", "integer", "decimal", "boolean"]
Role = Literal["person", "event", "credit_application", "reference", "order_line"]
NameFormat = Literal["given surname", "surname, given"]

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]

KNOWN_TYPES: dict[str, FieldType] = {
    "email": "email",
    "phone": "phone",
    "date_of_birth": "date",
    "occurred_at": "datetime",
    "updated_at": "datetime",
    "amount": "decimal",
    "credit_limit": "decimal",
    "consent_marketing": "boolean",
    "consent_profiling": "boolean",
    "consent_automated_decision": "boolean",
    "objects_to_automated_decisions": "boolean",
    "vulnerable": "boolean",
}
"""Types of well-known fields, so a mapping can name just the column."""

APPLICATION_FIELDS = ("amount", "duration_months", "purpose", "installment_rate")
"""Fields every credit application carries (plus optional `requested_at` and `requested_by`)."""

SPLIT_FIELDS = ("full_name", "address_line")
"""Fields a source carries in one column and Steward splits: a full name into given name and surname,
an address line ("Main Street 12") into street and house number."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FieldSpec(_Strict):
    """Where one field's value comes from in a source row, and how to read it."""

    column: str = Field(min_length=1)
    type: FieldType = "text"
    format: NameFormat | None = None
    """For `full_name`: the order of the parts."""
    observed_at: str | None = None
    """A column holding when this value was true (e.g. the date of a consent); default: the row's."""
    min: float | None = None
    """Smallest valid number, for `integer` and `decimal` fields."""
    max: float | None = None
    """Largest valid number, for `integer` and `decimal` fields."""
    choices: tuple[str, ...] | None = Field(default=None, min_length=1)
    """For `text` fields: the only values allowed (compared ignoring case; stored as written here)."""

    @model_validator(mode="after")
    def _bounds(self) -> FieldSpec:
        if self.choices is not None and self.type != "text":
            raise ValueError("`choices` applies to text fields only")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} is above max {self.max:g}")
        return self


class Lookup(_Strict):
    """Fields taken from a reference row: `key` is this row's column holding the reference's id."""

    entity: Name
    key: str
    fields: dict[Name, str]
    """Field name → column of the reference row."""


class EntitySpec(_Strict):
    """One kind of row a system exports: a file, a table or a query."""

    role: Role
    file: str | None = None
    table: str | None = None
    query: str | None = None
    id: str = Field(min_length=1)
    """The column holding the record's id in its system."""
    subject: str | None = None
    """For events and applications: the column holding the id of the person record they are about."""
    subject_entity: Name | None = None
    """The person entity `subject` points into; default: the system's only person entity."""
    order: str | None = None
    """For order lines: the column holding the id of the order the line belongs to."""
    order_entity: Name | None = None
    """For order lines: the event entity (kind ``order``) `order` points into; default: the system's only one."""
    kind: Name | None = None
    """For events: the kind of event (order, payment, ticket, email, visit, ...); for reference entities,
    optionally what their rows are (warehouse, item, stock, carrier, carrier_rate)."""
    observed_at: str | None = None
    """For person rows: the column saying when the system last changed the record."""
    required: tuple[Name, ...] = ()
    fields: dict[Name, FieldSpec] = {}
    lookups: dict[Name, Lookup] = {}

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("fields"), dict):
            expanded = {}
            for name, spec in data["fields"].items():
                if isinstance(spec, str):
                    spec = {"column": spec}
                if isinstance(spec, dict) and "type" not in spec and name in KNOWN_TYPES:
                    spec = {**spec, "type": KNOWN_TYPES[name]}
                expanded[name] = spec
            data = {**data, "fields": expanded}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> EntitySpec:
        sources = [name for name in ("file", "table", "query") if getattr(self, name)]
        if len(sources) != 1:
            raise ValueError("give exactly one of file, table or query")
        if self.role in ("event", "credit_application") and not self.subject:
            raise ValueError(f"a {self.role} entity needs `subject`: the column naming its person record")
        if self.role == "order_line":
            check_order_line(self)
        elif self.order or self.order_entity:
            raise ValueError("only an order_line entity has `order` and `order_entity`")
        if self.role not in ("event", "reference") and self.kind:
            raise ValueError(f"a {self.role} entity has no `kind` (events and reference entities do)")
        if self.role == "event" and not self.kind:
            raise ValueError("an event entity needs `kind` (order, payment, ticket, email, visit, ...)")
        if self.role == "event" and "occurred_at" not in self.fields:
            raise ValueError("an event entity needs the field `occurred_at`")
        if self.role == "credit_application":
            absent = [name for name in APPLICATION_FIELDS if name not in self.required]
            if absent:
                raise ValueError(f"a credit_application entity needs the required fields {', '.join(absent)}")
        for name in self.required:
            if name not in self.fields:
                raise ValueError(f"required field {name!r} is not among the entity's fields")
        return self

    @property
    def parent_column(self) -> str | None:
        """The column naming the record this row belongs to: the person (events, applications) or the order."""
        return self.subject or self.order

    def columns(self) -> set[str]:
        """Every source column this entity reads."""
        used = {self.id, *(spec.column for spec in self.fields.values())}
        used |= {spec.observed_at for spec in self.fields.values() if spec.observed_at}
        used |= {lookup.key for lookup in self.lookups.values()}
        for optional in (self.subject, self.order, self.observed_at):
            if optional:
                used.add(optional)
        return used


class SystemSpec(_Strict):
    connector: Name
    location: str = Field(min_length=1)
    entities: dict[Name, EntitySpec] = Field(min_length=1)

    def person_entity(self, name: str | None, *, system: str) -> str:
        persons = [entity for entity, spec in self.entities.items() if spec.role == "person"]
        if name is not None:
            if name not in persons:
                raise ConfigurationError(f"system {system!r}: {name!r} is not one of its person entities {persons}")
            return name
        if len(persons) != 1:
            raise ConfigurationError(
                f"system {system!r} has {len(persons)} person entities; name one with `subject_entity`"
            )
        return persons[0]

    def order_entity(self, name: str | None, *, system: str) -> str:
        """The order entity an order line names: an event entity of kind ``order`` of this system."""
        orders = [e for e, spec in self.entities.items() if spec.role == "event" and spec.kind == "order"]
        if name is not None:
            if name not in orders:
                raise ConfigurationError(
                    f"system {system!r}: {name!r} is not one of its event entities of kind order {orders}"
                )
            return name
        if len(orders) != 1:
            raise ConfigurationError(
                f"system {system!r} has {len(orders)} event entities of kind order; "
                "name the one its order lines belong to with `order_entity`"
            )
        return orders[0]

    def parent_entity(self, entity: EntitySpec, *, system: str) -> str | None:
        """The entity an event's, application's or order line's parent column points into."""
        if entity.role in ("event", "credit_application"):
            return self.person_entity(entity.subject_entity, system=system)
        if entity.role == "order_line":
            return self.order_entity(entity.order_entity, system=system)
        return None


class SourcesConfig(_Strict):
    version: Literal[1] = 1
    systems: dict[Name, SystemSpec] = Field(min_length=1)
    base_dir: Path = Path(".")
    """The folder relative locations are resolved from (the config file's folder)."""

    @model_validator(mode="after")
    def _references(self) -> SourcesConfig:
        for system_name, system in self.systems.items():
            for entity_name, entity in system.entities.items():
                system.parent_entity(entity, system=system_name)
                for lookup in entity.lookups.values():
                    target = system.entities.get(lookup.entity)
                    if target is None or target.role != "reference":
                        raise ValueError(
                            f"{system_name}.{entity_name}: lookup entity {lookup.entity!r} is not a reference entity"
                        )
        check_fulfilment(self)
        return self

    def system(self, name: str) -> SystemSpec:
        try:
            return self.systems[name]
        except KeyError:
            known = ", ".join(sorted(self.systems))
            raise ConfigurationError(f"no source system {name!r} in the source configuration; known: {known}") from None


def load_sources(path: Path) -> SourcesConfig:
    """Read and validate a source configuration file; errors name the file and the offending entry."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read source configuration {path}: {exc.strerror}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigurationError(f"{path}: expected a mapping with `systems:` at the top")
    try:
        return SourcesConfig.model_validate({**data, "base_dir": path.resolve().parent})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or '<top>'}: {error['msg']}" for error in exc.errors()
        )
        raise ConfigurationError(f"{path}: invalid source configuration: {problems}") from None
