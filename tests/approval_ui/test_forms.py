"""Forms generated from an argument model: every kind of field gets a labelled input, and what a browser
posts comes back as arguments the model accepts, or as a `BadForm` naming the field, never anything else."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field

from approval_ui._forms import (
    MAX_ROWS,
    ArgumentForm,
    BadForm,
    FormField,
    argument_form,
    changed,
    field_specs,
    read_form,
)
from tools import ToolInput


class Speed(StrEnum):
    standard = "standard"
    express = "express"


class Line(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sku: str = Field(min_length=1, description="The article's stock keeping unit.")
    quantity: int = Field(gt=0)
    unit_price: float | None = Field(default=None, title="Unit price (EUR)")


class ShipOrderArgs(ToolInput):
    """A test-only action: ship an order's lines, how fast, with notes for the carrier."""

    reviewer_editable = frozenset({"speed", "gift", "channel", "notes", "lines", "discount"})

    order_id: str = Field(min_length=1)
    speed: Speed = Field(description="How fast the carrier delivers.")
    gift: bool = False
    channel: Literal["web", "shop"] = "web"
    notes: list[str] = Field(default_factory=list, max_length=5)
    lines: list[Line] = Field(title="Order lines", min_length=1, max_length=4)
    discount: float | None = None


ARGUMENTS = ShipOrderArgs(
    order_id="O-1",
    speed=Speed.express,
    notes=["ring twice"],
    lines=[Line(sku="A-1", quantity=2), Line(sku="B-7", quantity=1, unit_price=9.5)],
).model_dump(mode="json")
PAGE = frozenset({"verdict", "reason", "csrf_token"})


def _form(posted: dict[str, str] | None = None) -> ArgumentForm:
    return argument_form(
        ShipOrderArgs,
        ARGUMENTS,
        action="ship_order",
        title="Ship order",
        id_prefix="edit",
        editable=ShipOrderArgs.reviewer_editable,
        posted=posted,
    )


def _field(form: ArgumentForm, key: str) -> FormField:
    return next(f for f in form.fields if f.spec.key == key)


def _posted(**changes: str) -> dict[str, str]:
    """What a browser sends for the form as shown (read-only fields carry no name), with `changes`."""
    sent: dict[str, str] = {"verdict": "edit", "csrf_token": "t"}
    for f in _form().fields:
        if not f.editable:
            continue
        if f.spec.kind == "rows":
            sent |= {cell.name: cell.text for row in f.rows for cell in row.fields}
        else:
            sent[f.name] = f.text
    return sent | {f"arg_{name}": text for name, text in changes.items()}


def test_the_schema_becomes_labelled_fields_of_every_kind() -> None:
    specs = {spec.key: spec for spec in field_specs(ShipOrderArgs)}
    assert {key: spec.kind for key, spec in specs.items()} == {
        "order_id": "text",
        "speed": "choice",
        "gift": "boolean",
        "channel": "choice",
        "notes": "lines",
        "lines": "rows",
        "discount": "number",
    }
    assert (specs["order_id"].label, specs["lines"].label) == ("Order id", "Order lines")  # name, or its own title
    assert specs["speed"].help == "How fast the carrier delivers."
    assert (specs["speed"].choices, specs["channel"].choices) == (("standard", "express"), ("web", "shop"))
    assert (specs["notes"].max_items, specs["lines"].max_items) == (5, 4)
    assert [(c.key, c.label, c.kind, c.required) for c in specs["lines"].columns] == [
        ("sku", "Sku", "text", True),
        ("quantity", "Quantity", "integer", True),
        ("unit_price", "Unit price (EUR)", "number", False),
    ]
    assert specs["discount"].nullable and not specs["discount"].required


def test_the_filled_form_has_inputs_only_for_editable_fields_and_a_blank_row_to_add() -> None:
    form = _form()
    order = _field(form, "order_id")
    assert (order.editable, order.text) == (False, "O-1")  # shown, read-only
    assert form.inputs == ShipOrderArgs.reviewer_editable
    speed = _field(form, "speed")
    assert [(o.value, o.selected) for o in speed.options] == [("standard", False), ("express", True)]
    gift = _field(form, "gift")
    assert [(o.value, o.label, o.selected) for o in gift.options] == [
        ("", "—", False),
        ("true", "Yes", False),
        ("false", "No", True),
    ]
    assert _field(form, "notes").text == "ring twice"
    rows = _field(form, "lines").rows
    assert [(row.index, row.blank, [cell.text for cell in row.fields]) for row in rows] == [
        (0, False, ["A-1", "2", ""]),
        (1, False, ["B-7", "1", "9.5"]),
        (2, True, ["", "", ""]),
    ]
    assert rows[1].fields[2].name == "arg_lines.1.unit_price"
    assert rows[1].fields[2].id == "edit-lines-1-unit_price"
    assert len({f.id for f in form.fields} | {c.id for r in rows for c in r.fields}) == len(form.fields) + 9


def test_a_posted_form_reads_back_into_arguments_the_model_accepts() -> None:
    sent = _posted(speed="standard", gift="true", notes="ring twice\n\n  leave at the door  \n")
    sent |= {"arg_lines.1.sku": " ", "arg_lines.1.quantity": "", "arg_lines.1.unit_price": ""}  # emptied: removed
    sent |= {"arg_lines.2.sku": "C-3", "arg_lines.2.quantity": "4", "arg_lines.2.unit_price": "1e2"}  # added
    values = read_form(_form(), sent, others=PAGE)
    assert values == {
        "speed": "standard",
        "gift": True,
        "channel": "web",
        "notes": ["ring twice", "leave at the door"],
        "lines": [
            {"sku": "A-1", "quantity": 2, "unit_price": None},
            {"sku": "C-3", "quantity": 4, "unit_price": 100.0},
        ],
        "discount": None,
    }
    edit = changed(values, ARGUMENTS)
    assert set(edit) == {"speed", "gift", "notes", "lines"}  # unchanged values are not part of the edit
    assert ShipOrderArgs.model_validate({**ARGUMENTS, **edit}).lines[1].sku == "C-3"


