"""The people of the world: who they are, where they live, whom they live with, which systems know them.

Each person borrows one German credit applicant (age, sex and the credit fields come from that row);
everything else (names, addresses, contact details, households) is drawn around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

import numpy as np
from numpy.typing import NDArray

from customers.world._borrowed import CreditRows
from customers.world._contact_details import EmailBook, phone_numbers, tax_ids
from customers.world._draws import Texts, pick_column, stream, texts
from customers.world._vocabulary import Vocabulary

System = Literal["crm", "erp", "shop", "ticketing", "marketing"]
SYSTEMS: Final[tuple[System, ...]] = ("crm", "erp", "shop", "ticketing", "marketing")
MEMBERSHIP: Final = np.array([0.90, 0.70, 0.60, 0.35, 0.60])
"""Share of people each system knows; everyone is known to at least one."""

IN_HOUSEHOLD: Final = 0.25
"""Share of people who live with another person of the world."""
SHARES_SURNAME: Final = 0.8
TWINS: Final = 0.15
"""Share of households whose first two members are born in the same year that are twins."""
FAMILY_EMAIL: Final = 0.04
LANDLINE: Final = 0.15
MOVED: Final = 0.07
"""Share of people one of whose systems still has their old address."""
NEW_EMAIL: Final = 0.06
NEW_PHONE: Final = 0.05

_OLD_ADDRESS_WEIGHTS: Final = np.array([1.0, 3.0, 2.0, 0.0, 2.0])
_OLD_EMAIL_WEIGHTS: Final = np.array([1.0, 2.0, 2.0, 1.0, 3.0])
_OLD_PHONE_WEIGHTS: Final = np.array([2.0, 2.0, 1.0, 1.0, 0.0])


def system_index(system: System) -> int:
    return SYSTEMS.index(system)


@dataclass(frozen=True, slots=True)
class Addresses:
    street: Texts
    number: Texts
    postcode: Texts
    city: Texts

    def at(self, index: NDArray[np.int64]) -> Addresses:
        return Addresses(self.street[index], self.number[index], self.postcode[index], self.city[index])

    def where(self, mask: NDArray[np.bool_], other: Addresses) -> Addresses:
        """This address, or `other` where `mask` is set."""
        return Addresses(
            np.where(mask, other.street, self.street),
            np.where(mask, other.number, self.number),
            np.where(mask, other.postcode, self.postcode),
            np.where(mask, other.city, self.city),
        )


@dataclass(frozen=True, slots=True)
class Population:
    person_id: Texts
    credit_row: NDArray[np.int64]
    """Index of the person's German credit row."""
    requests_credit: NDArray[np.bool_]
    """The first people, each with a row no one before them has: they make the row's credit request."""
    bad_risk: NDArray[np.bool_]
    first: Texts
    last: Texts
    dob: NDArray[np.datetime64]
    household: NDArray[np.int64]
    address: Addresses
    old_address: Addresses
    email: Texts
    family_email: NDArray[np.bool_]
    old_email: Texts
    phone: Texts
    landline: Texts
    old_phone: Texts
    tax_id: Texts
    email_book: EmailBook
    """Every address handed out so far, so e-mails made later by a system stay unique."""
    member: NDArray[np.bool_]
    """(person, system): the system knows the person."""
    old_address_in: NDArray[np.int64]
    """The system that still has the person's old address (-1: none)."""
    old_email_in: NDArray[np.int64]
    old_phone_in: NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.person_id)


