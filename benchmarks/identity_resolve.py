"""Records per second, peak memory and pair F1 of `resolve_people` on N generated person records.

The records are made from the identity_households vocabulary (names with their real Zipf-like
frequencies, streets, suburbs with their postcode and state): people, a quarter of them living in
another person's household (same address and landline, mostly the same surname, sometimes the family
e-mail, 10% twins), 0-4 duplicates per person with typos, gaps, nicknames, name swaps, date errors,
another e-mail domain or a reformatted phone. Business-system gaps: date of birth, tax id, e-mail
and phone are each often missing. Goal at 1,000,000 records: resolve in <= 2.5 min within 2.5 GB.

    python -m benchmarks.identity_resolve [--records N] [--seed S] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from customers.identity import CONTACT_FIELDS, PERSON_FIELDS, resolve_people

IntArray = npt.NDArray[np.int64]
ObjectArray = npt.NDArray[np.object_]

HOUSEHOLDS_CSV = Path("/work/shared/data/identity_households/febrl_dataset1.csv")
DOMAINS = np.array(["gmail.com", "outlook.com", "yahoo.com", "bigpond.com", "icloud.com", "hotmail.com"], dtype=object)
NICKNAMES = {
    "william": "bill",
    "robert": "bob",
    "richard": "dick",
    "james": "jim",
    "michael": "mike",
    "elizabeth": "liz",
    "margaret": "peggy",
    "katherine": "kate",
    "jennifer": "jenny",
    "thomas": "tom",
    "matthew": "matt",
    "anthony": "tony",
    "rebecca": "becky",
    "patricia": "patty",
    "christopher": "chris",
    "daniel": "dan",
    "joseph": "joe",
    "andrew": "andy",
}
RECORD_COLUMNS = (*PERSON_FIELDS, *CONTACT_FIELDS)


def _vocabulary(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    originals: pd.DataFrame = frame[frame["rec_id"].str.endswith("-org")].reset_index(drop=True)
    return originals


def _draw(values: pd.Series, rng: np.random.Generator, size: int) -> ObjectArray:
    """Draw with the column's own frequencies (so common names stay common), never an empty value."""
    pool = values[values != ""].to_numpy(dtype=object)
    picked: ObjectArray = pool[rng.integers(0, len(pool), size=size)]
    return picked


def _typo(text: str, r: float, k: float) -> str:
    if len(text) < 2:
        return text
    i = int(k * (len(text) - 1))
    if r < 0.4:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if r < 0.7:
        return text[:i] + text[i + 1 :]
    return text[:i] + "aeiourstn"[int(r * 97) % 9] + text[i + 1 :]


def _corrupt(values: ObjectArray, rng: np.random.Generator) -> ObjectArray:
    r, k = rng.random(len(values)), rng.random(len(values))
    return np.array([_typo(str(v), a, b) for v, a, b in zip(values, r, k, strict=True)], dtype=object)


def _digits(numbers: IntArray, width: int) -> ObjectArray:
    return np.array([str(v).zfill(width) for v in numbers.tolist()], dtype=object)


