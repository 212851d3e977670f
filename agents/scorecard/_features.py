"""The 20 Statlog German credit attributes: names, kinds and the plain-English wording of reason codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

FeatureKind = Literal["numeric", "categorical"]


@dataclass(frozen=True)
class FeatureSpec:
    """One applicant attribute: its column name, kind, reason code and how to say it in plain English."""

    name: str
    kind: FeatureKind
    code: str
    label: str
    value_wording: tuple[tuple[str, str], ...] = ()

    def describe(self, value: str | int | float) -> str:
        """Plain words for the factor and the applicant's value, fit for an adverse-action notice."""
        if self.kind == "numeric":
            shown = f"{value:g}" if isinstance(value, float) else str(value)
            return f"{self.label}: {shown}"
        wording = dict(self.value_wording).get(str(value))
        if wording is None:
            return f"{self.label}: {value} (a value not seen in training)"
        return wording


def _spec(name: str, kind: FeatureKind, code: str, label: str, *wording: tuple[str, str]) -> FeatureSpec:
    return FeatureSpec(name=name, kind=kind, code=code, label=label, value_wording=tuple(wording))


SPECS: Final[tuple[FeatureSpec, ...]] = (
    _spec(
        "status_of_existing_checking_account",
        "categorical",
        "R01_CHECKING_ACCOUNT",
        "Checking account status",
        ("... < 0 DM", "Checking account balance below 0 DM"),
        ("0 <= ... < 200 DM", "Checking account balance between 0 and 200 DM"),
        (
            "... >= 200 DM / salary assignments for at least 1 year",
            "Checking account balance of 200 DM or more",
        ),
        ("no checking account", "No checking account"),
    ),
    _spec("duration_in_month", "numeric", "R02_DURATION", "Loan duration in months"),
    _spec(
        "credit_history",
        "categorical",
        "R03_CREDIT_HISTORY",
        "Credit history",
        ("no credits taken/ all credits paid back duly", "No credits taken, or all credits paid back duly"),
        ("all credits at this bank paid back duly", "All credits at this bank paid back duly"),
        ("existing credits paid back duly till now", "Existing credits paid back duly so far"),
        ("delay in paying off in the past", "Delays in paying off credit in the past"),
        (
            "critical account/ other credits existing (not at this bank)",
            "Critical account, or other credits existing at other banks",
        ),
    ),
    _spec(
        "purpose",
        "categorical",
        "R04_PURPOSE",
        "Purpose of the loan",
        ("car (new)", "Loan purpose: new car"),
        ("car (used)", "Loan purpose: used car"),
        ("furniture/equipment", "Loan purpose: furniture or equipment"),
        ("radio/television", "Loan purpose: radio or television"),
        ("domestic appliances", "Loan purpose: domestic appliances"),
        ("repairs", "Loan purpose: repairs"),
        ("education", "Loan purpose: education"),
        ("retraining", "Loan purpose: retraining"),
        ("business", "Loan purpose: business"),
        ("others", "Loan purpose: other"),
    ),
    _spec("credit_amount", "numeric", "R05_CREDIT_AMOUNT", "Credit amount in DM"),
    _spec(
        "savings_account_and_bonds",
        "categorical",
        "R06_SAVINGS",
        "Savings account and bonds",
        ("... < 100 DM", "Savings below 100 DM"),
        ("100 <= ... < 500 DM", "Savings between 100 and 500 DM"),
        ("500 <= ... < 1000 DM", "Savings between 500 and 1000 DM"),
        ("... >= 1000 DM", "Savings of 1000 DM or more"),
        ("unknown/ no savings account", "No known savings account"),
    ),
    _spec(
        "present_employment_since",
        "categorical",
        "R07_EMPLOYMENT",
        "Present employment",
        ("unemployed", "Currently unemployed"),
        ("... < 1 year", "Employed for less than 1 year"),
        ("1 <= ... < 4 years", "Employed for 1 to 4 years"),
        ("4 <= ... < 7 years", "Employed for 4 to 7 years"),
        ("... >= 7 years", "Employed for 7 years or more"),
    ),
    _spec(
        "installment_rate_in_percentage_of_disposable_income",
        "numeric",
        "R08_INSTALLMENT_RATE",
        "Instalment rate as a share of disposable income (1 = lowest, 4 = highest)",
    ),
    _spec(
        "personal_status_and_sex",
        "categorical",
        "R09_PERSONAL_STATUS",
        "Personal status and sex",
        ("male : divorced/separated", "Personal status: male, divorced or separated"),
        ("female : divorced/separated/married", "Personal status: female, divorced, separated or married"),
        ("male : single", "Personal status: male, single"),
        ("male : married/widowed", "Personal status: male, married or widowed"),
    ),
    _spec(
        "other_debtors_or_guarantors",
        "categorical",
        "R10_GUARANTORS",
        "Other debtors or guarantors",
        ("none", "No co-applicant or guarantor"),
        ("co-applicant", "Has a co-applicant"),
        ("guarantor", "Has a guarantor"),
    ),
    _spec("present_residence_since", "numeric", "R11_RESIDENCE", "Years at present residence (1-4)"),
    _spec(
        "property",
        "categorical",
        "R12_PROPERTY",
        "Property",
        ("real estate", "Owns real estate"),
        ("building society savings agreement/ life insurance", "Building society savings or life insurance"),
        ("car or other, not in attribute Savings account/bonds", "Owns a car or other property"),
        ("unknown / no property", "No known property"),
    ),
    _spec("age_in_years", "numeric", "R13_AGE", "Age in years"),
    _spec(
        "other_installment_plans",
        "categorical",
        "R14_OTHER_INSTALLMENT_PLANS",
        "Other instalment plans",
        ("bank", "Other instalment plans with a bank"),
        ("stores", "Other instalment plans with stores"),
        ("none", "No other instalment plans"),
    ),
    _spec(
        "housing",
        "categorical",
        "R15_HOUSING",
        "Housing",
        ("rent", "Rents their home"),
        ("own", "Owns their home"),
        ("for free", "Lives in housing for free"),
    ),
    _spec(
        "number_of_existing_credits_at_this_bank",
        "numeric",
        "R16_EXISTING_CREDITS",
        "Number of existing credits at this bank",
    ),
    _spec(
        "job",
        "categorical",
        "R17_JOB",
        "Job",
        ("unemployed/ unskilled - non-resident", "Unemployed or unskilled, non-resident"),
        ("unskilled - resident", "Unskilled job, resident"),
        ("skilled employee / official", "Skilled employee or official"),
        (
            "management/ self-employed/ highly qualified employee/ officer",
            "Management, self-employed or highly qualified employee",
        ),
    ),
    _spec(
        "number_of_people_being_liable_to_provide_maintenance_for",
        "numeric",
        "R18_DEPENDANTS",
        "Number of people the applicant must provide maintenance for",
    ),
    _spec(
        "telephone",
        "categorical",
        "R19_TELEPHONE",
        "Telephone",
        ("none", "No telephone registered"),
        ("yes, registered under the customers name", "Telephone registered in the applicant's name"),
    ),
    _spec(
        "foreign_worker",
        "categorical",
        "R20_FOREIGN_WORKER",
        "Foreign worker",
        ("yes", "Foreign worker"),
        ("no", "Not a foreign worker"),
    ),
)

FEATURES: Final[tuple[str, ...]] = tuple(spec.name for spec in SPECS)
NUMERIC_FEATURES: Final[tuple[str, ...]] = tuple(s.name for s in SPECS if s.kind == "numeric")
CATEGORICAL_FEATURES: Final[tuple[str, ...]] = tuple(s.name for s in SPECS if s.kind == "categorical")
SPEC_BY_NAME: Final[dict[str, FeatureSpec]] = {spec.name: spec for spec in SPECS}
LABEL_COLUMN: Final = "creditability"
ROW_ID_COLUMN: Final = "row_id"

# Required as inputs (the data set has them) but never used to score: sex and marital status, and
# being a foreign worker, are protected characteristics under anti-discrimination rules for credit.
# Leaving them out cost nothing measurable in cross-validation (see evals/credit_cv.py).
EXCLUDED_FEATURES: Final[tuple[str, ...]] = ("personal_status_and_sex", "foreign_worker")
MODELLED_FEATURES: Final[tuple[str, ...]] = tuple(f for f in FEATURES if f not in EXCLUDED_FEATURES)
