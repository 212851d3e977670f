"""Forms generated from an action's argument model, and a strict reading of what a browser posts back.

`field_specs(model)` reads the pydantic model's JSON schema into typed fields: text, whole and decimal
numbers, yes/no, a choice (an enum or a `Literal`), a list of values (one per line), a list of objects
(a fieldset per row: the current rows plus a blank one to add; a row left blank is dropped) and, for any
other shape, JSON text. `argument_form` fills them with arguments for the page; only the fields named
editable become inputs, the others are shown read-only and carry no name, so a browser never posts them.
`read_form` turns posted text back into arguments and refuses what a form of ours cannot have sent
(`BadForm`, whose message names the field): unknown names, more rows or lines than allowed, texts over
their limit, NUL, numbers that are not finite. It does not judge the values further: the `Supervisor`
validates the edit with the model and the action's own rules, as it does for the API and the CLI.
Nothing here knows an agent.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pydantic import BaseModel

from approval_ui._limits import MAX_ARGUMENT_CHARS, MAX_ARGUMENT_DEPTH, MAX_ARGUMENT_LIST, plain_text
from core import JsonObject, JsonValue

FieldKind = Literal["text", "integer", "number", "boolean", "choice", "lines", "rows", "json"]
"""`lines`: a list of values, one per line; `rows`: a list of objects, a fieldset per row; `json`: any
other shape, edited as JSON text."""
Scalar = str | int | float | bool

FORM_PREFIX = "arg_"
"""Every input of a generated form is named `arg_<field>` (`arg_<field>.<row>.<column>` in a row)."""
MAX_ROWS = MAX_ARGUMENT_LIST
"""At most this many rows (or lines) in one list; a row's index is below `MAX_ROWS + 1` (the blank one)."""
MAX_JSON_CHARS = 8 * MAX_ARGUMENT_CHARS
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_NUMBER = re.compile(r"[+-]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][+-]?[0-9]{1,3})?")
_ROW_PART = re.compile(r"([0-9]{1,3})\.([A-Za-z_][A-Za-z0-9_]{0,99})")
_TRUE, _FALSE = "true", "false"


class BadForm(ValueError):
    """Posted form text that is not a value of its field (or no field at all); the message names it."""


@dataclass(frozen=True)
class FieldSpec:
    """One argument (or one column of a row) as a form field, read from the model's JSON schema."""

    key: str
    label: str
    help: str
    kind: FieldKind
    required: bool
    nullable: bool = False
    default: JsonValue = None
    """The model's default, shown when the arguments lack the field (a replacement's own fields)."""
    choices: tuple[Scalar, ...] = ()
    """For `choice` (and `lines` of choices): the allowed values."""
    item: FieldSpec | None = None
    """For `lines`: what each line holds."""
    columns: tuple[FieldSpec, ...] = ()
    """For `rows`: the fields of one row."""
    max_length: int = MAX_ARGUMENT_CHARS
    max_items: int = MAX_ROWS


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True)
class FormField:
    """A field as the page shows it: its input's name and id, whether it is an input, its current text."""

    spec: FieldSpec
    name: str
    id: str
    editable: bool
    text: str = ""
    options: tuple[Option, ...] = ()
    rows: tuple[FormRow, ...] = ()

    @property
    def label(self) -> str:
        return self.spec.label


@dataclass(frozen=True)
class FormRow:
    index: int
    fields: tuple[FormField, ...]
    blank: bool
    """The empty row offered to add one."""


@dataclass(frozen=True)
class ArgumentForm:
    """The form of one action: its fields, filled, and what a person calls the action."""

    action: str
    title: str
    description: str
    id_prefix: str
    specs: tuple[FieldSpec, ...]
    fields: tuple[FormField, ...] = field(default=())

    @property
    def inputs(self) -> frozenset[str]:
        """The fields a person may fill in (the others are shown read-only)."""
        return frozenset(f.spec.key for f in self.fields if f.editable)


# -- the schema ------------------------------------------------------------------------------------


def _humanised(key: str) -> str:
    return key.replace("_", " ").strip().capitalize() or key


def _label(key: str, schema: Mapping[str, Any]) -> str:
    """The field's own title, unless it is the one pydantic makes up from the name ("Duration Months")."""
    title = schema.get("title")
    if isinstance(title, str) and title.strip() and title != key.title().replace("_", " "):
        return title.strip()
    return _humanised(key)


