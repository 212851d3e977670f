"""How a person's details get garbled on their way into a system: typos, nicknames, swapped names.

Three kinds of typo, as real data shows them: a neighbouring key (typed), a look-alike glyph
(scanned forms), and a sound-alike spelling (taken down on the phone).
"""

from __future__ import annotations

from typing import Final, Literal

import numpy as np

TypoKind = Literal["keyboard", "ocr", "phonetic"]
TYPO_KINDS: Final[tuple[TypoKind, ...]] = ("keyboard", "ocr", "phonetic")
TYPO_SHARES: Final = (0.5, 0.2, 0.3)

NICKNAMES: Final[dict[str, tuple[str, ...]]] = {
    "Abigail": ("Abby",),
    "Albert": ("Al", "Bert"),
    "Alexander": ("Alex", "Sandy"),
    "Alexandra": ("Alex", "Sandra"),
    "Allison": ("Ally",),
    "Amanda": ("Mandy",),
    "Andrew": ("Andy", "Drew"),
    "Angela": ("Angie",),
    "Anthony": ("Tony",),
    "Barbara": ("Barb",),
    "Benjamin": ("Ben",),
    "Bradley": ("Brad",),
    "Catherine": ("Cathy", "Kate"),
    "Charles": ("Charlie", "Chuck"),
    "Christina": ("Tina", "Chris"),
    "Christine": ("Chris",),
    "Christopher": ("Chris",),
    "Cynthia": ("Cindy",),
    "Daniel": ("Dan", "Danny"),
    "Deborah": ("Debbie", "Deb"),
    "Donald": ("Don",),
    "Douglas": ("Doug",),
    "Edward": ("Ed", "Eddie", "Ted"),
    "Elizabeth": ("Liz", "Beth", "Betty"),
    "Frances": ("Fran",),
    "Frederick": ("Fred",),
    "Gerald": ("Jerry",),
    "Gregory": ("Greg",),
    "Harold": ("Harry",),
    "Henry": ("Hank",),
    "Jacob": ("Jake",),
    "Jacqueline": ("Jackie",),
    "James": ("Jim", "Jimmy"),
    "Jeffrey": ("Jeff",),
    "Jennifer": ("Jen", "Jenny"),
    "Jessica": ("Jess",),
    "John": ("Johnny", "Jack"),
    "Jonathan": ("Jon",),
    "Joseph": ("Joe",),
    "Joshua": ("Josh",),
    "Judith": ("Judy",),
    "Katherine": ("Kate", "Kathy", "Katie"),
    "Kathleen": ("Kathy",),
    "Kathryn": ("Kate", "Katie"),
    "Kenneth": ("Ken",),
    "Kimberly": ("Kim",),
    "Lawrence": ("Larry",),
    "Leonard": ("Len",),
    "Margaret": ("Maggie", "Peggy", "Meg"),
    "Matthew": ("Matt",),
    "Megan": ("Meg",),
    "Melissa": ("Missy", "Mel"),
    "Michael": ("Mike",),
    "Mitchell": ("Mitch",),
    "Nathan": ("Nate",),
    "Nicholas": ("Nick",),
    "Pamela": ("Pam",),
    "Patricia": ("Pat", "Patty", "Trish"),
    "Patrick": ("Pat",),
    "Peter": ("Pete",),
    "Philip": ("Phil",),
    "Randall": ("Randy",),
    "Raymond": ("Ray",),
    "Rebecca": ("Becky",),
    "Richard": ("Rick", "Dick"),
    "Robert": ("Bob", "Rob", "Bobby"),
    "Ronald": ("Ron",),
    "Russell": ("Russ",),
    "Samantha": ("Sam",),
    "Samuel": ("Sam",),
    "Sandra": ("Sandy",),
    "Stephanie": ("Steph",),
    "Steven": ("Steve",),
    "Susan": ("Sue",),
    "Theodore": ("Ted",),
    "Theresa": ("Terri",),
    "Thomas": ("Tom", "Tommy"),
    "Timothy": ("Tim",),
    "Valerie": ("Val",),
    "Victoria": ("Vicky",),
    "Vincent": ("Vince",),
    "Walter": ("Walt",),
    "William": ("Bill", "Will", "Billy"),
    "Zachary": ("Zach",),
}
"""Common English given names and the nicknames people give instead of them."""

_KEYBOARD_ROWS: Final = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS: Final[dict[str, str]] = {}
for _row_index, _row in enumerate(_KEYBOARD_ROWS):
    for _col, _key in enumerate(_row):
        _near = [_row[c] for c in (_col - 1, _col + 1) if 0 <= c < len(_row)]
        _near += [
            _KEYBOARD_ROWS[r][c]
            for r in (_row_index - 1, _row_index + 1)
            if 0 <= r < len(_KEYBOARD_ROWS)
            for c in (_col, _col + 1)
            if c < len(_KEYBOARD_ROWS[r])
        ]
        _NEIGHBOURS[_key] = "".join(_near)

