"""Names, streets and places, drawn from Faker's en_US providers once and then sampled with numpy.

Calling Faker per person is slow; drawing its vocabularies once and sampling them by frequency is
fast, and the frequencies make common names repeat as they do in real customer files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from faker import Faker
from faker.providers.person.en_US import Provider as PersonProvider
from numpy.typing import NDArray

from customers.world._draws import Texts, texts, zipf_weights

EMAIL_DOMAINS: Final = (
    "example.com",
    "example.net",
    "mail.example.com",
    "example.org",
    "inbox.example.net",
    "post.example.org",
    "webmail.example.com",
)
"""Reserved domains (RFC 2606), so nothing built on the demo world can ever mail a real person."""

TRADES: Final = (
    "Plumbing",
    "Landscaping",
    "Bakery",
    "Auto Repair",
    "Consulting",
    "Dental Care",
    "Hair Studio",
    "Catering",
    "Electric",
    "Roofing",
    "Bookkeeping",
    "Florist",
    "Photography",
    "Cleaning Services",
    "Carpentry",
)


@dataclass(frozen=True, slots=True)
class Weighted:
    """Values with their frequencies."""

    values: Texts
    p: NDArray[np.float64]

    def draw(self, rng: np.random.Generator, size: int) -> Texts:
        return self.values[rng.choice(len(self.values), size=size, p=self.p)]


@dataclass(frozen=True, slots=True)
class Places:
    """Postcodes with their city and how many people live there (a few big cities, many small towns)."""

    postcode: Texts
    city: Texts
    p: NDArray[np.float64]

    def draw(self, rng: np.random.Generator, size: int) -> NDArray[np.int64]:
        return rng.choice(len(self.postcode), size=size, p=self.p).astype(np.int64)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    male: Weighted
    female: Weighted
    surnames: Weighted
    streets: Weighted
    places: Places
    email_domains: Weighted


def _frequencies(table: dict[str, float]) -> Weighted:
    weights = np.array(list(table.values()), dtype=np.float64)
    return Weighted(texts(list(table)), weights / weights.sum())


def _distinct(draw: list[str]) -> list[str]:
    return list(dict.fromkeys(draw))


def _places(fake: Faker, cities: int) -> Places:
    names = _distinct([fake.city() for _ in range(cities)])
    city_weights = zipf_weights(len(names), 0.9)
    postcodes: list[str] = []
    towns: list[str] = []
    weights: list[float] = []
    seen: set[str] = set()
    for rank, (name, weight) in enumerate(zip(names, city_weights, strict=True), start=1):
        state = fake.state_abbr(include_territories=False)
        share = max(1, round(6 / rank**0.5))
        for _ in range(share):
            postcode = fake.postcode_in_state(state)
            if postcode not in seen:
                seen.add(postcode)
                postcodes.append(postcode)
                towns.append(name)
                weights.append(float(weight) / share)
    p = np.array(weights)
    return Places(texts(postcodes), texts(towns), p / p.sum())


def build_vocabulary(seed: int, people: int) -> Vocabulary:
    """The vocabularies for a world of `people`: more streets and towns for a bigger world."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    streets = _distinct([fake.street_name() for _ in range(int(np.clip(people // 40, 300, 6000)))])
    return Vocabulary(
        male=_frequencies(PersonProvider.first_names_male),
        female=_frequencies(PersonProvider.first_names_female),
        surnames=_frequencies(PersonProvider.last_names),
        streets=Weighted(texts(streets), zipf_weights(len(streets), 0.6)),
        places=_places(fake, int(np.clip(people // 150, 60, 2000))),
        email_domains=Weighted(texts(list(EMAIL_DOMAINS)), zipf_weights(len(EMAIL_DOMAINS), 1.0)),
    )