def _resolved(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> dict[str, Any]:
    """`schema` with a `$ref` (or a single `allOf`) replaced by its definition; the field's own keys win."""
    out = dict(schema)
    for _ in range(8):  # definitions referring to definitions; a cycle is left as it is (shown as JSON)
        ref = out.pop("$ref", None)
        if ref is None and isinstance(out.get("allOf"), list) and len(out["allOf"]) == 1:
            ref = out.pop("allOf")[0].get("$ref")
        if not isinstance(ref, str):
            break
        target = defs.get(ref.rsplit("/", 1)[-1], {})
        out = {**target, **out}
    return out


def _without_null(schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The schema of a non-null value, and whether null is allowed too (`X | None`)."""
    options = schema.get("anyOf")
    if isinstance(options, list):
        rest = [o for o in options if o != {"type": "null"}]
        if len(rest) < len(options) and len(rest) == 1:
            merged = {**rest[0], **{k: v for k, v in schema.items() if k not in ("anyOf", "default")}}
            return merged, True
        return schema, len(rest) < len(options)
    kind = schema.get("type")
    if isinstance(kind, list) and "null" in kind:
        rest_kinds = [k for k in kind if k != "null"]
        return {**schema, "type": rest_kinds[0] if len(rest_kinds) == 1 else rest_kinds}, True
    return schema, False


def _scalar_choices(schema: Mapping[str, Any]) -> tuple[Scalar, ...] | None:
    values = (
        schema["enum"] if isinstance(schema.get("enum"), list) else [schema["const"]] if "const" in schema else None
    )
    if values is None or not values or not all(isinstance(v, str | int | float | bool) for v in values):
        return None
    return tuple(values)


def _spec(key: str, raw: Mapping[str, Any], required: bool, defs: Mapping[str, Any], *, nested: bool) -> FieldSpec:
    label, help = _label(key, raw), str(raw.get("description") or "")
    schema, nullable = _without_null(_resolved(raw, defs))
    schema = _resolved(schema, defs)
    default = raw.get("default")
    base = FieldSpec(
        key=key, label=label, help=help, kind="json", required=required, nullable=nullable, default=default
    )
    choices = _scalar_choices(schema)
    kind = schema.get("type")
    if choices is not None:
        return replace(base, kind="choice", choices=choices)
    if kind == "string":
        limit = schema.get("maxLength")
        bounded = min(limit, MAX_ARGUMENT_CHARS) if isinstance(limit, int) else MAX_ARGUMENT_CHARS
        return replace(base, kind="text", max_length=bounded)
    if kind == "integer" or kind == "number" or kind == "boolean":
        return replace(base, kind=kind)
    if kind == "array" and isinstance(schema.get("items"), dict):
        limit = schema.get("maxItems")
        most = min(limit, MAX_ROWS) if isinstance(limit, int) else MAX_ROWS
        items = _resolved(schema["items"], defs)
        columns = items.get("properties")
        if not nested and items.get("type") == "object" and isinstance(columns, dict) and columns:
            needed = set(items.get("required") or ())
            row = tuple(_spec(name, column, name in needed, defs, nested=True) for name, column in columns.items())
            return replace(base, kind="rows", columns=row, max_items=most)
        item = _spec(key, items, True, defs, nested=True)
        if item.kind in ("text", "integer", "number", "choice"):
            return replace(base, kind="lines", item=item, max_items=most)
    return base


def field_specs(model: type[BaseModel]) -> tuple[FieldSpec, ...]:
    """The form fields of `model`, in the model's order."""
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    required = set(schema.get("required") or ())
    properties: dict[str, Any] = schema.get("properties", {})
    return tuple(_spec(key, raw, key in required, defs, nested=False) for key, raw in properties.items())


# -- filling the form ------------------------------------------------------------------------------


def _text(value: JsonValue | None, spec: FieldSpec) -> str:
    """`value` as the field's input shows it (a value of an unexpected type is shown as it is)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _TRUE if value else _FALSE
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if spec.kind == "lines" and isinstance(value, list):
        return "\n".join(_text(item, spec.item or spec) for item in value)
    if spec.kind == "json" or isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _options(spec: FieldSpec, text: str) -> tuple[Option, ...]:
    if spec.kind == "boolean":
        pairs = [(_TRUE, "Yes"), (_FALSE, "No")]
    elif spec.kind == "choice":
        pairs = [(_text(choice, spec), _text(choice, spec)) for choice in spec.choices]
    else:
        return ()
    if not spec.required or spec.nullable or text not in {value for value, _ in pairs}:
        pairs.insert(0, ("", "—"))
    return tuple(Option(value, label, value == text) for value, label in pairs)


def _field(spec: FieldSpec, name: str, id: str, editable: bool, text: str) -> FormField:
    return FormField(spec=spec, name=name, id=id, editable=editable, text=text, options=_options(spec, text))


def _row_fields(
    spec: FieldSpec, name: str, id: str, editable: bool, index: int, texts: Mapping[str, str], *, blank: bool = False
) -> FormRow:
    fields = []
    for column in spec.columns:
        # In a row every choice may be left blank, so that a whole row can be blanked (and dropped).
        loose = replace(column, required=False)
        text = texts.get(column.key, "")
        fields.append(_field(loose, f"{name}.{index}.{column.key}", f"{id}-{index}-{column.key}", editable, text))
    return FormRow(index=index, fields=tuple(fields), blank=blank)


def _rows(
    spec: FieldSpec, name: str, id: str, editable: bool, value: JsonValue | None, posted: Mapping[str, str] | None
) -> tuple[FormRow, ...]:
    if posted is not None and editable:
        by_index: dict[int, dict[str, str]] = {}
        for key, text in posted.items():
            part = _ROW_PART.fullmatch(key[len(name) + 1 :]) if key.startswith(f"{name}.") else None
            if part is not None and int(part.group(1)) <= MAX_ROWS:
                by_index.setdefault(int(part.group(1)), {})[part.group(2)] = text
        rows = [by_index[i] for i in sorted(by_index) if any(t.strip() for t in by_index[i].values())]
    else:
        rows = [
            {column.key: _text(entry.get(column.key), column) for column in spec.columns}
            for entry in (value if isinstance(value, list) else [])
            if isinstance(entry, dict)
        ]
    shown = [_row_fields(spec, name, id, editable, i, texts) for i, texts in enumerate(rows)]
    if editable and len(rows) < spec.max_items:
        shown.append(_row_fields(spec, name, id, editable, len(rows), {}, blank=True))
    return tuple(shown)


def argument_form(
    model: type[BaseModel],
    arguments: Mapping[str, JsonValue],
    *,
    action: str,
    title: str,
    description: str = "",
    id_prefix: str,
    editable: Collection[str],
    posted: Mapping[str, str] | None = None,
) -> ArgumentForm:
    """The form of `model` filled with `arguments`; the fields in `editable` are inputs.

    With `posted` (the form sent back, refused), the inputs show what was posted, so nothing typed is lost.
    """
    specs = field_specs(model)
    fields = []
    for spec in specs:
        name, id, can = FORM_PREFIX + spec.key, f"{id_prefix}-{spec.key}", spec.key in editable
        value = arguments.get(spec.key, spec.default)
        if spec.kind == "rows":
            rows = _rows(spec, name, id, can, value, posted)
            fields.append(FormField(spec=spec, name=name, id=id, editable=can, rows=rows))
            continue
        text = posted.get(name, "") if posted is not None and can else _text(value, spec)
        fields.append(_field(spec, name, id, can, text))
    return ArgumentForm(
        action=action, title=title, description=description, id_prefix=id_prefix, specs=specs, fields=tuple(fields)
    )


# -- reading it back -------------------------------------------------------------------------------


def _clipped(raw: str) -> str:
    return raw if len(raw) <= 40 else f"{raw[:40]}…"


def _scalar(spec: FieldSpec, raw: str, where: str) -> JsonValue:
    """One posted text as a value of `spec` (its caller has handled a blank text)."""
    match spec.kind:
        case "text":
            if len(raw) > spec.max_length:
                raise BadForm(f"{where} is longer than {spec.max_length} characters.")
            return raw
        case "integer":
            if not _INTEGER.fullmatch(raw):
                raise BadForm(f"{where} must be a whole number, not {_clipped(raw)!r}.")
            return int(raw)
        case "number":
            number = float(raw) if _NUMBER.fullmatch(raw) else None
            if number is None or not math.isfinite(number):
                kind = "a number" if number is None and not _non_finite(raw) else "a finite number"
                raise BadForm(f"{where} must be {kind}, not {_clipped(raw)!r}.")
            return number
        case "boolean":
            if raw not in (_TRUE, _FALSE):
                raise BadForm(f"{where} must be yes or no.")
            return raw == _TRUE
        case "choice":
            found = next((choice for choice in spec.choices if _text(choice, spec) == raw), None)
            if found is None:
                raise BadForm(f"{where} must be one of {', '.join(_text(c, spec) for c in spec.choices)}.")
            return found
        case "json":
            return _json(raw, where)
        case "lines" | "rows":
            raise BadForm(f"{where} is a list, not one value.")


def _non_finite(raw: str) -> bool:
    try:
        return not math.isfinite(float(raw))
    except ValueError:
        return False


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("a number beyond a double")
    return number


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a finite number")


def _deeper_than(value: JsonValue, levels: int) -> bool:
    """True when lists and objects nest more than `levels` deep (stops looking as soon as they do)."""
    if not isinstance(value, list | dict):
        return False
    if levels == 0:
        return True
    children = value if isinstance(value, list) else list(value.values())
    return any(_deeper_than(child, levels - 1) for child in children)


def _json(raw: str, where: str) -> JsonValue:
    if len(raw) > MAX_JSON_CHARS:
        raise BadForm(f"{where} is longer than {MAX_JSON_CHARS} characters.")
    try:
        value: JsonValue = json.loads(raw, parse_float=_finite, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise BadForm(f'{where} must be JSON with finite numbers, for example ["a", 2].') from None
    if _deeper_than(value, MAX_ARGUMENT_DEPTH):
        raise BadForm(f"{where} is nested deeper than {MAX_ARGUMENT_DEPTH} levels.")
    return value


def _lines(spec: FieldSpec, raw: str, where: str) -> list[JsonValue]:
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    if len(lines) > spec.max_items:
        raise BadForm(f"{where} has more than {spec.max_items} lines.")
    item = spec.item or replace(spec, kind="text")
    return [_scalar(item, line, f"{where}, line {number}") for number, line in enumerate(lines, 1)]


def _read_rows(spec: FieldSpec, cells: Mapping[int, Mapping[str, str]], where: str) -> list[JsonValue]:
    columns = {column.key: column for column in spec.columns}
    rows: list[JsonValue] = []
    for index in sorted(cells):
        texts = {key: text.strip() for key, text in cells[index].items()}
        if not any(texts.values()):
            continue  # a row left blank (the one offered to add, or one emptied to remove it)
        if len(rows) == spec.max_items:
            raise BadForm(f"{where} has more than {spec.max_items} rows.")
        row: JsonObject = {}
        for key, text in texts.items():
            column = columns[key]
            at = f"{where}, row {len(rows) + 1}: {column.label}"
            if column.kind == "lines":
                row[key] = _lines(column, text, at)
            elif text:
                row[key] = _scalar(column, text, at)
            elif column.nullable:
                row[key] = None
        rows.append(row)
    return rows


def read_form(form: ArgumentForm, posted: Mapping[str, str], *, others: Collection[str] = ()) -> JsonObject:
    """The arguments a posted form holds: one entry per field it posted, typed by the field.

    Every posted name must be an input of `form` or one of `others` (the page's own fields: the verdict,
    the reason, the CSRF token); a field shown read-only is read like the others if it is posted anyway,
    so the `Supervisor` refuses a forged change as it would from the API. Raises `BadForm`.
    """
    specs = {spec.key: spec for spec in form.specs}
    scalars: dict[str, str] = {}
    cells: dict[str, dict[int, dict[str, str]]] = {}
    for name, raw in posted.items():
        if name in others:
            continue
        if not name.startswith(FORM_PREFIX):
            raise BadForm(f"The form has no field {_clipped(name)!r}: reload the page and try again.")
        key, _, rest = name[len(FORM_PREFIX) :].partition(".")
        spec = specs.get(key)
        if spec is None or (spec.kind == "rows") != bool(rest):
            raise BadForm(f"{form.title} has no field {_clipped(name)!r}: reload the page and try again.")
        if not plain_text(raw):
            raise BadForm(f"{spec.label} holds a character that cannot be kept (NUL or a broken one).")
        if spec.kind != "rows":
            scalars[key] = raw
            continue
        part = _ROW_PART.fullmatch(rest)
        if part is None or int(part.group(1)) > MAX_ROWS or part.group(2) not in {c.key for c in spec.columns}:
            raise BadForm(f"{spec.label} has no field {_clipped(rest)!r}: reload the page and try again.")
        cells.setdefault(key, {}).setdefault(int(part.group(1)), {})[part.group(2)] = raw
    out: JsonObject = {}
    for spec in form.specs:
        if spec.key in cells:
            out[spec.key] = _read_rows(spec, cells[spec.key], spec.label)
        elif spec.key not in scalars:
            continue
        elif spec.kind == "lines":
            out[spec.key] = _lines(spec, scalars[spec.key], spec.label)
        elif text := scalars[spec.key].strip():
            out[spec.key] = _scalar(spec, text, spec.label)
        elif spec.nullable:
            out[spec.key] = None
        elif spec.required:
            raise BadForm(f"{spec.label} needs a value.")
        # else: an optional field left empty keeps its value (or the model's default)
    return out


def changed(values: Mapping[str, JsonValue], current: Mapping[str, JsonValue]) -> JsonObject:
    """The entries of `values` that differ from `current` (5000 and 5000.0 are the same number)."""
    return {key: value for key, value in values.items() if key not in current or current[key] != value}


def posted_inputs(posted: Mapping[str, str]) -> dict[str, str]:
    """Only the generated inputs of a posted form (for showing them again)."""
    return {name: text for name, text in posted.items() if name.startswith(FORM_PREFIX)}
