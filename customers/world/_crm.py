"""The CRM: accounts (households and small businesses), contacts, and the sales reps' notes."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np

from customers.world._borrowed import CRM_CREDIT_FIELDS
from customers.world._contact_details import format_phone
from customers.world._draws import Texts, texts
from customers.world._export import Columns, write_csv
from customers.world._held import (
    NameNoise,
    addresses_held,
    blank,
    emails_held,
    noisy_birth_dates,
    noisy_names,
    phones_held,
    transposed_digits,
    typo_in,
)
from customers.world._moments import days_ago, moment_texts, moments_before
from customers.world._records import RecordSet, draw_records
from customers.world._vocabulary import TRADES
from customers.world._world import World

ACCOUNTS_HEADER: Final = ("account_id", "account_name", "segment", "owner", "created_at")
CONTACTS_HEADER: Final = (
    "contact_id",
    "account_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "date_of_birth",
    "street",
    "house_number",
    "postcode",
    "city",
    "tax_id",
    *CRM_CREDIT_FIELDS,
    "consent_profiling",
    "consent_automated_decision",
    "objects_to_automated_decisions",
    "vulnerable",
    "updated_at",
)
NOTES_HEADER: Final = ("note_id", "contact_id", "created_at", "author", "channel", "text")

DUPLICATES: Final = 0.03
NAMES: Final = NameNoise(typo=0.02, nickname=0.03, swap=0.005)
CONFLICTING_COPY: Final = 0.3
"""Share of second copies whose credit-relevant fields are stale (an older age, a former housing...)."""
_CONFLICT_FIELDS: Final = ("age_in_years", "housing", "present_residence_since", "job", "present_employment_since")
_SUFFIXES: Final = (" LLC", " Inc.", " & Sons", " Co.", "")
_TOPICS: Final = (
    "the renewal of their plan",
    "a new credit line",
    "a late invoice",
    "the loyalty programme",
    "a delivery problem",
    "an upgrade to premium",
    "their recent order",
    "a change of address",
    "payment by instalments",
)
_NOTE_TEXT: Final = {
    "call": ("Called {name} about {topic}.", "{name} called in about {topic}; will follow up."),
    "email": ("Sent {name} an e-mail about {topic}.", "Replied to {name}'s e-mail on {topic}."),
    "meeting": ("Met {name} to discuss {topic}.", "Visit with {name}: went through {topic}."),
}


def _reps(world: World, rng: np.random.Generator) -> Texts:
    count = int(np.clip(len(world.population) // 250, 4, 150))
    male = rng.random(count) < 0.5
    first = np.where(male, world.vocabulary.male.draw(rng, count), world.vocabulary.female.draw(rng, count))
    last = world.vocabulary.surnames.draw(rng, count)
    return texts([f"{f} {s}" for f, s in zip(first.tolist(), last.tolist(), strict=True)])


def _credit_values(world: World, rng: np.random.Generator, contacts: RecordSet) -> dict[str, Texts]:
    """The person's German credit values exactly; a few second copies hold stale ones."""
    row = world.population.credit_row[contacts.person]
    values = {name: texts(world.credit.column(name))[row] for name in CRM_CREDIT_FIELDS}
    stale = np.flatnonzero(contacts.duplicate & (rng.random(len(contacts)) < CONFLICTING_COPY))
    for position in stale.tolist():
        field = _CONFLICT_FIELDS[int(rng.integers(len(_CONFLICT_FIELDS)))]
        current = str(values[field][position])
        if field == "age_in_years":
            values[field][position] = str(int(current) - 1)
        else:
            others = sorted(set(world.credit.column(field)) - {current})
            values[field][position] = others[int(rng.integers(len(others)))]
        world.ledger.noise(contacts, [position], f"conflict: {field}")
    return values


def _yes_no(rng: np.random.Generator, size: int, yes: float, no: float) -> Texts:
    draw = rng.random(size)
    return np.where(draw < yes, "yes", np.where(draw < yes + no, "no", ""))


