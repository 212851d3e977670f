"""E-mail marketing: subscribers with their consent, and the campaign events (sent, open, click, unsubscribe).

Engagement has a trend: some subscribers open less and less over the last months, more often
those who stopped buying.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Final

import numpy as np
from numpy.typing import NDArray

from core import JsonObject
from customers.world._erp import Sales
from customers.world._export import Columns, json_line, write_csv, write_lines
from customers.world._held import NameNoise, addresses_held, blank, emails_held, noisy_names
from customers.world._moments import Moments, days_ago, moment_texts, start_of
from customers.world._records import RecordSet, draw_records
from customers.world._world import World

SUBSCRIBERS_HEADER: Final = (
    "subscriber_id",
    "email",
    "first_name",
    "last_name",
    "postcode",
    "opted_in",
    "opted_in_at",
    "source",
)
DUPLICATES: Final = 0.03
NAMES: Final = NameNoise(typo=0.02, nickname=0.08, swap=0.0)
UNSUBSCRIBED: Final = 0.10
NEVER_CONFIRMED: Final = 0.10
CAMPAIGNS: Final = 26
CAMPAIGN_EVERY_DAYS: Final = 14
DECLINE_OVER_DAYS: Final = 180
"""A declining subscriber's open rate falls to a tenth over this many days before as_of."""
_SOURCES: Final = np.array(["web_form", "checkout", "event", "import", "referral"])
_KINDS: Final = ("sent", "open", "click", "unsubscribe")


def _subscribers(
    world: World, rng: np.random.Generator, subscribers: RecordSet, opted_in: NDArray[np.bool_], since: Moments
) -> Columns:
    population = world.population
    first, last = noisy_names(rng, subscribers, population, NAMES, world.ledger)
    email = emails_held(rng, subscribers, population, world.ledger, missing=0.0, duplicate_other=1.0)
    postcode = addresses_held(subscribers, population, world.ledger).postcode
    size = len(subscribers)
    return {
        "subscriber_id": subscribers.ids.tolist(),
        "email": email.tolist(),
        "first_name": blank(rng, first, 0.03).tolist(),
        "last_name": blank(rng, last, 0.10).tolist(),
        "postcode": blank(rng, postcode, 0.15).tolist(),
        "opted_in": np.where(opted_in, "yes", "no").tolist(),
        "opted_in_at": [at if yes else "" for at, yes in zip(moment_texts(since), opted_in.tolist(), strict=True)],
        "source": _SOURCES[rng.choice(len(_SOURCES), size=size, p=[0.35, 0.3, 0.1, 0.15, 0.1])].tolist(),
    }


def _lapsed(world: World, sales: Sales) -> NDArray[np.bool_]:
    """People with a purchase history whose last order is more than half a year old."""
    last = np.full(len(world.population), np.datetime64("NaT"), dtype="datetime64[D]")
    last[sales.person] = sales.day  # sales are in date order: the last write is the latest order
    half_year_ago = np.datetime64((world.as_of - timedelta(days=182)).isoformat(), "D")
    lapsed: NDArray[np.bool_] = ~np.isnat(last) & (last < half_year_ago)
    return lapsed


