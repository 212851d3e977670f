"""Identity resolution for person records: unsupervised Fellegi-Sunter record linkage with EM.

Blocking on the union of several cheap keys, comparison levels per field (the whole address is one
comparison), m, u and the match prior by EM on the candidates (u initialised from random pairs),
and a match at posterior >= 0.5.
"""

from customers.identity._matcher import (
    MATCH_THRESHOLD,
    ScoredPairs,
    match_dedupe,
    match_link,
    score_dedupe,
    score_link,
)
from customers.identity._model import FellegiSunterModel
from customers.identity._normalize import PERSON_FIELDS, normalize_people, soundex

__all__ = [
    "MATCH_THRESHOLD",
    "PERSON_FIELDS",
    "FellegiSunterModel",
    "ScoredPairs",
    "match_dedupe",
    "match_link",
    "normalize_people",
    "score_dedupe",
    "score_link",
    "soundex",
]
