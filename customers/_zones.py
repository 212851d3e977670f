"""Shipping zones: how far a parcel travels between two postcodes, as carriers price it (zones 1..4).

The one place Steward defines a zone; carrier rates are given per zone. Postcodes whose leading digits
name a region (US ZIP codes, as the demo world uses, and German, French or Dutch codes alike) are
compared by their leading characters:

1. the same first three characters (the same sorting centre);
2. the same first character (the same region);
3. both start with a digit and the first digits differ by at most 2 (neighbouring regions: ZIP
   regions are numbered along the country, 0 in the north-east to 9 in the west);
4. anything else, including a postcode that is empty or starts with no letter or digit: the farthest
   zone, so a plan errs on the expensive, slow side rather than the cheap one.
"""

from __future__ import annotations

from typing import Final

ZONES: Final = (1, 2, 3, 4)
NEIGHBOURING_REGIONS: Final = 2
_DIGITS: Final = "0123456789"


def _normal(postcode: str) -> str:
    return "".join(postcode.split()).upper()


def shipping_zone(from_postcode: str, to_postcode: str) -> int:
    """The zone (1 nearest .. 4 farthest) between two postcodes; never raises."""
    origin, destination = _normal(from_postcode), _normal(to_postcode)
    if not origin or not destination or not origin[0].isalnum() or not destination[0].isalnum():
        return 4
    if len(origin) >= 3 and origin[:3] == destination[:3]:
        return 1
    if origin[0] == destination[0]:
        return 2
    first, second = _DIGITS.find(origin[0]), _DIGITS.find(destination[0])
    if first >= 0 and second >= 0 and abs(first - second) <= NEIGHBOURING_REGIONS:
        return 3
    return 4
