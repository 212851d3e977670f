"""The fulfilment side of a source configuration is checked when it is read, and zones are one rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import ConfigurationError
from customers import shipping_zone
from customers.sources import EntitySpec, FieldSpec, InvalidRow, load_sources, parse_row
from customers.world import SOURCES_FILE
from tests.customers.fulfilment_sources import SOURCES_YAML

_SECOND_WAREHOUSES = """      depots:
        role: reference
        kind: warehouse
        file: warehouses.csv
        id: warehouse_id
        required: [name, postcode, capacity_per_day, handling_cost]
        fields:
          name: name
          postcode: postcode
          capacity_per_day: {column: capacity_per_day, type: integer, min: 0}
          handling_cost: {column: handling_cost, type: decimal, min: 0}
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("        order: order_id\n", ""), "needs `order`: the column naming the order"),
        (
            ("quantity: {column: quantity, type: integer, min: 1}", "quantity: {column: quantity, type: integer}"),
            "'quantity' needs `min: 1` or more",
        ),
        (("required: [sku, quantity]", "required: [sku]"), "'quantity' must be listed in `required`"),
        (("fields: {unit_weight_kg: weight_kg}}", "fields: {}}"), "lookup on its sku column 'sku'"),
        (
            ("required: [status, promised_by, ship_to_postcode]", "required: [status, promised_by]"),
            "erp.orders: order field 'ship_to_postcode' must be listed in `required`",
        ),
        (("choices: [open, shipped, delivered, returned, cancelled]", "choices: [open, lost]"), "unknown: lost"),
        (
            ("zone: {column: zone, type: integer, min: 1, max: 4}", "zone: {column: zone, type: integer, min: 1}"),
            "'zone' needs `max: 4` or less",
        ),
        (
            ("cutoff_hour: {column: cutoff_hour, type: integer, min: 0, max: 23}", "cutoff_hour: cutoff_hour"),
            "'cutoff_hour' must be integer",
        ),
        (("      items:\n", _SECOND_WAREHOUSES + "      items:\n"), "erp.warehouses already is the warehouse entity"),
        (
            ("      customers:\n        role: person\n", "      customers:\n        role: person\n        kind: x\n"),
            "a person entity has no `kind`",
        ),
        (("        kind: order\n", "        kind: order\n        order: order_id\n"), "only an order_line entity"),
        (("{column: status, choices", "{column: status, type: date, choices"), "`choices` applies to text"),
    ],
)
def test_a_fulfilment_configuration_that_does_not_fit_is_refused(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    assert change[0] in SOURCES_YAML
    path = tmp_path / "sources.yaml"
    path.write_text(SOURCES_YAML.replace(*change, 1), encoding="utf-8")
    with pytest.raises(ConfigurationError, match=re.escape(message)):
        load_sources(path)


def test_the_bundled_world_configuration_declares_the_fulfilment_side() -> None:
    config = load_sources(SOURCES_FILE)
    kinds = {
        (system, entity.kind)
        for system, spec in config.systems.items()
        for entity in spec.entities.values()
        if entity.role == "reference"
    }
    assert {("erp", "warehouse"), ("erp", "stock"), ("erp", "carrier"), ("erp", "carrier_rate")} <= kinds
    assert {("erp", "item"), ("shop", "item")} <= kinds
    lines = [(s, n) for s, spec in config.systems.items() for n, e in spec.entities.items() if e.role == "order_line"]
    assert lines == [("erp", "order_lines"), ("shop", "order_lines")]


def test_choices_and_bounds_are_checked_per_value() -> None:
    level = FieldSpec(column="level", choices=("economy", "standard", "express"))
    zone = FieldSpec(column="zone", type="integer", min=1, max=4)
    entity = EntitySpec(role="reference", file="x.csv", id="id", fields={"level": level, "zone": zone})
    assert parse_row({"id": "1", "level": "EXPRESS", "zone": "4"}, entity).fields == {"level": "express", "zone": 4}
    with pytest.raises(InvalidRow, match="'overnight' is not one of economy, standard, express"):
        parse_row({"id": "1", "level": "overnight"}, entity)
    with pytest.raises(InvalidRow, match="5 is above the maximum 4"):
        parse_row({"id": "1", "zone": "5"}, entity)
    amount = FieldSpec(column="price", type="decimal")
    price = EntitySpec(role="reference", file="x.csv", id="id", fields={"price": amount})
    for text in ("inf", "-Infinity", "nan"):
        with pytest.raises(InvalidRow, match="not a finite number"):
            parse_row({"id": "1", "price": text}, price)


@pytest.mark.parametrize(
    ("origin", "destination", "zone"),
    [
        ("10115", "10117", 1),
        ("10115", "19999", 2),
        ("10115", "30115", 3),
        ("90210", "70115", 3),
        ("10115", "40115", 4),
        ("SW1A 1AA", "sw1a 2bb", 1),
        ("SW1A 1AA", "E1 6AN", 4),
        ("", "10115", 4),
        ("10115", "-", 4),
    ],
)
def test_shipping_zones_follow_the_documented_rule(origin: str, destination: str, zone: int) -> None:
    assert shipping_zone(origin, destination) == zone == shipping_zone(destination, origin)


@given(st.text(max_size=12), st.text(max_size=12))
def test_a_zone_is_always_one_to_four_and_symmetric(origin: str, destination: str) -> None:
    zone = shipping_zone(origin, destination)
    assert zone in (1, 2, 3, 4) and zone == shipping_zone(destination, origin)
    if len("".join(origin.split())) >= 3 and origin.strip()[:1].isalnum():
        assert shipping_zone(origin, origin) == 1
