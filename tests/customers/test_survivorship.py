"""Survivorship: each rule picks the value a user would expect, and the losers stay as conflicts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core import ConfigurationError
from customers import SurvivorshipRules, load_survivorship
from customers._lineage import golden_record

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Version:
    """A staged version as the lineage code reads it."""

    id: int
    source_system: str
    record_id: str
    fields: dict[str, Any]
    observed_at: datetime
    field_times: dict[str, str] | None = None
    is_current: bool = True
    received_at: datetime = T0


VERSIONS = [
    Version(
        1,
        "crm",
        "C1",
        {
            "email": "old@x.org",
            "given_name": "Bill",
            "street": "Oak Street",
            "postcode": "1000",
            "city": "Springfield",
            "house_number": "4",
        },
        T0,
    ),
    Version(
        2,
        "erp",
        "100",
        {"email": "new@x.org", "given_name": "William", "street": "Elm Rd", "postcode": "2000"},
        T0 + timedelta(days=30),
    ),
    Version(3, "shop", "W1", {"email": "new@x.org", "given_name": "Will"}, T0 + timedelta(days=10)),
]


def _rules(text: str, tmp_path: Path) -> SurvivorshipRules:
    path = tmp_path / "survivorship.yaml"
    path.write_text(text)
    return load_survivorship(path)


def test_default_rule_takes_the_most_recent_value_and_keeps_the_others_as_conflicts() -> None:
    golden = golden_record("CUS-1", [], VERSIONS)
    assert golden.value("given_name") == "William"
    assert golden.fields["given_name"].source_system == "erp"
    assert golden.fields["given_name"].rule == "most_recent"
    assert {c.value for c in golden.conflicts["given_name"]} == {"Bill", "Will"}
    assert "email" in golden.conflicts and all(c.value == "old@x.org" for c in golden.conflicts["email"])


def test_source_priority_most_frequent_and_most_complete(tmp_path: Path) -> None:
    rules = _rules(
        "fields:\n"
        "  given_name: {rule: source_priority, sources: [crm, erp]}\n"
        "  email: most_frequent\n"
        "  street: most_complete\n",
        tmp_path,
    )
    golden = golden_record("CUS-1", [], VERSIONS, rules)
    assert golden.value("given_name") == "Bill"
    assert golden.fields["given_name"].rule == "source_priority(crm, erp)"
    assert golden.value("email") == "new@x.org"  # two records agree
    assert golden.value("street") == "Oak Street"  # longer than the newer "Elm Rd"


def test_a_group_survives_together_from_one_record(tmp_path: Path) -> None:
    rules = _rules(
        "groups:\n  address: {fields: [street, house_number, postcode, city], rule: most_complete}\n", tmp_path
    )
    golden = golden_record("CUS-1", [], VERSIONS, rules)
    # crm has all four parts; erp is newer but has only two: the complete address wins as a whole.
    assert [golden.value(f) for f in ("street", "house_number", "postcode", "city")] == [
        "Oak Street",
        "4",
        "1000",
        "Springfield",
    ]
    assert {golden.fields[f].source_record_id for f in ("street", "postcode")} == {"C1"}
    assert golden.fields["street"].rule == "address: most_complete"

    recent = _rules(
        "groups:\n  address: {fields: [street, house_number, postcode, city], rule: most_recent}\n", tmp_path
    )
    golden = golden_record("CUS-1", [], VERSIONS, recent)
    assert golden.value("street") == "Elm Rd" and golden.value("postcode") == "2000"
    assert golden.value("city") is None  # never stitched from another record


def test_an_old_version_is_history_not_a_candidate() -> None:
    old = Version(4, "crm", "C1", {"given_name": "Zed"}, T0 + timedelta(days=90), is_current=False)
    golden = golden_record("CUS-1", [], [*VERSIONS, old])
    assert golden.value("given_name") == "William"
    assert all(c.value != "Zed" for c in golden.conflicts["given_name"])


def test_a_field_time_overrides_the_row_time() -> None:
    consent = Version(
        5,
        "marketing",
        "M1",
        {"consent_marketing": True},
        T0 + timedelta(days=60),
        field_times={"consent_marketing": "2025-06-01T00:00:00+00:00"},
    )
    golden = golden_record("CUS-1", [], [consent])
    assert golden.fields["consent_marketing"].observed_at == datetime(2025, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fields:\n  email: {rule: source_priority}\n", "needs `sources`"),
        ("fields:\n  email: newest\n", "most_recent"),
        ("fields:\n  street: most_recent\ngroups:\n  a: {fields: [street, city]}\n", "keep one"),
    ],
)
def test_broken_rules_are_refused_with_the_reason(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        _rules(text, tmp_path)