def make_people(n_records: int, seed: int = 1) -> tuple[pd.DataFrame, IntArray]:
    """`n_records` person records and the person each one belongs to (the truth, never an input)."""
    rng = np.random.default_rng(seed)
    vocab = _vocabulary(HOUSEHOLDS_CSV)
    n_dups = rng.choice([0, 1, 2, 3, 4], size=n_records, p=[0.55, 0.25, 0.1, 0.06, 0.04])
    n_people = int(np.searchsorted(np.cumsum(n_dups + 1), n_records)) + 1
    n_dups = n_dups[:n_people]

    given = _draw(vocab["given_name"], rng, n_people)
    surname = _draw(vocab["surname"], rng, n_people)
    street_a, street_b = _draw(vocab["address_1"], rng, n_people), _draw(vocab["address_1"], rng, n_people)
    address_1 = np.array(
        [f"{a.split(' ')[0]} {b.split(' ')[-1]}" for a, b in zip(street_a, street_b, strict=True)], dtype=object
    )
    street_number = _digits(rng.integers(1, 400, size=n_people), 1)
    address_2 = np.where(rng.random(n_people) < 0.35, _draw(vocab["address_2"], rng, n_people), "")
    places = vocab.loc[(vocab["suburb"] != "") & (vocab["postcode"] != ""), ["suburb", "postcode", "state"]]
    place = rng.integers(0, len(places), size=n_people)
    suburb = places["suburb"].to_numpy(dtype=object)[place]
    postcode = places["postcode"].to_numpy(dtype=object)[place]
    state = places["state"].to_numpy(dtype=object)[place]
    day = rng.integers(0, 365 * 75, size=n_people)
    dob = pd.to_datetime("1930-01-01") + pd.to_timedelta(day, unit="D")
    date_of_birth = np.asarray(dob.strftime("%Y%m%d"), dtype=object)
    tax = rng.permutation(np.unique(rng.integers(1_000_000, 9_999_999, size=int(n_people * 1.2))))[:n_people]
    soc_sec_id = _digits(tax, 7)
    mobile = _digits(rng.permutation(np.unique(rng.integers(0, 99_999_999, size=int(n_people * 1.2))))[:n_people], 8)
    mobile = np.array(["04" + m for m in mobile], dtype=object)
    landline = _digits(rng.integers(20_000_000, 99_999_999, size=n_people), 8)
    landline = np.array([f"0{2 + i % 7}{v}" for i, v in enumerate(landline)], dtype=object)
    has_landline = rng.random(n_people) < 0.4
    pid = np.arange(n_people)
    style = rng.integers(0, 3, size=n_people)
    domain = DOMAINS[rng.integers(0, len(DOMAINS), size=n_people)]
    local = np.array(
        [
            (f"{g}.{s}{p}", f"{g}{p}", f"{s}.{g[0]}{p}")[t].replace(" ", "")
            for g, s, p, t in zip(given, surname, pid.tolist(), style.tolist(), strict=True)
        ],
        dtype=object,
    )
    email = local + "@" + domain

    # Households: a quarter of the people move in with an earlier person.
    joins = np.flatnonzero((rng.random(n_people) < 0.25) & (pid > 0))
    head = (rng.random(len(joins)) * joins).astype(np.int64)
    for column in (street_number, address_1, address_2, suburb, postcode, state, landline):
        column[joins] = column[head]
    has_landline[joins] = has_landline[head]
    same_surname = rng.random(len(joins)) < 0.8
    surname[joins[same_surname]] = surname[head[same_surname]]
    twins = rng.random(len(joins)) < 0.1
    date_of_birth[joins[twins]] = date_of_birth[head[twins]]
    family_mail = rng.random(len(joins)) < 0.3
    email[joins[family_mail]] = email[head[family_mail]]

    # Records: every person once, then the duplicates.
    person = np.concatenate([pid, np.repeat(pid, n_dups)])[:n_records]
    n = len(person)
    is_dup = np.arange(n) >= n_people
    columns: dict[str, ObjectArray] = {
        "given_name": given[person].copy(),
        "surname": surname[person].copy(),
        "street_number": street_number[person].copy(),
        "address_1": address_1[person].copy(),
        "address_2": address_2[person].copy(),
        "suburb": suburb[person].copy(),
        "postcode": postcode[person].copy(),
        "state": state[person].copy(),
        "date_of_birth": date_of_birth[person].copy(),
        "soc_sec_id": soc_sec_id[person].copy(),
    }
    uses_landline = has_landline[person] & (rng.random(n) < 0.4)
    columns["phone"] = np.where(uses_landline, landline[person], mobile[person])
    columns["email"] = email[person].copy()

    dup = np.flatnonzero(is_dup)
    for name in ("given_name", "surname", "address_1", "suburb", "street_number", "postcode", "date_of_birth"):
        hit = dup[rng.random(len(dup)) < 0.15]
        columns[name][hit] = _corrupt(columns[name][hit], rng)
    hit = dup[rng.random(len(dup)) < 0.05]
    columns["given_name"][hit] = [NICKNAMES.get(str(v), str(v)) for v in columns["given_name"][hit]]
    hit = dup[rng.random(len(dup)) < 0.03]
    columns["given_name"][hit], columns["surname"][hit] = columns["surname"][hit], columns["given_name"][hit].copy()
    hit = dup[rng.random(len(dup)) < 0.04]
    columns["date_of_birth"][hit] = [f"{v[:4]}{v[6:8]}{v[4:6]}" for v in columns["date_of_birth"][hit]]
    hit = dup[rng.random(len(dup)) < 0.08]
    columns["email"][hit] = [
        f"{str(v).split('@')[0]}@{DOMAINS[i % len(DOMAINS)]}" for i, v in enumerate(columns["email"][hit])
    ]
    hit = dup[rng.random(len(dup)) < 0.3]
    columns["phone"][hit] = [f"+61 {v[1]} {v[2:6]} {v[6:]}" for v in columns["phone"][hit]]

    # Gaps as in business systems: many records lack a date of birth, a tax id, an e-mail or a phone.
    for name, rate in (("date_of_birth", 0.35), ("soc_sec_id", 0.5), ("email", 0.25), ("phone", 0.4)):
        columns[name][rng.random(n) < rate] = ""
    for name in ("given_name", "surname", "address_1", "suburb", "postcode", "state", "street_number"):
        columns[name][rng.random(n) < 0.02] = ""

    order = rng.permutation(n)
    frame = pd.DataFrame({name: columns[name][order] for name in RECORD_COLUMNS})
    truth: IntArray = person[order].astype(np.int64)
    return frame, truth


