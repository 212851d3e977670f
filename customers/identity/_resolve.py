"""Clustering person records into people: deterministic key links, Fellegi-Sunter links, connected components.

Households share e-mail addresses and landlines, so a key link is refused when the two records clearly
disagree on the person. Links are transitive, which can chain two different people together through
records in between; a component is split only when the model has seen evidence against it (see
`resolve_people`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.process import cpdist
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from core import ConfigurationError
from customers.identity._blocking import MAX_BLOCK_SIZE, candidate_pairs_dedupe, pairs_within
from customers.identity._compare import LevelArray
from customers.identity._matcher import ScoredCandidates, random_positions, score_candidates
from customers.identity._model import FellegiSunterModel
from customers.identity._nicknames import clearly_different_given_names
from customers.identity._normalize import PeopleTable, people_table

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ReasonArray = npt.NDArray[np.int8]
ObjectArray = npt.NDArray[np.object_]

#: Why two records were linked; `Links.reason` holds indexes into this tuple.
LINK_REASONS = ("email", "tax_id", "phone", "probabilistic")
_PROBABILISTIC = LINK_REASONS.index("probabilistic")
#: The input column behind each deterministic key.
KEY_COLUMNS = {"email": "email", "tax_id": "soc_sec_id", "phone": "phone"}
#: A key value shared by more records than this is a role address, switchboard or placeholder, not a person.
DETERMINISTIC_MAX_GROUP = 100
#: A given name this similar to the other record's surname is a swap, not a different person.
SWAP_SIMILARITY = 0.8


class Link(NamedTuple):
    """Two records (row positions) joined into one person, why, and the model's probability for the pair."""

    left: int
    right: int
    reason: str
    probability: float


@dataclass(frozen=True)
class Links:
    """The pairs that joined records, as arrays (a million links as objects would cost more than the clustering)."""

    left: IntArray
    right: IntArray
    reason: ReasonArray
    probability: FloatArray

    def __len__(self) -> int:
        return len(self.left)

    def __iter__(self) -> Iterator[Link]:
        for a, b, r, p in zip(self.left, self.right, self.reason, self.probability, strict=True):
            yield Link(int(a), int(b), LINK_REASONS[int(r)], float(p))


@dataclass(frozen=True)
class UncertainPairs:
    """Pairs a reviewer should look at: probability in the review band, records in different clusters.

    One pair (the most probable) per pair of clusters, most probable first; `levels` holds each pair's
    agreement level per comparison (-1 = missing, 0 = disagree, higher = closer) so a reviewer sees why.
    """

    left: IntArray
    right: IntArray
    probability: FloatArray
    weight: FloatArray
    levels: LevelArray
    comparisons: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.left)

    def agreement(self, row: int) -> dict[str, int]:
        """Comparison name -> agreement level of the pair at `row`."""
        return {name: int(level) for name, level in zip(self.comparisons, self.levels[row], strict=True)}


@dataclass(frozen=True)
class Resolution:
    """Records clustered into people, the links that did it, and the near misses left for review."""

    cluster: IntArray
    links: Links
    uncertain: UncertainPairs
    model: FellegiSunterModel


def _similar(values: ObjectArray, a: IntArray, b: IntArray, threshold: float = SWAP_SIMILARITY) -> BoolArray:
    """Jaro-Winkler(values[a], values[b]) >= threshold, False where either code is missing."""
    out = np.zeros(len(a), dtype=bool)
    present = np.flatnonzero((a >= 0) & (b >= 0))
    if len(present):
        similarity = cpdist(values[a[present]], values[b[present]], scorer=JaroWinkler.normalized_similarity)
        out[present] = np.asarray(similarity, dtype=np.float64) >= threshold
    return out


def _given_names_clash(table: PeopleTable, li: IntArray, ri: IntArray) -> BoolArray:
    """Both given names present and clearly different; a given name and surname swapped (with a typo) is no clash."""
    given, surname = table["given_name"], table["surname"]
    gl, gr, sl, sr = given.codes[li], given.codes[ri], surname.codes[li], surname.codes[ri]
    check = np.flatnonzero((gl >= 0) & (gr >= 0) & (gl != gr))
    values = given.values  # given names and surnames share one vocabulary
    clash = np.array(
        [
            clearly_different_given_names(str(values[a]), str(values[b]))
            for a, b in zip(gl[check], gr[check], strict=True)
        ],
        dtype=bool,
    )
    rows = check[clash] if len(check) else check
    swapped = _similar(values, gl[rows], sr[rows]) | _similar(values, gr[rows], sl[rows])
    out = np.zeros(len(li), dtype=bool)
    out[rows[~swapped]] = True
    return out