def _accounts(world: World, rng: np.random.Generator, contacts: RecordSet, reps: Texts) -> tuple[Columns, Texts]:
    """One account per household (a second copy sometimes gets an account of its own); returns each contact's."""
    population = world.population
    size = len(contacts)
    own = contacts.duplicate & (rng.random(size) < 0.5)
    key = np.where(own, population.household.max() + 1 + np.arange(size), population.household[contacts.person])
    _, first_record, account_of = np.unique(key, return_index=True, return_inverse=True)
    count = len(first_record)
    number = rng.permutation(count)
    head = np.empty(count, dtype=np.int64)
    head[number] = contacts.person[first_record]
    members = np.bincount(number[account_of], minlength=count)
    row = population.credit_row[head]
    job = texts(world.credit.column("job"))[row]
    savings = texts(world.credit.column("savings_account_and_bonds"))[row]
    checking = texts(world.credit.column("status_of_existing_checking_account"))[row]
    business = (job == "management/ self-employed/ highly qualified employee/ officer") & (rng.random(count) < 0.35)
    wealthy = np.isin(savings, ["... >= 1000 DM", "500 <= ... < 1000 DM"]) | np.char.startswith(
        checking.astype(str), "... >= 200 DM"
    )
    segment = np.where(business, "small_business", np.where(wealthy & (rng.random(count) < 0.7), "premium", "retail"))
    trades = rng.integers(len(TRADES), size=count).tolist()
    suffixes = rng.integers(len(_SUFFIXES), size=count).tolist()
    first, last = population.first[head].tolist(), population.last[head].tolist()
    names = [
        f"{last[i]} {TRADES[trades[i]]}{_SUFFIXES[suffixes[i]]}"
        if business[i]
        else (f"{last[i]} household" if members[i] > 1 else f"{first[i]} {last[i]}")
        for i in range(count)
    ]
    ids = texts([f"ACC-{i:06d}" for i in range(1, count + 1)])
    columns: Columns = {
        "account_id": ids.tolist(),
        "account_name": names,
        "segment": segment.tolist(),
        "owner": reps[rng.integers(len(reps), size=count)].tolist(),
        "created_at": moment_texts(moments_before(rng, world.as_of, 20, 12 * 365, count)),
    }
    return columns, ids[number[account_of]]


def _contacts(world: World, rng: np.random.Generator, contacts: RecordSet, account_id: Texts) -> Columns:
    population = world.population
    ledger = world.ledger
    size = len(contacts)
    first, last = noisy_names(rng, contacts, population, NAMES, ledger)
    email = emails_held(rng, contacts, population, ledger, missing=0.08, duplicate_other=0.4)
    phone = phones_held(rng, contacts, population, ledger, missing=0.15, landline=0.5, duplicate_old=0.3)
    born = blank(rng, texts(noisy_birth_dates(rng, contacts, population.dob, 0.01, ledger)), 0.03)
    address = addresses_held(contacts, population, ledger)
    no_street = rng.random(size) < 0.02
    tax_id = transposed_digits(rng, contacts, population.tax_id[contacts.person], 0.003, "tax_id", ledger)
    credit = _credit_values(world, rng, contacts)
    objects = rng.random(size) < 0.03
    consent_decision = np.where(objects, "no", _yes_no(rng, size, 0.45, 0.30))
    old_age = population.dob[contacts.person] < np.datetime64(world.as_of.isoformat(), "D") - np.timedelta64(
        75 * 365, "D"
    )
    vulnerable = rng.random(size) < np.where(old_age, 0.2, 0.03)
    updated = np.where(contacts.duplicate, rng.uniform(400, 2500, size), rng.uniform(1, 900, size))
    return {
        "contact_id": contacts.ids.tolist(),
        "account_id": account_id.tolist(),
        "first_name": first.tolist(),
        "last_name": last.tolist(),
        "email": email.tolist(),
        "phone": [format_phone(p, "parentheses") for p in phone.tolist()],
        "date_of_birth": born.tolist(),
        "street": np.where(no_street, "", typo_in(rng, contacts, address.street, 0.01, "street", ledger)).tolist(),
        "house_number": np.where(no_street, "", address.number).tolist(),
        "postcode": address.postcode.tolist(),
        "city": address.city.tolist(),
        "tax_id": blank(rng, tax_id, 0.5).tolist(),
        **{name: values.tolist() for name, values in credit.items()},
        "consent_profiling": _yes_no(rng, size, 0.55, 0.25).tolist(),
        "consent_automated_decision": consent_decision.tolist(),
        "objects_to_automated_decisions": np.where(objects, "yes", "no").tolist(),
        "vulnerable": np.where(vulnerable, "yes", "no").tolist(),
        "updated_at": moment_texts(days_ago(world.as_of, updated)),
    }