def pair_scores(cluster: IntArray, truth: IntArray) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of the clusters against the true people."""

    def pairs(sizes: npt.NDArray[np.int64]) -> int:
        return int((sizes * (sizes - 1) // 2).sum())

    both = pd.DataFrame({"c": cluster, "t": truth})
    hits = pairs(both.groupby(["c", "t"]).size().to_numpy(dtype=np.int64))
    predicted = pairs(np.bincount(cluster).astype(np.int64))
    true = pairs(np.bincount(truth).astype(np.int64))
    precision = hits / predicted if predicted else 0.0
    recall = hits / true if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024


def measure(n_records: int, seed: int = 1) -> dict[str, float]:
    start = time.perf_counter()
    frame, truth = make_people(n_records, seed)
    made = time.perf_counter()
    rss_before = _peak_rss_mb()
    resolution = resolve_people(frame)
    seconds = time.perf_counter() - made
    precision, recall, f1 = pair_scores(resolution.cluster, truth)
    return {
        "records": n_records,
        "generate_seconds": round(made - start, 1),
        "resolve_seconds": round(seconds, 1),
        "records_per_second": round(n_records / seconds),
        "peak_rss_mb_after_generate": round(rss_before),
        "peak_rss_mb": round(_peak_rss_mb()),
        "clusters": int(resolution.cluster.max()) + 1 if n_records else 0,
        "links": len(resolution.links),
        "uncertain": len(resolution.uncertain),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000, help="person records to make (default 100000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    result = measure(args.records, args.seed)
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['records']} records resolved in {result['resolve_seconds']} s "
            f"({result['records_per_second']} records/s; generating took {result['generate_seconds']} s); "
            f"peak RSS {result['peak_rss_mb']} MB ({result['peak_rss_mb_after_generate']} MB after generating); "
            f"{result['clusters']} clusters, {result['links']} links, {result['uncertain']} uncertain; "
            f"pair precision {result['precision']}, recall {result['recall']}, F1 {result['f1']}"
        )


if __name__ == "__main__":
    main()
