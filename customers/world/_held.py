"""What a system holds of a person: their details with the noise typical of that system.

Typos, nicknames, swapped names, an old address or e-mail never updated, a household landline,
a second copy typed again in a hurry; each applied noise is noted in the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np

from customers.world._draws import Texts
from customers.world._moments import Days
from customers.world._noise import nickname, typo, typo_kinds
from customers.world._population import Addresses, Population
from customers.world._records import Ledger, RecordSet

DUPLICATE_FACTOR: Final = 4.0
"""A second copy of a person was typed again, often in a hurry: its noise rates are this many times higher."""


@dataclass(frozen=True, slots=True)
class NameNoise:
    """Per-record rates of name noise in one system."""

    typo: float
    nickname: float
    swap: float
    initial: float = 0.0


def noisy_names(
    rng: np.random.Generator, records: RecordSet, population: Population, rates: NameNoise, ledger: Ledger
) -> tuple[Texts, Texts]:
    """Given names and surnames as this system holds them."""
    first = population.first[records.person].copy()
    last = population.last[records.person].copy()
    size = len(records)
    factor = np.where(records.duplicate, DUPLICATE_FACTOR, 1.0)
    for position in np.flatnonzero(rng.random(size) < rates.nickname * factor).tolist():
        short = nickname(first[position], rng)
        if short is not None:
            first[position] = short
            ledger.noise(records, [position], "nickname: first_name")
    for field, values in (("first_name", first), ("last_name", last)):
        hits = np.flatnonzero(rng.random(size) < rates.typo * factor)
        for position, kind in zip(hits.tolist(), typo_kinds(rng, len(hits)), strict=True):
            values[position] = typo(values[position], kind, rng)
            ledger.noise(records, [position], f"typo ({kind}): {field}")
    initials = np.flatnonzero(rng.random(size) < rates.initial)
    first[initials] = [f"{name[:1]}." for name in first[initials].tolist()]
    ledger.noise(records, initials, "truncated: first_name to its initial")
    swapped = np.flatnonzero(rng.random(size) < rates.swap)
    first[swapped], last[swapped] = last[swapped], first[swapped].copy()
    ledger.noise(records, swapped, "swapped: first_name and last_name")
    return first, last


def noisy_birth_dates(
    rng: np.random.Generator, records: RecordSet, dob: Days, rate: float, ledger: Ledger
) -> list[str]:
    """ISO birth dates, a few mistyped: day and month swapped, or the year off by one."""
    days = dob[records.person]
    out: list[str] = np.datetime_as_string(days, unit="D").tolist()
    factor = np.where(records.duplicate, DUPLICATE_FACTOR, 1.0)
    for position in np.flatnonzero(rng.random(len(records)) < rate * factor).tolist():
        born = date.fromisoformat(out[position])
        if born.day <= 12 and born.day != born.month:
            wrong, how = born.replace(month=born.day, day=born.month), "day and month swapped"
        else:
            step = 1 if rng.random() < 0.5 else -1
            try:
                wrong, how = born.replace(year=born.year + step), "year off by one"
            except ValueError:  # 29 February
                wrong, how = born.replace(year=born.year + step, day=28), "year off by one"
        out[position] = wrong.isoformat()
        ledger.noise(records, [position], f"typo ({how}): date_of_birth")
    return out


def blank(rng: np.random.Generator, values: Texts, rate: float) -> Texts:
    """`values` with a `rate` of them missing."""
    return np.where(rng.random(len(values)) < rate, "", values)


def addresses_held(records: RecordSet, population: Population, ledger: Ledger) -> Addresses:
    """Current addresses, or the old one where this system was never told about the move."""
    old = records.uses_old(population.old_address_in)
    ledger.noise(records, np.flatnonzero(old), "old address")
    return population.address.at(records.person).where(old, population.old_address.at(records.person))


def typo_in(
    rng: np.random.Generator, records: RecordSet, values: Texts, rate: float, field: str, ledger: Ledger
) -> Texts:
    """A few of `values` with one typo each (a street name, say)."""
    out = values.copy()
    hits = np.flatnonzero((rng.random(len(values)) < rate) & (values != ""))
    for position, kind in zip(hits.tolist(), typo_kinds(rng, len(hits)), strict=True):
        out[position] = typo(out[position], kind, rng)
        ledger.noise(records, [position], f"typo ({kind}): {field}")
    return out


def emails_held(
    rng: np.random.Generator,
    records: RecordSet,
    population: Population,
    ledger: Ledger,
    *,
    missing: float,
    duplicate_other: float,
) -> Texts:
    """E-mail addresses as the system holds them: the old one where never updated, another one on some copies."""
    person = records.person
    email = population.email[person].copy()
    old = records.uses_old(population.old_email_in)
    email[old] = population.old_email[person[old]]
    ledger.noise(records, np.flatnonzero(old), "old e-mail")
    ledger.noise(records, np.flatnonzero(population.family_email[person] & ~old), "shared family e-mail")
    other = records.duplicate & ~old & (rng.random(len(records)) < duplicate_other)
    has_old = population.old_email[person] != ""
    email[other & has_old] = population.old_email[person[other & has_old]]
    fresh = np.flatnonzero(other & ~has_old)
    email[fresh] = population.email_book.other_domain(email[fresh])
    ledger.noise(records, np.flatnonzero(other), "other e-mail on the second copy")
    return blank(rng, email, missing)


def phones_held(
    rng: np.random.Generator,
    records: RecordSet,
    population: Population,
    ledger: Ledger,
    *,
    missing: float,
    landline: float,
    duplicate_old: float,
) -> Texts:
    """Phone numbers as the system holds them (ten digits): some the household's landline, some an old number."""
    person = records.person
    size = len(records)
    phone = population.phone[person].copy()
    home = (population.landline[person] != "") & (rng.random(size) < landline)
    phone[home] = population.landline[person[home]]
    ledger.noise(records, np.flatnonzero(home), "household landline")
    old = records.uses_old(population.old_phone_in) | (records.duplicate & (rng.random(size) < duplicate_old))
    phone[old] = population.old_phone[person[old]]
    ledger.noise(records, np.flatnonzero(old), "conflict: old phone")
    return blank(rng, phone, missing)


def transposed_digits(
    rng: np.random.Generator, records: RecordSet, values: Texts, rate: float, field: str, ledger: Ledger
) -> Texts:
    """A few values with two neighbouring digits swapped, the commonest slip when copying numbers."""
    out = values.copy()
    for position in np.flatnonzero((rng.random(len(values)) < rate) & (values != "")).tolist():
        text = str(out[position])
        digits = [
            i for i in range(len(text) - 1) if text[i].isdigit() and text[i + 1].isdigit() and text[i] != text[i + 1]
        ]
        if digits:
            at = digits[int(rng.integers(len(digits)))]
            out[position] = text[:at] + text[at + 1] + text[at] + text[at + 2 :]
            ledger.noise(records, [position], f"typo (digits swapped): {field}")
    return out
