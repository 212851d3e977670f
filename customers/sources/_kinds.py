"""The fulfilment side of a source configuration: which fields each kind of row needs, checked on load.

Reference entities of kind ``warehouse``, ``item``, ``stock``, ``carrier`` and ``carrier_rate``, the
event entities of kind ``order`` that order lines belong to, and ``order_line`` entities are read by
Steward itself (`customers.FulfilmentRepository`), so their fields have fixed names, types and
bounds, and must be `required` (a row without them goes to quarantine instead of into a plan). A
configuration that maps them otherwise fails when it is read, naming the entity and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    from customers.sources._config import EntitySpec, FieldType, SourcesConfig

OrderStatus = Literal["open", "shipped", "delivered", "returned", "cancelled"]
ORDER_STATUSES: Final[tuple[OrderStatus, ...]] = ("open", "shipped", "delivered", "returned", "cancelled")
ServiceLevel = Literal["economy", "standard", "express"]
SERVICE_LEVELS: Final[tuple[ServiceLevel, ...]] = ("economy", "standard", "express")
ReferenceKind = Literal["warehouse", "item", "stock", "carrier", "carrier_rate"]
REFERENCE_KINDS: Final[tuple[ReferenceKind, ...]] = ("warehouse", "item", "stock", "carrier", "carrier_rate")
ONE_PER_CONFIGURATION: Final = frozenset({"warehouse", "stock", "carrier", "carrier_rate"})
"""Kinds at most one entity of all systems may have (items: one per system, each system its catalogue)."""
UNIT_WEIGHT: Final = "unit_weight_kg"
"""The field an order line's item lookup brings from the item's `weight_kg`."""

_TEXT: Final[tuple[FieldType, ...]] = ("text",)
_NUMBER: Final[tuple[FieldType, ...]] = ("integer", "decimal")
_WHOLE: Final[tuple[FieldType, ...]] = ("integer",)


@dataclass(frozen=True, slots=True)
class Need:
    """What one field must be: its types, the bounds its mapping must at least impose, its allowed values."""

    types: tuple[FieldType, ...]
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] | None = None
    required: bool = True


NEEDS: Final[dict[str, dict[str, Need]]] = {
    "warehouse": {
        "name": Need(_TEXT),
        "postcode": Need(_TEXT),
        "city": Need(_TEXT, required=False),
        "capacity_per_day": Need(_WHOLE, min=0),
        "handling_cost": Need(_NUMBER, min=0),
    },
    "item": {"weight_kg": Need(_NUMBER, min=0)},
    "stock": {"warehouse": Need(_TEXT), "sku": Need(_TEXT), "quantity": Need(_WHOLE, min=0)},
    "carrier": {
        "name": Need(_TEXT),
        "service_level": Need(_TEXT, choices=SERVICE_LEVELS),
        "cutoff_hour": Need(_WHOLE, min=0, max=23),
    },
    "carrier_rate": {
        "carrier": Need(_TEXT),
        "zone": Need(_WHOLE, min=1, max=4),
        "max_weight_kg": Need(_NUMBER, min=0),
        "price": Need(_NUMBER, min=0),
        "transit_days": Need(_WHOLE, min=0),
    },
    "order": {
        "ship_to_postcode": Need(_TEXT),
        "ship_to_city": Need(_TEXT, required=False),
        "status": Need(_TEXT, choices=ORDER_STATUSES),
        "promised_by": Need(("date",)),
        "delivered_at": Need(("datetime",), required=False),
        "amount": Need(_NUMBER, min=0, required=False),
    },
    "order_line": {"sku": Need(_TEXT), "quantity": Need(_WHOLE, min=1)},
}
"""Per kind (and for orders with lines, and order lines): field → what it must be."""


def _check_fields(entity: EntitySpec, what: str) -> None:
    for name, need in NEEDS[what].items():
        spec = entity.fields.get(name)
        if spec is None:
            if need.required:
                raise ValueError(f"a {what} entity needs the field {name!r} ({_describe(need)})")
            continue
        if spec.type not in need.types:
            raise ValueError(f"{what} field {name!r} must be {_describe(need)}, not {spec.type}")
        if need.min is not None and (spec.min is None or spec.min < need.min):
            raise ValueError(f"{what} field {name!r} needs `min: {need.min:g}` or more ({_describe(need)})")
        if need.max is not None and (spec.max is None or spec.max > need.max):
            raise ValueError(f"{what} field {name!r} needs `max: {need.max:g}` or less ({_describe(need)})")
        if need.choices is not None:
            unknown = sorted(set(spec.choices or ()) - set(need.choices))
            if spec.choices is None or unknown:
                raise ValueError(
                    f"{what} field {name!r} needs `choices` among {', '.join(need.choices)}"
                    + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                )
        if need.required and name not in entity.required:
            raise ValueError(f"{what} field {name!r} must be listed in `required`")


def _describe(need: Need) -> str:
    kind = " or ".join(need.types)
    bounds = []
    if need.min is not None:
        bounds.append(f">= {need.min:g}")
    if need.max is not None:
        bounds.append(f"<= {need.max:g}")
    if need.choices:
        bounds.append("one of " + ", ".join(need.choices))
    return kind + (f" {' and '.join(bounds)}" if bounds else "")


def check_order_line(entity: EntitySpec) -> None:
    """What an order line needs on its own: its order column, sku and quantity, and the item lookup."""
    if not entity.order:
        raise ValueError("an order_line entity needs `order`: the column naming the order the line belongs to")
    _check_fields(entity, "order_line")
    sku_column = entity.fields["sku"].column
    if not any(lookup.key == sku_column and UNIT_WEIGHT in lookup.fields for lookup in entity.lookups.values()):
        raise ValueError(
            f"an order_line entity needs a lookup on its sku column {sku_column!r} into the system's item entity "
            f"that brings {UNIT_WEIGHT} (e.g. item: {{entity: items, key: {sku_column}, "
            f"fields: {{{UNIT_WEIGHT}: weight_kg}}}})"
        )


def check_fulfilment(config: SourcesConfig) -> None:
    """The kinds' fields, their uniqueness, and each order line's order and item entities."""
    seen: dict[str, str] = {}
    for system_name, system in config.systems.items():
        items = 0
        for entity_name, entity in system.entities.items():
            where = f"{system_name}.{entity_name}"
            if entity.role == "reference" and entity.kind in REFERENCE_KINDS:
                _check_at(where, entity, entity.kind)
                if entity.kind in ONE_PER_CONFIGURATION:
                    if entity.kind in seen:
                        raise ValueError(f"{where}: {seen[entity.kind]} already is the {entity.kind} entity; keep one")
                    seen[entity.kind] = where
                items += entity.kind == "item"
            if entity.role != "order_line":
                continue
            order = system.entities[system.order_entity(entity.order_entity, system=system_name)]
            _check_at(f"{system_name}.{system.order_entity(entity.order_entity, system=system_name)}", order, "order")
            for lookup in entity.lookups.values():
                if lookup.key == entity.fields["sku"].column and UNIT_WEIGHT in lookup.fields:
                    target = system.entities[lookup.entity]
                    if target.kind != "item":
                        raise ValueError(f"{where}: the sku lookup's entity {lookup.entity!r} is not of kind item")
                    if lookup.fields[UNIT_WEIGHT] != "weight_kg":
                        raise ValueError(f"{where}: the sku lookup must bring {UNIT_WEIGHT}: weight_kg")
        if items > 1:
            raise ValueError(f"system {system_name!r} has {items} entities of kind item; keep one catalogue")


def _check_at(where: str, entity: EntitySpec, what: str) -> None:
    try:
        _check_fields(entity, what)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
