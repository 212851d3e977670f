"""The credit scorecard: loading data, training, assessing one applicant, explaining, persisting."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from agents.scorecard import (
    BAYES_CUTOFF,
    EXCLUDED_FEATURES,
    FEATURES,
    CreditAssessment,
    CreditDataError,
    CreditScorecard,
    FeatureValue,
    GermanCreditData,
    InvalidApplicant,
    ScorecardFileError,
    load_german_credit,
    train_scorecard,
)
from core import ConfigurationError, StewardError

BUNDLED = Path(__file__).resolve().parents[2] / "steward" / "data" / "german_credit" / "german_credit.csv"
WORST_CHECKING = "... < 0 DM"
BEST_CHECKING = "no checking account"


@pytest.fixture(scope="module")
def data() -> GermanCreditData:
    return load_german_credit(BUNDLED)


@pytest.fixture(scope="module")
def scorecard(data: GermanCreditData) -> CreditScorecard:
    return train_scorecard(data)


def applicant(data: GermanCreditData, row: int = 0) -> dict[str, FeatureValue]:
    """Row `row` of the bundled data as an application would send it (ints for counts)."""
    record: dict[str, FeatureValue] = {}
    for name, value in data.features.iloc[row].items():
        record[str(name)] = int(value) if isinstance(value, float) else str(value)
    return record


# --- loading -------------------------------------------------------------------------------------


def test_bundled_data_loads_with_labels_and_ids(data: GermanCreditData) -> None:
    assert len(data) == 750
    assert tuple(data.features.columns) == FEATURES
    assert int(data.label.sum()) == 225  # 225 bad, 525 good per SOURCE.md
    assert data.row_ids.is_unique


def write(tmp_path: Path, frame: pd.DataFrame) -> Path:
    path = tmp_path / "credit.csv"
    frame.to_csv(path, index=False)
    return path


def raw_rows() -> pd.DataFrame:
    return pd.read_csv(BUNDLED, dtype=str, keep_default_na=False).head(5)


def test_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"nope\.csv: file not found"):
        load_german_credit(tmp_path / "nope.csv")


def test_missing_column_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, raw_rows().drop(columns=["purpose"]))
    with pytest.raises(CreditDataError, match=r"credit\.csv: missing columns: purpose"):
        load_german_credit(path)


def test_bad_label_is_named_with_its_row(tmp_path: Path) -> None:
    frame = raw_rows()
    frame.loc[2, "creditability"] = "maybe"
    with pytest.raises(CreditDataError, match=r"row 4: column 'creditability' must be 'good' or 'bad', got 'maybe'"):
        load_german_credit(write(tmp_path, frame))


def test_non_numeric_number_is_named_with_its_row(tmp_path: Path) -> None:
    frame = raw_rows()
    frame.loc[1, "credit_amount"] = "lots"
    with pytest.raises(CreditDataError, match=r"row 3: column 'credit_amount' must be a number, got 'lots'"):
        load_german_credit(write(tmp_path, frame))


# --- assessing -----------------------------------------------------------------------------------


def test_assessment_is_consistent(scorecard: CreditScorecard, data: GermanCreditData) -> None:
    for row in range(20):
        result = scorecard.assess(applicant(data, row))
        assert isinstance(result, CreditAssessment)
        assert 0.0 < result.probability_of_default < 1.0
        assert result.cutoff == scorecard.cutoff == pytest.approx(BAYES_CUTOFF)
        expected = "decline" if result.probability_of_default > result.cutoff else "approve"
        assert result.decision == expected
        assert result.model_version == scorecard.version


def test_points_follow_pdo_scaling(scorecard: CreditScorecard, data: GermanCreditData) -> None:
    results = [scorecard.assess(applicant(data, row)) for row in range(30)]
    for result in results:
        odds = (1 - result.probability_of_default) / result.probability_of_default
        assert result.score == round(600 + 20 / math.log(2) * math.log(odds / 50))
    # Higher points, lower PD.
    ordered = sorted(results, key=lambda r: r.probability_of_default)
    assert [r.score for r in ordered] == sorted((r.score for r in ordered), reverse=True)


def test_reason_codes_are_ordered_positive_and_readable(scorecard: CreditScorecard, data: GermanCreditData) -> None:
    for row in range(30):
        reasons = scorecard.assess(applicant(data, row)).reason_codes
        assert len(reasons) <= 4
        contributions = [r.contribution for r in reasons]
        assert contributions == sorted(contributions, reverse=True)
        assert all(c > 0 for c in contributions)
        assert len({r.feature for r in reasons}) == len(reasons)
        for reason in reasons:
            assert reason.feature in FEATURES
            assert reason.feature not in EXCLUDED_FEATURES
            assert reason.code.startswith("R") and reason.code.isupper()
            assert reason.description and "..." not in reason.description


def test_overdrawn_checking_account_is_a_reason_and_raises_pd(
    scorecard: CreditScorecard, data: GermanCreditData
) -> None:
    # WoE bins give each category one fixed term, so swapping the category moves only that term.
    best = {**applicant(data), "status_of_existing_checking_account": BEST_CHECKING}
    worst = {**applicant(data), "status_of_existing_checking_account": WORST_CHECKING}
    worse = scorecard.assess(worst)
    assert worse.probability_of_default > scorecard.assess(best).probability_of_default
    checking = [r for r in worse.reason_codes if r.feature == "status_of_existing_checking_account"]
    if checking:
        assert checking[0].code == "R01_CHECKING_ACCOUNT"
        assert checking[0].description == "Checking account balance below 0 DM"


def test_longer_duration_never_lowers_pd(scorecard: CreditScorecard, data: GermanCreditData) -> None:
    # Duration is binned with a monotone trend, so the PD is monotone in it, all else equal.
    base = applicant(data, 3)
    pds = [scorecard.assess({**base, "duration_in_month": months}).probability_of_default for months in range(4, 73, 4)]
    assert pds == sorted(pds)
    assert pds[-1] > pds[0]


def test_protected_attributes_do_not_move_the_pd(scorecard: CreditScorecard, data: GermanCreditData) -> None:
    base = applicant(data, 5)
    other = {**base, "personal_status_and_sex": "female : divorced/separated/married", "foreign_worker": "no"}
    assert scorecard.assess(other).probability_of_default == scorecard.assess(base).probability_of_default


def test_unseen_category_is_scored_as_the_average(scorecard: CreditScorecard, data: GermanCreditData) -> None:
    result = scorecard.assess({**applicant(data), "purpose": "space travel"})
    assert 0.0 < result.probability_of_default < 1.0
    assert all(r.feature != "purpose" for r in result.reason_codes)


def test_assess_many_matches_assess(scorecard: CreditScorecard, data: GermanCreditData) -> None:
    many = scorecard.assess_many(data.features.head(10))
    single = [scorecard.assess(applicant(data, row)).probability_of_default for row in range(10)]
    assert many.tolist() == pytest.approx(single, abs=1e-12)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"credit_amount": "5951"}, "credit_amount", "must be a number, got str"),
        ({"duration_in_month": True}, "duration_in_month", "must be a number, got bool"),
        ({"age_in_years": float("nan")}, "age_in_years", "finite, non-negative"),
        ({"age_in_years": -3}, "age_in_years", "finite, non-negative"),
        ({"housing": 1}, "housing", "must be a text category, got int"),
        ({"housing": "  "}, "housing", "must not be empty"),
        ({"shoe_size": 42}, "shoe_size", "unknown field"),
    ],
)
def test_bad_applicant_is_rejected_naming_the_field(
    scorecard: CreditScorecard,
    data: GermanCreditData,
    change: dict[str, FeatureValue],
    field: str,
    message: str,
) -> None:
    with pytest.raises(InvalidApplicant, match=message) as caught:
        scorecard.assess({**applicant(data), **change})
    assert caught.value.field == field
    assert isinstance(caught.value, StewardError)


def test_missing_field_is_rejected(scorecard: CreditScorecard, data: GermanCreditData) -> None:
    record = applicant(data)
    del record["job"]
    with pytest.raises(InvalidApplicant, match="'job': missing"):
        scorecard.assess(record)


# --- versions and persistence --------------------------------------------------------------------


def test_version_names_method_and_data(scorecard: CreditScorecard, data: GermanCreditData) -> None:
    assert scorecard.version.startswith("scorecard-woe-logit-")
    assert len(scorecard.version.rsplit("-", 1)[1]) == 12
    assert train_scorecard(data).version == scorecard.version
    assert train_scorecard(data.subset(np.arange(700))).version != scorecard.version


def test_save_and_load_give_identical_pds(scorecard: CreditScorecard, data: GermanCreditData, tmp_path: Path) -> None:
    path = tmp_path / "scorecard.pkl"
    scorecard.save(path)
    loaded = CreditScorecard.load(path)
    assert loaded.version == scorecard.version
    assert loaded.cutoff == scorecard.cutoff
    assert loaded.assess_many(data.features).tolist() == scorecard.assess_many(data.features).tolist()
    assert loaded.assess(applicant(data)) == scorecard.assess(applicant(data))


def test_loading_something_else_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(ScorecardFileError, match="file not found"):
        CreditScorecard.load(tmp_path / "missing.pkl")
    junk = tmp_path / "junk.pkl"
    junk.write_bytes(b"not a pickle")
    with pytest.raises(ScorecardFileError, match="not a readable scorecard file"):
        CreditScorecard.load(junk)


def test_single_applicant_fast_path_matches_the_batch_model_on_every_bundled_applicant() -> None:
    """`assess` reads tabulated terms; `assess_many` runs the fitted model on a frame: they must agree."""
    data = load_german_credit(BUNDLED)
    model = train_scorecard(data)
    batch = model.assess_many(data.features)
    for position, record in enumerate(data.features.to_dict(orient="records")):
        single = model.assess({k: (v if isinstance(v, str) else float(v)) for k, v in record.items()})
        assert single.probability_of_default == pytest.approx(batch[position], rel=1e-9, abs=1e-12)