def test_a_read_only_field_posted_anyway_is_read_so_the_supervisor_can_refuse_it() -> None:
    values = read_form(_form(), _posted(order_id="O-2"), others=PAGE)
    assert changed(values, ARGUMENTS) == {"order_id": "O-2"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"arg_colour": "red"}, "Ship order has no field 'arg_colour'"),
        ({"sneaky": "1"}, "The form has no field 'sneaky'"),
        ({"arg_lines": "x"}, "Ship order has no field 'arg_lines'"),
        ({"arg_speed.0.x": "x"}, "Ship order has no field 'arg_speed.0.x'"),
        ({"arg_lines.0.colour": "red"}, "Order lines has no field '0.colour'"),
        ({f"arg_lines.{MAX_ROWS + 1}.sku": "Z"}, f"Order lines has no field '{MAX_ROWS + 1}.sku'"),
        ({"arg_lines.1000.sku": "Z"}, "Order lines has no field '1000.sku'"),
        ({f"arg_lines.{i}.sku": "Z" for i in range(2, 5)}, "Order lines has more than 4 rows"),
        ({"arg_notes": "\n".join("n" * 6)}, "Notes has more than 5 lines"),
        ({"arg_lines.0.quantity": "1.5"}, "Order lines, row 1: Quantity must be a whole number, not '1.5'"),
        ({"arg_lines.0.quantity": "1_000"}, "must be a whole number"),
        ({"arg_lines.0.quantity": "9" * 40}, "must be a whole number"),
        ({"arg_lines.0.unit_price": "lots"}, "Order lines, row 1: Unit price (EUR) must be a number, not 'lots'"),
        ({"arg_discount": "1e400"}, "Discount must be a finite number, not '1e400'"),
        ({"arg_discount": "NaN"}, "Discount must be a finite number"),
        ({"arg_discount": "-inf"}, "Discount must be a finite number"),
        ({"arg_discount": "0x10"}, "Discount must be a number"),
        ({"arg_speed": "warp"}, "Speed must be one of standard, express"),
        ({"arg_speed": ""}, "Speed needs a value"),
        ({"arg_gift": "maybe"}, "Gift must be yes or no"),
        ({"arg_notes": "a\x00b"}, "Notes holds a character that cannot be kept"),
        ({"arg_notes": "x" * 1001}, "Notes, line 1 is longer than 1000 characters"),
    ],
)
def test_hostile_or_mistaken_input_is_refused_with_the_field_named(changes: dict[str, str], message: str) -> None:
    with pytest.raises(BadForm) as refused:
        read_form(_form(), _posted() | changes, others=PAGE)
    assert message in str(refused.value)


def test_a_refused_form_is_shown_again_with_what_was_typed() -> None:
    sent = _posted(speed="standard", notes="one\ntwo") | {"arg_lines.2.sku": "C-3", "arg_lines.2.quantity": "x"}
    form = _form(sent)
    assert [o.value for o in _field(form, "speed").options if o.selected] == ["standard"]
    assert _field(form, "notes").text == "one\ntwo"
    rows = _field(form, "lines").rows
    assert [[cell.text for cell in row.fields] for row in rows] == [
        ["A-1", "2", ""],
        ["B-7", "1", "9.5"],
        ["C-3", "x", ""],
        ["", "", ""],  # and still a blank one to add
    ]


def test_other_shapes_are_edited_as_bounded_json() -> None:
    class Tagged(ToolInput):
        reviewer_editable = frozenset({"weights"})
        weights: dict[str, float]

    form = argument_form(Tagged, {"weights": {"a": 1.0}}, action="t", title="T", id_prefix="t", editable={"weights"})
    assert (form.fields[0].spec.kind, form.fields[0].text) == ("json", '{"a": 1.0}')
    assert read_form(form, {"arg_weights": '{"a": 0.5}'}) == {"weights": {"a": 0.5}}
    for text, message in (
        ('{"a": NaN}', "finite"),
        ("[[[[1]]]]", "nested deeper"),
        ("[" * 900 + "]" * 900, "nested deeper"),
        ("[" * 3000 + "]" * 3000, "must be JSON"),  # beyond the parser's recursion limit
        ("{", "must be JSON"),
        ("1" * 9000, "longer than"),
    ):
        with pytest.raises(BadForm, match=message):
            read_form(form, {"arg_weights": text})


def test_numbers_compare_by_value_so_an_unchanged_amount_is_no_edit() -> None:
    assert changed({"amount": 5000, "term": 12}, {"amount": 5000.0, "term": 12}) == {}
    assert changed({"amount": 4900}, {"amount": 5000.0}) == {"amount": 4900}


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.one_of(
            st.sampled_from(["arg_speed", "arg_gift", "arg_notes", "arg_discount", "arg_lines.0.sku", "verdict"]),
            st.from_regex(r"arg_lines\.[0-9]{1,3}\.(sku|quantity|unit_price|x)", fullmatch=True),
            st.text(max_size=20),
        ),
        st.text(max_size=60),
        max_size=12,
    )
)
def test_any_posted_form_reads_as_arguments_or_a_bad_form(posted: dict[str, str]) -> None:
    try:
        values = read_form(_form(), posted, others=PAGE)
    except BadForm:
        return
    assert set(values) <= ShipOrderArgs.model_fields.keys()
    rows = values.get("lines", [])
    assert isinstance(rows, list) and len(rows) <= 4
