"""Credit evals: the StatLog cost, the held-out evaluation and cross-validation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from agents.scorecard import GermanCreditData, load_german_credit, train_scorecard
from core import ConfigurationError
from evals import (
    Confusion,
    auc,
    confusion,
    cross_validate_credit,
    evaluate_credit,
    run_credit_eval,
    statlog_cost,
)

BUNDLED = Path(__file__).resolve().parents[2] / "steward" / "data" / "german_credit" / "german_credit.csv"


@pytest.fixture(scope="module")
def data() -> GermanCreditData:
    return load_german_credit(BUNDLED)


def seventy_thirty() -> np.ndarray:
    return np.array([0] * 70 + [1] * 30)


def test_decline_all_costs_the_share_of_goods() -> None:
    assert statlog_cost(seventy_thirty(), np.zeros(100, dtype=bool)) == pytest.approx(0.700)


def test_approve_all_costs_five_per_bad() -> None:
    assert statlog_cost(seventy_thirty(), np.ones(100, dtype=bool)) == pytest.approx(1.500)


def test_perfect_decisions_cost_nothing_and_mixed_ones_add_up() -> None:
    bad = np.array([0, 0, 1, 1])
    assert statlog_cost(bad, bad == 0) == 0.0
    # approve a bad (5) and decline a good (1) over four applicants
    assert statlog_cost(bad, np.array([True, False, True, False])) == pytest.approx(6 / 4)
    assert confusion(bad, np.array([True, False, True, False])) == Confusion(1, 1, 1, 1)


def test_cost_rejects_mismatched_inputs() -> None:
    with pytest.raises(ValueError, match="equally long"):
        statlog_cost(np.array([0, 1]), np.array([True]))


def test_auc_ranks() -> None:
    assert auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9])) == 1.0
    assert auc(np.array([0, 0, 1, 1]), np.array([0.9, 0.8, 0.2, 0.1])) == 0.0
    assert np.isnan(auc(np.array([0, 0]), np.array([0.1, 0.2])))


def test_held_out_third_beats_declining_everyone(data: GermanCreditData) -> None:
    positions = np.arange(len(data))
    train, test = train_test_split(positions, test_size=1 / 3, stratify=data.label, random_state=0)
    model = train_scorecard(data.subset(train))
    report = evaluate_credit(model, data.subset(test))
    assert report.n == len(test)
    assert report.baseline_decline_all_cost == pytest.approx(0.700)
    assert report.baseline_approve_all_cost == pytest.approx(1.500)
    assert report.expected_cost < report.baseline_decline_all_cost
    assert report.auc > 0.7
    assert report.approved_good + report.approved_bad + report.declined_good + report.declined_bad == report.n
    assert report.approval_rate == pytest.approx((report.approved_good + report.approved_bad) / report.n)
    assert report.model_version == model.version


def test_run_credit_eval_trains_on_bundled_and_scores_the_folder(data: GermanCreditData, tmp_path: Path) -> None:
    subset = data.subset(np.arange(0, 750, 3))
    csv = tmp_path / "german_credit.csv"
    frame = subset.features.assign(creditability=np.where(subset.label == 1, "bad", "good"))
    frame.insert(0, "row_id", subset.row_ids)
    frame.to_csv(csv, index=False)
    report = run_credit_eval(tmp_path, training_csv=BUNDLED)
    assert report.n == 250
    assert report.model_version == train_scorecard(data).version


def test_run_credit_eval_needs_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"has no german_credit\.csv"):
        run_credit_eval(tmp_path, training_csv=BUNDLED)


@pytest.mark.slow
def test_ten_fold_cross_validation_beats_declining_everyone(data: GermanCreditData) -> None:
    report = cross_validate_credit(data, folds=10, repeats=1, seed=0)
    assert len(report.fold_costs) == 10
    assert report.mean_cost == pytest.approx(float(np.mean(report.fold_costs)))
    assert report.mean_cost < 0.6
    assert report.mean_auc > 0.75
