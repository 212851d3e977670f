"""The source configuration: which systems exist, where their exports live, how columns map to fields.

One YAML file describes every source system. Each system names a connector (`csv`, `json`, `sql`
or one a user registers) and a location (a folder relative to the file, or a SQLAlchemy URL), and
lists its entities. An entity's role says what its rows are:

- ``person``: a record describing someone (a CRM contact, an ERP customer, a web account...);
  its fields feed identity resolution and the golden record.
- ``event``: something that happened to a person record of the same system (an order, a ticket,
  an e-mail open); it lands on that person's signals timeline.
- ``credit_application``: a credit request by a person record of the same system.
- ``reference``: rows other entities look up (a CRM account a contact belongs to).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core import ConfigurationError

FieldType = Literal["text", "email", "phone", "date", "datetime", "integer", "decimal", "boolean"]
Role = Literal["person", "event", "credit_application", "reference"]
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
    kind: Name | None = None
    """For events: the kind of event (order, payment, ticket, email, visit, ...)."""
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

    def columns(self) -> set[str]:
        """Every source column this entity reads."""
        used = {self.id, *(spec.column for spec in self.fields.values())}
        used |= {spec.observed_at for spec in self.fields.values() if spec.observed_at}
        used |= {lookup.key for lookup in self.lookups.values()}
        for optional in (self.subject, self.observed_at):
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


class SourcesConfig(_Strict):
    version: Literal[1] = 1
    systems: dict[Name, SystemSpec] = Field(min_length=1)
    base_dir: Path = Path(".")
    """The folder relative locations are resolved from (the config file's folder)."""

    @model_validator(mode="after")
    def _references(self) -> SourcesConfig:
        for system_name, system in self.systems.items():
            for entity_name, entity in system.entities.items():
                if entity.role in ("event", "credit_application"):
                    system.person_entity(entity.subject_entity, system=system_name)
                for lookup in entity.lookups.values():
                    target = system.entities.get(lookup.entity)
                    if target is None or target.role != "reference":
                        raise ValueError(
                            f"{system_name}.{entity_name}: lookup entity {lookup.entity!r} is not a reference entity"
                        )
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