def _events(
    world: World,
    rng: np.random.Generator,
    subscribers: RecordSet,
    state: NDArray[np.int64],
    since: Moments,
    sales: Sales,
) -> list[JsonObject]:
    """Every campaign goes to the subscribers opted in by then; opens and clicks follow each one's engagement."""
    now = start_of(world.as_of)
    size = len(subscribers)
    days = [(world.as_of - timedelta(days=7 + CAMPAIGN_EVERY_DAYS * k)).isoformat() for k in range(CAMPAIGNS)][::-1]
    sent_at: Moments = np.array([f"{day}T09:00:00" for day in days], dtype="datetime64[s]")
    names = [f"{'promo' if k % 4 == 3 else 'newsletter'}-{day}" for k, day in enumerate(days)]
    eligible = (state[:, None] != 2) & (since[:, None] < sent_at[None, :])
    leaving = np.flatnonzero((state == 1) & eligible.any(axis=1))
    first_sent = eligible[leaving].argmax(axis=1)
    last_sent = first_sent + (rng.random(len(leaving)) * (CAMPAIGNS - first_sent)).astype(np.int64)
    eligible[leaving] &= np.arange(CAMPAIGNS)[None, :] <= last_sent[:, None]

    declining = rng.random(size) < np.where(_lapsed(world, sales)[subscribers.person], 0.35, 0.12)
    days_left = (now - sent_at).astype(np.int64) / 86_400
    fade = np.clip(0.1 + 0.9 * days_left / DECLINE_OVER_DAYS, 0.1, 1.0)
    open_rate = rng.beta(2.0, 4.0, size)[:, None] * np.where(declining[:, None], fade[None, :], 1.0)
    opened = eligible & (rng.random((size, CAMPAIGNS)) < open_rate)
    clicked = opened & (rng.random((size, CAMPAIGNS)) < 0.25)
    open_at: Moments = sent_at[None, :] + np.maximum(rng.exponential(6 * 3600, (size, CAMPAIGNS)), 60).astype(
        "timedelta64[s]"
    )
    click_at: Moments = open_at + rng.integers(5, 600, (size, CAMPAIGNS)).astype("timedelta64[s]")
    last_seen = np.where(
        clicked[leaving, last_sent],
        click_at[leaving, last_sent],
        np.where(opened[leaving, last_sent], open_at[leaving, last_sent], sent_at[last_sent]),
    )
    quit_at: Moments = last_seen + rng.integers(30, 86_400, len(leaving)).astype("timedelta64[s]")

    who: list[NDArray[np.int64]] = []
    campaign: list[NDArray[np.int64]] = []
    kind: list[NDArray[np.int64]] = []
    at: list[Moments] = []
    for code, mask, moments in (
        (0, eligible, np.broadcast_to(sent_at, (size, CAMPAIGNS))),
        (1, opened, open_at),
        (2, clicked, click_at),
    ):
        rows, columns = np.nonzero(mask & (moments < now))
        who.append(rows)
        campaign.append(columns)
        kind.append(np.full(len(rows), code))
        at.append(moments[rows, columns])
    leaves = quit_at < now
    who.append(leaving[leaves])
    campaign.append(last_sent[leaves])
    kind.append(np.full(int(leaves.sum()), 3))
    at.append(quit_at[leaves])
    subscriber, sent, what = (np.concatenate(parts) for parts in (who, campaign, kind))
    moment: Moments = np.concatenate(at)
    order = np.lexsort((subscriber, what, moment))
    texts = moment_texts(moment[order])
    return [
        {
            "event_id": f"EV-{i + 1:08d}",
            "subscriber_id": str(subscribers.ids[s]),
            "campaign": names[c],
            "kind": _KINDS[k],
            "at": texts[i],
        }
        for i, (s, c, k) in enumerate(
            zip(subscriber[order].tolist(), sent[order].tolist(), what[order].tolist(), strict=True)
        )
    ]


def write_marketing(world: World, folder: Path, sales: Sales) -> dict[str, int]:
    rng = world.rng("marketing")
    subscribers = draw_records(rng, world.population, "marketing", "subscribers", DUPLICATES, lambda i: f"SUB-{i:06d}")
    world.ledger.records(subscribers)
    draw = rng.random(len(subscribers))
    # 0: opted in, 1: opted in and later unsubscribed, 2: never confirmed
    state = np.where(draw < UNSUBSCRIBED, 1, np.where(draw < UNSUBSCRIBED + NEVER_CONFIRMED, 2, 0)).astype(np.int64)
    since = days_ago(world.as_of, rng.uniform(20, 1500, len(subscribers)))
    rows = _subscribers(world, rng, subscribers, state == 0, since)
    events = _events(world, rng, subscribers, state, since, sales) if world.events else []
    breaker = world.breaker("marketing")
    breaker.columns("marketing", "subscribers", rows, "subscriber_id", [("unparseable date", "opted_in_at")])
    breaker.objects("marketing", "email_events", events, "event_id", [("unparseable date", "at")], share=0.5)
    lines = [json_line(event) for event in events]
    breaker.truncate("marketing", "email_events", lines, [str(event["event_id"]) for event in events], share=0.5)
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "subscribers": write_csv(folder / "subscribers.csv", SUBSCRIBERS_HEADER, rows),
        "email_events": write_lines(folder / "email_events.jsonl", lines),
    }
