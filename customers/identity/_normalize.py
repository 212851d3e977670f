"""Cleaning the person-record fields before they are blocked and compared."""

from __future__ import annotations

import pandas as pd

from core import ConfigurationError

NAME_FIELDS = ("given_name", "surname")
ADDRESS_FIELDS = ("street_number", "address_1", "address_2", "suburb", "postcode", "state")
PERSON_FIELDS = (*NAME_FIELDS, *ADDRESS_FIELDS, "date_of_birth", "soc_sec_id")

_SOUNDEX_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


def normalize_people(df: pd.DataFrame) -> pd.DataFrame:
    """Return the ten person fields as lower-case, whitespace-trimmed strings; missing values become ``""``.

    Only the person fields are read: any other column (an id, a label) is ignored.
    """
    missing = [name for name in PERSON_FIELDS if name not in df.columns]
    if missing:
        raise ConfigurationError(f"person records lack the columns {missing}; expected {list(PERSON_FIELDS)}")
    out = pd.DataFrame(index=pd.RangeIndex(len(df)))
    for name in PERSON_FIELDS:
        column = df[name].astype("string").fillna("").str.strip().str.lower()
        column = column.str.replace(r"\s+", " ", regex=True)
        if name in ("street_number", "postcode", "date_of_birth", "soc_sec_id"):
            column = column.str.replace(r"\.0$", "", regex=True).str.replace(" ", "", regex=False)
        column = column.where(~column.isin(["nan", "none", "<na>"]), "")
        out[name] = column.to_numpy(dtype=object)
    return out


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
