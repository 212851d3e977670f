"""The help desk: requesters and their tickets; complaints borrow real CFPB complaints."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np

from core import JsonObject
from customers.world._borrowed import Complaints
from customers.world._contact_details import format_phone
from customers.world._draws import Texts
from customers.world._export import Columns, json_line, write_csv, write_lines
from customers.world._held import NameNoise, emails_held, noisy_names, phones_held
from customers.world._moments import days_ago, moment_texts, start_of
from customers.world._records import RecordSet, draw_records
from customers.world._world import World

REQUESTERS_HEADER: Final = ("requester_id", "name", "email", "phone")
TICKET_FIELDS: Final = (
    "ticket_id",
    "requester_id",
    "opened_at",
    "closed_at",
    "channel",
    "status",
    "category",
    "product",
    "subject",
    "text",
    "priority",
)

DUPLICATES: Final = 0.03
NAMES: Final = NameNoise(typo=0.03, nickname=0.10, swap=0.005, initial=0.02)
STUCK: Final = 0.04
"""Share of complaints nobody resolves: they stay open for weeks."""
SOLVED_DAYS: Final = 4
"""A solved ticket is closed for good after this many days."""
_VIA: Final = {"Web": "web", "Phone": "phone"}
_CHANNELS: Final = np.array(["email", "phone", "web", "chat"])
_OUR_PRODUCTS: Final = (
    "Online shop",
    "Orders and delivery",
    "Invoices and payments",
    "Consumer credit",
    "Customer account",
    "Newsletter",
)
_QUESTIONS: Final = (
    ("How do I change my delivery address?", "Hi, I moved recently. How do I change the delivery address?"),
    ("Where is my order?", "I ordered a few CDs last week and they have not arrived yet. Can you check?"),
    ("Question about my invoice", "My last invoice shows an amount I do not recognise. Could you explain it?"),
    ("Can I pay in instalments?", "Is it possible to split the payment of my last order into instalments?"),
    ("Password reset not arriving", "I asked for a password reset but the e-mail never came."),
    ("Status of my credit application", "I applied for credit a few weeks ago. Is there any news?"),
)
_REQUESTS: Final = (
    ("Please close my account", "I would like to close my customer account and have my data deleted."),
    ("Copy of my invoice", "Could you send me a copy of my last invoice as a PDF?"),
    ("Update my phone number", "Please update my phone number in your records."),
    ("Stop the newsletter", "Please stop sending me marketing e-mails."),
    ("Return request", "I would like to return an item from my last order."),
    ("Higher credit limit", "Please review my credit limit; I would like it raised."),
)
_URGENT_WORDS: Final = ("fraud", "identity theft", "stolen", "scam")


def _requesters(world: World, rng: np.random.Generator, requesters: RecordSet) -> Columns:
    population = world.population
    first, last = noisy_names(rng, requesters, population, NAMES, world.ledger)
    email = emails_held(rng, requesters, population, world.ledger, missing=0.1, duplicate_other=0.5)
    phone = phones_held(rng, requesters, population, world.ledger, missing=0.55, landline=0.2, duplicate_old=0.3)
    unreachable = (email == "") & (phone == "")
    email = np.where(unreachable, population.email[requesters.person], email)
    return {
        "requester_id": requesters.ids.tolist(),
        "name": [f"{f} {s}" for f, s in zip(first.tolist(), last.tolist(), strict=True)],
        "email": email.tolist(),
        "phone": [format_phone(p, "spaces") for p in phone.tolist()],
    }


def _pick(rng: np.random.Generator, values: Texts | tuple[str, ...], size: int, p: list[float] | None = None) -> Texts:
    choices = np.array(values, dtype=object)
    return choices[rng.choice(len(choices), size=size, p=p)]


def _tickets(world: World, rng: np.random.Generator, requesters: RecordSet, complaints: Complaints) -> list[JsonObject]:
    """Tickets of every requester: mostly closed; recent ones, and a few stuck complaints, still open."""
    per_requester = np.where(requesters.duplicate, 1, 1 + rng.poisson(0.5, len(requesters)))
    owner = np.repeat(np.arange(len(requesters)), per_requester)
    size = len(owner)
    bad = world.population.bad_risk[requesters.person[owner]]
    draw = rng.random(size)
    complaint = draw < np.where(bad, 0.5, 0.35)
    question = ~complaint & (rng.random(size) < 0.65)
    stuck = complaint & (rng.random(size) < STUCK)
    opened = days_ago(world.as_of, np.where(stuck, rng.uniform(7, 70, size), rng.uniform(0, 730, size)))
    typical = np.where(complaint, np.log(5.0), np.where(question, 0.0, np.log(2.0)))
    closed = opened + (rng.lognormal(typical, 1.0) * 86_400).astype("timedelta64[s]")
    now = start_of(world.as_of)
    unresolved = stuck | (closed >= now)
    status = np.where(
        unresolved,
        np.where(rng.random(size) < 0.35, "pending", "open"),
        np.where(closed > now - np.timedelta64(SOLVED_DAYS * 86_400, "s"), "solved", "closed"),
    )
    borrowed = rng.permutation(len(complaints))[np.cumsum(complaint) % len(complaints)]
    own_topic = rng.integers(len(_QUESTIONS), size=size)
    own_channel = _pick(rng, tuple(_CHANNELS.tolist()), size, [0.35, 0.25, 0.2, 0.2])
    own_product = _pick(rng, _OUR_PRODUCTS, size)
    priority_draw = rng.random(size)
    opened_text, closed_text = moment_texts(opened), moment_texts(closed)
    tickets: list[JsonObject] = []
    for i in np.argsort(opened, kind="stable").tolist():
        if complaint[i]:
            row = int(borrowed[i])
            text = complaints.narrative[row] or complaints.sub_issue[row] or complaints.issue[row]
            urgent = any(word in text.lower() for word in _URGENT_WORDS)
            channel = _VIA.get(complaints.submitted_via[row], "email")
            product, subject = complaints.product[row], complaints.issue[row]
            priority = "urgent" if urgent and priority_draw[i] < 0.5 else _level(priority_draw[i], (0.0, 0.6, 0.95))
        else:
            subject, text = (_QUESTIONS if question[i] else _REQUESTS)[own_topic[i]]
            channel, product = str(own_channel[i]), str(own_product[i])
            priority = _level(priority_draw[i], (0.4, 1.0, 1.0) if question[i] else (0.3, 0.95, 1.0))
        tickets.append(
            {
                "ticket_id": f"TCK-{len(tickets) + 1:06d}",
                "requester_id": str(requesters.ids[owner[i]]),
                "opened_at": opened_text[i],
                "closed_at": None if unresolved[i] else closed_text[i],
                "channel": channel,
                "status": str(status[i]),
                "category": "complaint" if complaint[i] else ("question" if question[i] else "request"),
                "product": product,
                "subject": subject,
                "text": text,
                "priority": priority,
            }
        )
    return tickets


def _level(draw: float, bounds: tuple[float, float, float]) -> str:
    """low / normal / high / urgent by where `draw` falls among the cumulative `bounds`."""
    return ("low", "normal", "high", "urgent")[sum(draw >= bound for bound in bounds)]


def write_ticketing(world: World, folder: Path, complaints: Complaints | None) -> dict[str, int]:
    rng = world.rng("ticketing")
    requesters = draw_records(rng, world.population, "ticketing", "requesters", DUPLICATES, lambda i: f"REQ-{i:06d}")
    world.ledger.records(requesters)
    rows = _requesters(world, rng, requesters)
    tickets = _tickets(world, rng, requesters, complaints) if world.events and complaints is not None else []
    breaker = world.breaker("ticketing")
    breaker.objects("ticketing", "tickets", tickets, "ticket_id", [("unparseable date", "opened_at")], share=0.5)
    lines = [json_line(ticket) for ticket in tickets]
    breaker.truncate("ticketing", "tickets", lines, [str(ticket["ticket_id"]) for ticket in tickets], share=0.5)
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "requesters": write_csv(folder / "requesters.csv", REQUESTERS_HEADER, rows),
        "tickets": write_lines(folder / "tickets.jsonl", lines),
    }