def _birth_dates(rng: np.random.Generator, age: NDArray[np.int64], as_of: date) -> NDArray[np.datetime64]:
    """A birth date for each age, so that the person is exactly that old on `as_of`."""
    dob = np.empty(len(age), dtype="datetime64[D]")
    for years in np.unique(age).tolist():
        latest = _years_before(as_of, years)
        earliest = _years_before(as_of, years + 1) + timedelta(days=1)
        rows = np.flatnonzero(age == years)
        days_back = rng.integers(0, (latest - earliest).days + 1, size=len(rows))
        dob[rows] = np.datetime64(latest, "D") - days_back
    return dob


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _households(
    rng: np.random.Generator, age: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Household index per person, the index of the household's first member (its head), and each member's place.

    People who share a household are grouped by age with some spread, so partners and siblings
    are of similar age; most households have two members, some three.
    """
    size = len(age)
    together = np.flatnonzero(rng.random(size) < IN_HOUSEHOLD)
    order = together[np.argsort(age[together] + rng.normal(0.0, 6.0, len(together)), kind="stable")]
    sizes = np.where(rng.random(len(order)) < 0.85, 2, 3)
    bounds = np.cumsum(sizes)
    bounds = bounds[bounds < len(order)]
    group_of_position = np.searchsorted(bounds, np.arange(len(order)), side="right")
    label = np.arange(size, dtype=np.int64) + len(order)
    label[order] = group_of_position
    _, first_seen, relabelled = np.unique(label, return_index=True, return_inverse=True)
    rank = np.empty(len(first_seen), dtype=np.int64)
    rank[np.argsort(first_seen, kind="stable")] = np.arange(len(first_seen))
    household = rank[relabelled]
    head = np.arange(size, dtype=np.int64)
    starts = np.concatenate([[0], bounds]).astype(np.int64)
    head[order] = order[starts[group_of_position]]
    place = np.zeros(size, dtype=np.int64)
    place[order] = np.arange(len(order)) - starts[group_of_position]
    return household, head, place


def _random_addresses(rng: np.random.Generator, vocabulary: Vocabulary, size: int) -> Addresses:
    place = vocabulary.places.draw(rng, size)
    number = np.exp(rng.uniform(0.0, np.log(9999.0), size)).astype(np.int64)
    return Addresses(
        street=vocabulary.streets.draw(rng, size),
        number=texts([str(n) for n in number.tolist()]),
        postcode=vocabulary.places.postcode[place],
        city=vocabulary.places.city[place],
    )


def _membership(rng: np.random.Generator, requests_credit: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Who each system knows; credit applicants are ERP and CRM customers (the bank knows its borrowers),
    and the others fill each system's share."""
    people = len(requests_credit)
    rates = np.tile(MEMBERSHIP, (people, 1))
    applicants = int(requests_credit.sum())
    for system in ("erp", "crm"):
        column = system_index(system)
        rest = max(0.0, MEMBERSHIP[column] * people - applicants) / max(1, people - applicants)
        rates[:, column] = np.where(requests_credit, 1.0, rest)
    member = rng.random((people, len(SYSTEMS))) < rates
    nowhere = ~member.any(axis=1)
    member[nowhere, pick_column(rng, np.tile(MEMBERSHIP, (int(nowhere.sum()), 1)))] = True
    return member


def _where_old(
    rng: np.random.Generator, member: NDArray[np.bool_], share: float, weights: NDArray[np.float64]
) -> NDArray[np.int64]:
    """Which one of the person's systems still holds an old value, for a `share` of people (-1: none)."""
    chosen = pick_column(rng, member * weights)
    return np.where(rng.random(len(member)) < share, chosen, -1)


def build_population(seed: int, people: int, as_of: date, credit: CreditRows, vocabulary: Vocabulary) -> Population:
    rng = stream(seed, "population")
    rows = len(credit)
    shuffled = rng.permutation(rows)
    credit_row = shuffled[np.arange(people) % rows].astype(np.int64)
    requests_credit = np.arange(people) < min(people, rows)
    age = credit.age[credit_row]
    male = credit.male[credit_row]
    dob = _birth_dates(rng, age, as_of)

    household, head, place = _households(rng, age)
    first = np.where(male, vocabulary.male.draw(rng, people), vocabulary.female.draw(rng, people))
    last = vocabulary.surnames.draw(rng, people)
    joined = place > 0
    last = np.where(joined & (rng.random(people) < SHARES_SURNAME), last[head], last)
    twin = (place == 1) & (age == age[head]) & (rng.random(people) < TWINS)
    dob = np.where(twin, dob[head], dob)
    last = np.where(twin, last[head], last)
    for person in np.flatnonzero(twin & (first == first[head])).tolist():
        names = vocabulary.male if male[person] else vocabulary.female
        while first[person] == first[head[person]]:
            first[person] = names.draw(rng, 1)[0]

    address = _random_addresses(rng, vocabulary, people).at(head)
    emails = EmailBook(vocabulary.email_domains.values, vocabulary.email_domains.p, rng)
    email = emails.personal(first, last, dob.astype("datetime64[Y]").astype(np.int64) + 1970)
    multi = np.bincount(household) > 1
    family = multi & (rng.random(len(multi)) < FAMILY_EMAIL)
    family_email = family[household]
    if family_email.any():
        family_heads = np.flatnonzero(family_email & ~joined)
        family_address = np.full(len(multi), "", dtype=object)
        family_address[household[family_heads]] = emails.family(last[family_heads])
        email = np.where(family_email, family_address[household], email)
    numbers = phone_numbers(rng, 2 * people + len(multi))
    has_landline = multi & (rng.random(len(multi)) < LANDLINE)
    landline = np.where(has_landline[household], numbers[2 * people :][household], "")

    member = _membership(rng, requests_credit)
    old_address_in = _where_old(rng, member, MOVED, _OLD_ADDRESS_WEIGHTS)
    old_email_in = _where_old(rng, member, NEW_EMAIL, _OLD_EMAIL_WEIGHTS)
    old_email = np.full(people, "", dtype=object)
    changed = np.flatnonzero(old_email_in >= 0)
    old_email[changed] = emails.personal(first[changed], last[changed], rng.integers(1940, 2010, len(changed)))
    old_phone_in = _where_old(rng, member, NEW_PHONE, _OLD_PHONE_WEIGHTS)
    return Population(
        person_id=texts([f"P-{i:06d}" for i in range(1, people + 1)]),
        credit_row=credit_row,
        requests_credit=requests_credit,
        bad_risk=credit.bad[credit_row],
        first=first,
        last=last,
        dob=dob,
        household=household,
        address=address,
        old_address=_random_addresses(rng, vocabulary, people),
        email=email,
        family_email=family_email,
        old_email=old_email,
        phone=numbers[:people],
        landline=landline,
        old_phone=numbers[people : 2 * people],
        tax_id=tax_ids(rng, people),
        email_book=emails,
        member=member,
        old_address_in=old_address_in,
        old_email_in=old_email_in,
        old_phone_in=old_phone_in,
    )
