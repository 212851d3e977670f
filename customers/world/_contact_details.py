"""E-mail addresses, phone numbers and tax ids: unique per person unless a household shares them."""

from __future__ import annotations

import re
from typing import Final, Literal

import numpy as np
from numpy.typing import NDArray

from customers.world._draws import Texts, texts

PhoneStyle = Literal["parentheses", "dashes", "dots", "spaces"]

_NOT_ALNUM: Final = re.compile(r"[^a-z0-9]")
_PATTERNS: Final = 7


def _clean(text: str) -> str:
    return _NOT_ALNUM.sub("", text.lower())


class EmailBook:
    """Hands out e-mail addresses built like people build them, never the same one twice."""

    def __init__(self, domains: Texts, domain_p: NDArray[np.float64], rng: np.random.Generator) -> None:
        self._domains = domains
        self._domain_p = domain_p
        self._rng = rng
        self._used: set[str] = set()

    def _claim(self, local: str, domain: str) -> str:
        address = f"{local}@{domain}"
        suffix = 1
        while address in self._used:
            suffix += 1
            address = f"{local}{suffix}@{domain}"
        self._used.add(address)
        return address

    def personal(self, first: Texts, last: Texts, birth_year: NDArray[np.int64]) -> Texts:
        size = len(first)
        patterns = self._rng.integers(0, _PATTERNS, size=size).tolist()
        numbers = self._rng.integers(1, 100, size=size).tolist()
        domains = self._domains[self._rng.choice(len(self._domains), size=size, p=self._domain_p)].tolist()
        out = [
            self._claim(_local_part(_clean(f) or "x", _clean(s) or "x", int(y), pattern, number), domain)
            for f, s, y, pattern, number, domain in zip(
                first.tolist(), last.tolist(), birth_year.tolist(), patterns, numbers, domains, strict=True
            )
        ]
        return texts(out)

    def family(self, last: Texts) -> Texts:
        domains = self._domains[self._rng.choice(len(self._domains), size=len(last), p=self._domain_p)].tolist()
        forms = self._rng.integers(0, 2, size=len(last)).tolist()
        out = [
            self._claim(f"the{_clean(s)}s" if form else f"{_clean(s)}family", domain)
            for s, form, domain in zip(last.tolist(), forms, domains, strict=True)
        ]
        return texts(out)

    def other_domain(self, addresses: Texts) -> Texts:
        """The same mailbox name at another provider: a second account people forget they gave."""
        out = []
        for address in addresses.tolist():
            local, _, domain = address.partition("@")
            others = [d for d in self._domains.tolist() if d != domain]
            out.append(self._claim(local, others[int(self._rng.integers(len(others)))]))
        return texts(out)


def _local_part(first: str, last: str, year: int, pattern: int, number: int) -> str:
    match pattern:
        case 0:
            return f"{first}.{last}"
        case 1:
            return f"{first}{last}"
        case 2:
            return f"{first[0]}{last}"
        case 3:
            return f"{first}.{last}{number}"
        case 4:
            return f"{first}{year % 100:02d}"
        case 5:
            return f"{last}{first[0]}"
        case _:
            return f"{first}_{last}"


def phone_numbers(rng: np.random.Generator, size: int) -> Texts:
    """Distinct ten-digit US numbers (area code and exchange never start with 0 or 1, no 555)."""
    drawn = rng.choice(800 * 799 * 10_000, size=size, replace=False)
    area = 200 + drawn // (799 * 10_000)
    exchange = 200 + (drawn // 10_000) % 799
    exchange = exchange + (exchange >= 555)
    line = drawn % 10_000
    return texts([f"{a}{e}{n:04d}" for a, e, n in zip(area.tolist(), exchange.tolist(), line.tolist(), strict=True)])


def format_phone(digits: str, style: PhoneStyle) -> str:
    if not digits:
        return ""
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    match style:
        case "parentheses":
            return f"({area}) {exchange}-{line}"
        case "dashes":
            return f"{area}-{exchange}-{line}"
        case "dots":
            return f"{area}.{exchange}.{line}"
        case "spaces":
            return f"{area} {exchange} {line}"


def tax_ids(rng: np.random.Generator, size: int) -> Texts:
    """Distinct social-security-style numbers AAA-GG-SSSS (no area 000, 666 or 900+)."""
    drawn = rng.choice(898 * 99 * 9999, size=size, replace=False)
    area = 1 + drawn // (99 * 9999)
    area = np.where(area >= 666, area + 1, area)
    group = 1 + (drawn // 9999) % 99
    serial = 1 + drawn % 9999
    return texts(
        [f"{a:03d}-{g:02d}-{s:04d}" for a, g, s in zip(area.tolist(), group.tolist(), serial.tolist(), strict=True)]
    )
