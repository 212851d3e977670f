"""Cleaning the person-record fields, once per distinct value: each column becomes codes into its values.

Real columns repeat values heavily (names, streets, postcodes), so cleaning, soundex and every later
similarity work on the distinct values and records carry only integer codes (-1 = missing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from core import ConfigurationError

CodeArray = npt.NDArray[np.int64]
ObjectArray = npt.NDArray[np.object_]

NAME_FIELDS = ("given_name", "surname")
ADDRESS_FIELDS = ("street_number", "address_1", "address_2", "suburb", "postcode", "state")
PERSON_FIELDS = (*NAME_FIELDS, *ADDRESS_FIELDS, "date_of_birth", "soc_sec_id")
#: Optional contact columns: compared and blocked on when the frame has them.
CONTACT_FIELDS = ("email", "phone")
_NUMERIC_FIELDS = ("street_number", "postcode", "date_of_birth", "soc_sec_id")
#: A phone is compared on its last 9 digits (so "+61 2 9876 5432" equals "02 9876 5432"), blocked on the last 8.
PHONE_DIGITS = 9
_MIN_PHONE_DIGITS = 6

_SOUNDEX_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


@dataclass(frozen=True)
class Field:
    """One column factorised: its distinct normalised values and each record's code into them (-1 = missing)."""

    codes: CodeArray
    values: ObjectArray

    def derive(self, transform: Callable[[str], str], *, sort: bool = False) -> Field:
        """The field of `transform(value)` (an empty result is missing), computed once per distinct value."""
        return _refactorize(self.codes, self.mapped(transform), sort=sort)

    def mapped(self, transform: Callable[[str], str]) -> ObjectArray:
        """`transform` of each distinct value."""
        return np.array([transform(str(v)) for v in self.values], dtype=object)

    def text(self) -> ObjectArray:
        """The value of every record as a string (``""`` = missing)."""
        out: ObjectArray = np.append(self.values, "").astype(object)[self.codes]
        return out


@dataclass(frozen=True)
class PeopleTable:
    """Normalised person records: the ten person fields, plus ``email``/``phone`` when the input had them."""

    size: int
    fields: Mapping[str, Field]

    def __getitem__(self, name: str) -> Field:
        return self.fields[name]

    def has(self, name: str) -> bool:
        return name in self.fields


def _refactorize(codes: CodeArray, mapped: ObjectArray, *, sort: bool = False) -> Field:
    """Records' codes into `mapped` (one new value per old distinct value), re-coded so equal values share a code."""
    new_codes, values = pd.factorize(pd.Series(mapped, dtype=object), sort=sort)
    values = np.asarray(values, dtype=object)
    lookup = np.asarray(new_codes, dtype=np.int64)
    empty = np.flatnonzero(values == "")
    if len(empty):
        lookup[lookup == empty[0]] = -1
    lookup = np.append(lookup, -1)
    return Field(codes=lookup[codes], values=values)


def _clean(values: pd.Series, name: str) -> ObjectArray:
    """Lower-case, trimmed, single-spaced strings; ``""`` for missing (NaN, None, "nan")."""
    column = values.astype("string").fillna("").str.strip().str.lower()
    column = column.str.replace(r"\s+", " ", regex=True)
    if name in _NUMERIC_FIELDS:
        column = column.str.replace(r"\.0$", "", regex=True).str.replace(" ", "", regex=False)
    elif name == "email":
        column = column.where(column.str.fullmatch(r"[^@\s]+@[^@\s]+").fillna(False).astype(bool), "")
    elif name == "phone":
        digits = column.str.replace(r"\D", "", regex=True)
        column = digits.str[-PHONE_DIGITS:].where(digits.str.len() >= _MIN_PHONE_DIGITS, "")
    column = column.where(~column.isin(["nan", "none", "<na>"]), "")
    out: ObjectArray = column.to_numpy(dtype=object)
    return out


def _factorize(column: pd.Series, name: str) -> Field:
    raw_codes, uniques = pd.factorize(column, use_na_sentinel=True)
    codes = np.asarray(raw_codes, dtype=np.int64)
    return _refactorize(codes, _clean(pd.Series(np.asarray(uniques, dtype=object), dtype=object), name))


def _shared(fields: Iterable[Field]) -> list[Field]:
    """The same fields re-coded into one common vocabulary (so a given name can be compared with a surname)."""
    fields = list(fields)
    offsets = np.cumsum([0] + [len(f.values) for f in fields])
    merged = _refactorize(
        np.arange(offsets[-1], dtype=np.int64), np.concatenate([f.values for f in fields]).astype(object)
    )
    out = []
    for field, offset in zip(fields, offsets[:-1], strict=True):
        lookup = np.append(merged.codes[offset : offset + len(field.values)], -1)
        out.append(Field(codes=lookup[field.codes], values=merged.values))
    return out


def check_person_columns(df: pd.DataFrame) -> None:
    """Raise a ConfigurationError naming the person columns `df` lacks."""
    missing = [name for name in PERSON_FIELDS if name not in df.columns]
    if missing:
        raise ConfigurationError(f"person records lack the columns {missing}; expected {list(PERSON_FIELDS)}")


def people_table(df: pd.DataFrame) -> PeopleTable:
    """Factorise and normalise the person fields of `df` (by row position); other columns are ignored."""
    check_person_columns(df)
    fields = {name: _factorize(df[name], name) for name in PERSON_FIELDS}
    fields["given_name"], fields["surname"] = _shared([fields["given_name"], fields["surname"]])
    for name in CONTACT_FIELDS:
        if name in df.columns:
            fields[name] = _factorize(df[name], name)
    return PeopleTable(size=len(df), fields=fields)


def normalize_people(df: pd.DataFrame) -> pd.DataFrame:
    """Return the ten person fields as lower-case, whitespace-trimmed strings; missing values become ``""``.

    Only the person fields are read: any other column (an id, a label) is ignored.
    """
    table = people_table(df)
    return pd.DataFrame({name: table[name].text() for name in PERSON_FIELDS}, index=pd.RangeIndex(len(df)))


def soundex(text: str) -> str:
    """American Soundex code of `text` (``""`` when it has no letters)."""
    letters = [ch for ch in text.lower() if "a" <= ch <= "z"]
    if not letters:
        return ""
    first = letters[0]
    code = [first]
    previous = _SOUNDEX_CODES.get(first, "")
    for ch in letters[1:]:
        digit = _SOUNDEX_CODES.get(ch, "")
        if digit and digit != previous:
            code.append(digit)
        if ch not in "hw":
            previous = digit
    return ("".join(code) + "000")[:4]


def email_local_part(email: str) -> str:
    """The part before the "@" (a person keeps it across domains: anna.lee@gmail.com, anna.lee@work.com)."""
    return email.split("@", 1)[0]