def _column(scored: ScoredCandidates, name: str) -> int:
    return [c.name for c in scored.comparisons].index(name)


def _different_people(table: PeopleTable, scored: ScoredCandidates, rows: IntArray) -> BoolArray:
    """The candidate pairs at `rows` whose records clearly disagree on the person (date of birth or given name)."""
    dob = scored.levels(rows)[:, _column(scored, "date_of_birth")]
    out: BoolArray = (dob == 0) | _given_names_clash(table, scored.left[rows], scored.right[rows])
    return out


def _key_codes(table: PeopleTable, keys: Sequence[str]) -> list[tuple[int, IntArray]]:
    """(reason index, record codes) of each deterministic key the records have; oversized groups are dropped."""
    out = []
    for key in keys:
        column = KEY_COLUMNS[key]
        if not table.has(column):
            continue
        codes = table[column].codes
        sizes = np.bincount(codes[codes >= 0], minlength=len(table[column].values))
        usable = np.append(sizes <= DETERMINISTIC_MAX_GROUP, False)
        out.append((LINK_REASONS.index(key), np.where(usable[codes], codes, -1)))
    return out


def _recluster(
    nodes: IntArray, links: tuple[IntArray, IntArray], order: IntArray, conflicts: tuple[IntArray, IntArray]
) -> dict[int, int]:
    """Union-find over `links` taken in `order`, refusing any union that would join a conflicting pair."""
    parent = {int(v): int(v) for v in nodes}
    cannot: dict[int, set[int]] = {}
    for a, b in zip(conflicts[0].tolist(), conflicts[1].tolist(), strict=True):
        cannot.setdefault(a, set()).add(b)
        cannot.setdefault(b, set()).add(a)

    def find(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    left, right = links
    for k in order.tolist():
        ra, rb = find(int(left[k])), find(int(right[k]))
        if ra == rb or rb in cannot.get(ra, ()):
            continue
        parent[rb] = ra
        for c in cannot.pop(rb, set()):
            cannot[c].discard(rb)
            cannot[c].add(ra)
            cannot.setdefault(ra, set()).add(c)
    return {v: find(v) for v in parent}


def _split_chains(
    table: PeopleTable,
    scored: ScoredCandidates,
    component: IntArray,
    link: BoolArray,
    reason: ReasonArray,
    probability: FloatArray,
    review_from: float,
) -> IntArray:
    """Split components that hold a pair the model rejects (p < review_from) and whose records clearly differ."""
    li, ri = scored.left, scored.right
    suspect = np.flatnonzero((component[li] == component[ri]) & ~link & (probability < review_from))
    conflict = suspect[_different_people(table, scored, suspect)]
    if not len(conflict):
        return component
    affected = np.unique(component[li[conflict]])
    in_affected = np.isin(component[li], affected)
    rows = np.flatnonzero(link & in_affected)
    deterministic_first = np.where(reason[rows] == _PROBABILISTIC, 1, 0)
    order = np.lexsort((ri[rows], li[rows], -probability[rows], deterministic_first))
    nodes = np.flatnonzero(np.isin(component, affected))
    roots = _recluster(nodes, (li[rows], ri[rows]), order, (li[conflict], ri[conflict]))
    out = component.copy()
    out[nodes] = len(component) + np.array([roots[int(v)] for v in nodes], dtype=np.int64)
    return out


def _uncertain(
    scored: ScoredCandidates, cluster: IntArray, probability: FloatArray, review_from: float, auto_from: float
) -> UncertainPairs:
    li, ri = scored.left, scored.right
    rows = np.flatnonzero((probability >= review_from) & (probability < auto_from) & (cluster[li] != cluster[ri]))
    lo = np.minimum(cluster[li[rows]], cluster[ri[rows]])
    hi = np.maximum(cluster[li[rows]], cluster[ri[rows]])
    by_pair = np.lexsort((ri[rows], li[rows], -probability[rows], hi, lo))
    first = np.r_[True, (lo[by_pair][1:] != lo[by_pair][:-1]) | (hi[by_pair][1:] != hi[by_pair][:-1])]
    best = rows[by_pair[first]] if len(rows) else rows
    best = best[np.lexsort((ri[best], li[best], -probability[best]))]
    return UncertainPairs(
        left=li[best],
        right=ri[best],
        probability=probability[best],
        weight=scored.pattern_weight[scored.patterns[best]],
        levels=scored.levels(best),
        comparisons=tuple(c.name for c in scored.comparisons),
    )


def resolve_people(
    df: pd.DataFrame,
    *,
    deterministic_keys: Sequence[str] = ("email", "tax_id"),
    auto_from: float = 0.9,
    review_from: float = 0.5,
    guard_model_links: bool = True,
) -> Resolution:
    """Cluster person records into people; every position in the result is a row position of `df`.

    Key links: records with the same normalised e-mail, tax id (``soc_sec_id``) or, when asked, phone
    (last 9 digits) are linked unless they clearly disagree on the person: both dates of birth present
    and beyond the typo levels, or given names clearly different (Jaro-Winkler < 0.75, neither a
    nickname nor an initial of the other, not a given name/surname swap). A key value shared by more
    than `DETERMINISTIC_MAX_GROUP` records is no key.

    Model links: pairs whose Fellegi-Sunter posterior is at least `auto_from`. With
    `guard_model_links` (the default) the same person check applies to them too, except that agreeing
    tax ids (exact or one edit) overrule it: family members share address, surname, e-mail and
    landline, which the model counts as independent evidence. On data without households whose
    duplicates have whole values replaced (FEBRL) the guard costs a little recall.

    Clusters are the connected components of all links, numbered by their first row. Chaining: A-B
    and B-C links put A and C together even if A and C were never compared, and that is accepted,
    except when A and C were compared, the model rejects them (p < `review_from`) and they clearly
    disagree on the person: then the component is rebuilt from its strongest links (key links first,
    then by probability), refusing every union that would join such a pair. Pairs never compared (not
    blocked together) cannot veto a chain.

    Uncertain: pairs with `review_from` <= p < `auto_from` whose records ended in different clusters,
    the most probable pair per pair of clusters, most probable first.
    """
    unknown = sorted(set(deterministic_keys) - set(KEY_COLUMNS))
    if unknown:
        raise ConfigurationError(f"unknown deterministic keys {unknown}; choose from {sorted(KEY_COLUMNS)}")
    if not 0.0 < review_from <= auto_from <= 1.0:
        raise ConfigurationError(f"need 0 < review_from <= auto_from <= 1, got {review_from} and {auto_from}")
    table = people_table(df.reset_index(drop=True))
    n = table.size
    keys = _key_codes(table, deterministic_keys)
    extra = [pairs_within(codes, max_size=min(DETERMINISTIC_MAX_GROUP, MAX_BLOCK_SIZE)) for _, codes in keys]
    li, ri = candidate_pairs_dedupe(table, extra=extra)
    scored = score_candidates(table, li, ri, *random_positions(n, n, same=True), all_pairs=n * (n - 1) // 2)
    probability = scored.probability()

    reason = np.full(len(li), -1, dtype=np.int8)
    for index, codes in keys:
        reason[(codes[li] == codes[ri]) & (codes[li] >= 0) & (reason < 0)] = index
    confident = probability >= auto_from
    check = np.flatnonzero((reason >= 0) | confident)
    different = np.zeros(len(li), dtype=bool)
    different[check] = _different_people(table, scored, check)
    reason[different] = -1
    model_link = (reason < 0) & confident
    if guard_model_links:
        tax_ids_agree = np.zeros(len(li), dtype=bool)
        tax_ids_agree[check] = scored.levels(check)[:, _column(scored, "soc_sec_id")] >= 2
        model_link &= ~different | tax_ids_agree
    reason[model_link] = _PROBABILISTIC
    link = reason >= 0

    graph = coo_matrix((np.ones(int(link.sum()), dtype=np.int8), (li[link], ri[link])), shape=(n, n))
    component = np.asarray(connected_components(graph, directed=False)[1], dtype=np.int64)
    component = _split_chains(table, scored, component, link, reason, probability, review_from)
    cluster = np.asarray(pd.factorize(component)[0], dtype=np.int64)  # numbered in order of first row

    joined = np.flatnonzero(link & (cluster[li] == cluster[ri]))
    links = Links(left=li[joined], right=ri[joined], reason=reason[joined], probability=probability[joined])
    return Resolution(
        cluster=cluster,
        links=links,
        uncertain=_uncertain(scored, cluster, probability, review_from, auto_from),
        model=scored.model,
    )
