"""Identity resolution for person records: unsupervised Fellegi-Sunter record linkage with EM, and clustering.

Blocking on the union of several cheap keys, comparison levels per field (the whole address is one
comparison; e-mail and phone when the records have them), m, u and the match prior by EM on the
candidates (u initialised from random pairs, plus 100 pseudo-pairs of non-matches that look like random
pairs, which hold the estimate on inputs of a few hundred records), and a match at posterior >= 0.5.
`resolve_people` clusters records into people from guarded deterministic keys and the model's confident
links.
"""

from customers.identity._compare import Comparison
from customers.identity._matcher import (
    MATCH_THRESHOLD,
    ScoredPairs,
    match_dedupe,
    match_link,
    score_dedupe,
    score_link,
)
from customers.identity._model import FellegiSunterModel
from customers.identity._normalize import CONTACT_FIELDS, PERSON_FIELDS, normalize_people, soundex
from customers.identity._resolve import (
    DETERMINISTIC_MAX_GROUP,
    LINK_REASONS,
    Link,
    Links,
    Resolution,
    UncertainPairs,
    resolve_people,
)

__all__ = [
    "CONTACT_FIELDS",
    "DETERMINISTIC_MAX_GROUP",
    "LINK_REASONS",
    "MATCH_THRESHOLD",
    "PERSON_FIELDS",
    "Comparison",
    "FellegiSunterModel",
    "Link",
    "Links",
    "Resolution",
    "ScoredPairs",
    "UncertainPairs",
    "match_dedupe",
    "match_link",
    "normalize_people",
    "resolve_people",
    "score_dedupe",
    "score_link",
    "soundex",
]