_LOOK_ALIKE: Final = (
    ("rn", "m"),
    ("m", "rn"),
    ("cl", "d"),
    ("d", "cl"),
    ("li", "h"),
    ("h", "li"),
    ("e", "c"),
    ("c", "e"),
    ("l", "1"),
    ("O", "0"),
    ("o", "0"),
    ("S", "5"),
    ("B", "8"),
    ("vv", "w"),
    ("w", "vv"),
    ("i", "l"),
    ("a", "o"),
    ("u", "v"),
)
_SOUND_ALIKE: Final = (
    ("ph", "f"),
    ("f", "ph"),
    ("ck", "k"),
    ("c", "k"),
    ("k", "c"),
    ("y", "i"),
    ("i", "y"),
    ("ie", "y"),
    ("ey", "y"),
    ("ou", "ow"),
    ("ai", "ay"),
    ("ee", "ea"),
    ("ea", "ee"),
    ("th", "t"),
    ("z", "s"),
    ("s", "z"),
    ("son", "sen"),
    ("sen", "son"),
    ("er", "ar"),
    ("ar", "er"),
    ("ll", "l"),
    ("l", "ll"),
    ("tt", "t"),
    ("nn", "n"),
    ("ch", "sh"),
    ("sh", "ch"),
    ("x", "ks"),
)


def _with_case(original: str, changed: str) -> str:
    """`changed` with the capitals of `original` kept at the same positions."""
    return "".join(ch.upper() if i < len(original) and original[i].isupper() else ch for i, ch in enumerate(changed))


def _keyboard(text: str, rng: np.random.Generator) -> str:
    lower = text.lower()
    spots = [i for i, ch in enumerate(lower) if ch in _NEIGHBOURS]
    if not spots:
        return text + text[-1:]
    at = spots[int(rng.integers(len(spots)))]
    near = _NEIGHBOURS[lower[at]]
    key = near[int(rng.integers(len(near)))]
    match int(rng.integers(4)):
        case 0:  # hit the neighbouring key instead
            changed = lower[:at] + key + lower[at + 1 :]
        case 1:  # hit both keys
            changed = lower[: at + 1] + key + lower[at + 1 :]
        case 2:  # missed the key
            changed = lower[:at] + lower[at + 1 :] if len(lower) > 2 else lower + key
        case _:  # two keys in the wrong order
            at = min(at, len(lower) - 2)
            changed = lower[:at] + lower[at + 1] + lower[at] + lower[at + 2 :] if len(lower) > 1 else lower + key
    if changed == lower:
        changed = lower[: at + 1] + key + lower[at + 1 :]
    return _with_case(text, changed)


def _replace_one(text: str, pairs: tuple[tuple[str, str], ...], rng: np.random.Generator) -> str | None:
    spots = [(i, old, new) for old, new in pairs for i in range(len(text)) if text.startswith(old, i)]
    if not spots:
        return None
    at, old, new = spots[int(rng.integers(len(spots)))]
    return text[:at] + new + text[at + len(old) :]


def typo(text: str, kind: TypoKind, rng: np.random.Generator) -> str:
    """`text` with one typo of `kind` (a keyboard slip when no look- or sound-alike fits)."""
    if not text:
        return text
    match kind:
        case "keyboard":
            return _keyboard(text, rng)
        case "ocr":
            return _replace_one(text, _LOOK_ALIKE, rng) or _keyboard(text, rng)
        case "phonetic":
            changed = _replace_one(text.lower(), _SOUND_ALIKE, rng)
            return _with_case(text, changed) if changed and changed != text.lower() else _keyboard(text, rng)


def nickname(given: str, rng: np.random.Generator) -> str | None:
    choices = NICKNAMES.get(given)
    return None if choices is None else choices[int(rng.integers(len(choices)))]


def typo_kinds(rng: np.random.Generator, size: int) -> list[TypoKind]:
    return [TYPO_KINDS[i] for i in rng.choice(len(TYPO_KINDS), size=size, p=TYPO_SHARES)]


STREET_ABBREVIATIONS: Final = {
    "Avenue": "Ave",
    "Boulevard": "Blvd",
    "Circle": "Cir",
    "Court": "Ct",
    "Creek": "Crk",
    "Crossing": "Xing",
    "Drive": "Dr",
    "Heights": "Hts",
    "Highway": "Hwy",
    "Junction": "Jct",
    "Lake": "Lk",
    "Lane": "Ln",
    "Mountain": "Mtn",
    "Parkway": "Pkwy",
    "Place": "Pl",
    "Point": "Pt",
    "Ridge": "Rdg",
    "Road": "Rd",
    "Square": "Sq",
    "Station": "Sta",
    "Street": "St",
    "Terrace": "Ter",
    "Trail": "Trl",
    "Valley": "Vly",
    "Village": "Vlg",
}
"""USPS suffix abbreviations: a web form takes whatever the customer types."""


def abbreviated(street: str) -> str:
    name, _, suffix = street.rpartition(" ")
    short = STREET_ABBREVIATIONS.get(suffix)
    return f"{name} {short}" if name and short else street