def _notes(world: World, rng: np.random.Generator, contacts: RecordSet, owner_of: Texts, reps: Texts) -> Columns:
    """The reps' contact history: some people were spoken to last week, some not for years."""
    primary = np.flatnonzero(~contacts.duplicate)
    per_contact = rng.poisson(1.6, len(primary))
    contact = np.repeat(primary, per_contact)
    kind = rng.random(len(primary))
    gap_to_last = np.where(
        kind < 0.4,
        rng.exponential(20, len(primary)),
        np.where(kind < 0.75, rng.uniform(30, 180, len(primary)), rng.uniform(180, 900, len(primary))),
    )
    starts = np.repeat(np.cumsum(per_contact) - per_contact, per_contact)
    earlier = rng.exponential(75, len(contact))
    earlier[starts] = 0.0
    running = np.cumsum(earlier)
    days_back = np.repeat(gap_to_last, per_contact) + running - running[starts]
    created = days_ago(world.as_of, days_back + rng.uniform(0, 1, len(contact)))
    order = np.argsort(created, kind="stable")
    contact, created = contact[order], created[order]
    author = np.where(
        rng.random(len(contact)) < 0.8, owner_of[contact], reps[rng.integers(len(reps), size=len(contact))]
    )
    channels = np.array(["call", "email", "meeting"])[rng.choice(3, size=len(contact), p=[0.5, 0.35, 0.15])]
    names = world.population.first[contacts.person[contact]].tolist()
    topics = rng.integers(len(_TOPICS), size=len(contact)).tolist()
    forms = rng.integers(2, size=len(contact)).tolist()
    text = [
        _NOTE_TEXT[channel][form].format(name=name, topic=_TOPICS[topic])
        for channel, form, name, topic in zip(channels.tolist(), forms, names, topics, strict=True)
    ]
    return {
        "note_id": [f"N-{i:07d}" for i in range(1, len(contact) + 1)],
        "contact_id": contacts.ids[contact].tolist(),
        "created_at": moment_texts(created),
        "author": author.tolist(),
        "channel": channels.tolist(),
        "text": text,
    }


def write_crm(world: World, folder: Path) -> dict[str, int]:
    rng = world.rng("crm")
    contacts = draw_records(rng, world.population, "crm", "contacts", DUPLICATES, lambda i: f"CRM-C-{i:06d}")
    world.ledger.records(contacts)
    reps = _reps(world, rng)
    accounts, account_id = _accounts(world, rng, contacts, reps)
    contact_rows = _contacts(world, rng, contacts, account_id)
    owner = dict(zip(accounts["account_id"], accounts["owner"], strict=True))
    breaker = world.breaker("crm")
    breaker.columns(
        "crm",
        "contacts",
        contact_rows,
        "contact_id",
        [("unparseable date", "date_of_birth"), ("unparseable date", "updated_at")],
    )
    notes: Columns = {name: [] for name in NOTES_HEADER}
    if world.events:
        notes = _notes(world, rng, contacts, texts([owner[a] for a in account_id.tolist()]), reps)
    breaker.columns("crm", "notes", notes, "note_id", [("unparseable date", "created_at"), ("missing id", "note_id")])
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "accounts": write_csv(folder / "accounts.csv", ACCOUNTS_HEADER, accounts),
        "contacts": write_csv(folder / "contacts.csv", CONTACTS_HEADER, contact_rows),
        "notes": write_csv(folder / "notes.csv", NOTES_HEADER, notes),
    }
