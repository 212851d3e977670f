"""Loading policy files: the bundled file loads, and every mistake is reported at its line."""

import hashlib
from pathlib import Path

import pytest

from policies import PolicyError, PolicyFileError, default_policy_dir, load_policy, parse_policy
from tests.policies.policy_samples import CREDIT_POLICY_PATH, SAMPLE_POLICY

MARK = "# <-"


def marked_line(text: str) -> int:
    """The 1-based line carrying the ``# <-`` marker: where the error must be reported."""
    return next(number for number, line in enumerate(text.splitlines(), 1) if MARK in line)


def error_for(text: str) -> PolicyFileError:
    with pytest.raises(PolicyFileError) as caught:
        parse_policy(text, path="p.yaml")
    return caught.value


def replace_once(old: str, new: str) -> str:
    assert SAMPLE_POLICY.count(old) == 1, old
    return SAMPLE_POLICY.replace(old, new)


def test_bundled_credit_policy_loads_with_its_content_hash() -> None:
    policy = load_policy(CREDIT_POLICY_PATH)

    assert CREDIT_POLICY_PATH.parent == default_policy_dir()
    assert policy.agent == "credit_approval"
    assert set(policy.actions) == {"approve_credit", "decline_credit", "request_information"}
    assert policy.version == hashlib.sha256(CREDIT_POLICY_PATH.read_bytes()).hexdigest()[:12]
    assert policy.source == str(CREDIT_POLICY_PATH)
    for action in policy.actions:
        assert policy.levels(action)[:2] == ["shadow", "review_all"]
        assert policy.initial_level(action) == "shadow"


def test_parse_policy_and_load_policy_agree(tmp_path: Path) -> None:
    path = tmp_path / "sample.yaml"
    path.write_text(SAMPLE_POLICY, encoding="utf-8")

    loaded, parsed = load_policy(path), parse_policy(SAMPLE_POLICY)

    assert loaded.version == parsed.version == hashlib.sha256(SAMPLE_POLICY.encode()).hexdigest()[:12]
    assert parsed.source == "<string>"
    assert loaded.levels("refund") == parsed.levels("refund") == ["shadow", "review_all", "small", "medium"]


def test_version_changes_with_any_byte() -> None:
    assert parse_policy(SAMPLE_POLICY).version != parse_policy(SAMPLE_POLICY + "# note\n").version


def test_missing_file_has_no_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"

    with pytest.raises(PolicyFileError) as caught:
        load_policy(missing)

    assert caught.value.line is None
    assert caught.value.path == str(missing)
    assert str(caught.value) == f"{missing}: file not found; check the path or the policy directory"


def test_yaml_syntax_error_points_at_its_line() -> None:
    text = replace_once('    reason: "Above the cap."', '    reason: "Above the cap.\n    oops: [1, 2  # <-')

    error = error_for(text)

    assert error.path == "p.yaml"
    assert "is not valid YAML" in error.reason
    assert error.line is not None
    assert error.line >= marked_line(text)


def test_bad_indentation_points_at_its_line() -> None:
    text = replace_once('    outcome: deny\n    reason: "Blocked', '    outcome: deny\n     reason: "Blocked')
    line = next(n for n, content in enumerate(text.splitlines(), 1) if content.startswith("     reason"))

    assert error_for(text).line == line


def test_unknown_key_points_at_the_key() -> None:
    text = replace_once("    rules:\n", "    rulez: []  # <-\n    rules:\n")

    error = error_for(text)

    assert error.line == marked_line(text)
    assert (
        str(error)
        == f"p.yaml:{error.line}: actions.refund.rulez is not a known key; check its spelling and indentation"
    )


def test_auto_as_file_default_is_refused_at_its_line() -> None:
    error = error_for(replace_once("default: review", "default: auto  # <-"))

    assert error.line == 3
    assert error.reason.startswith("default: 'auto' is not allowed here")


def test_auto_as_hard_limit_outcome_is_refused_at_its_line() -> None:
    text = replace_once('    outcome: deny\n    reason: "Blocked', '    outcome: auto  # <-\n    reason: "Blocked')

    error = error_for(text)

    assert error.line == marked_line(text)
    assert error.reason.startswith("hard_limits[1].outcome: 'auto' is not allowed here")


def test_auto_as_rule_outcome_is_refused_at_its_line() -> None:
    text = replace_once('outcome: deny, reason: "Void order."}', 'outcome: auto, reason: "Void order."}  # <-')

    error = error_for(text)

    assert error.line == marked_line(text)
    assert "actions.refund.rules[1].outcome: 'auto' is not allowed" in str(error)


def test_cel_that_does_not_compile_names_the_field_and_line() -> None:
    text = replace_once("order.kind == 'manual'", "order.kind === 'manual'")
    line = next(n for n, content in enumerate(text.splitlines(), 1) if "===" in content)

    error = error_for(text)

    assert error.line == line
    assert str(error).startswith(f"p.yaml:{error.line}: actions.refund.rules[0].when does not compile: column ")


def test_cel_in_a_multiline_hard_limit_is_located() -> None:
    text = replace_once('    when: "order.fraud"', '    when: "order.fraud &&"  # <-')

    error = error_for(text)

    assert error.line == marked_line(text)
    assert error.reason.startswith("actions.refund.hard_limits[0].when does not compile")


def test_condition_that_is_not_a_string_is_refused() -> None:
    text = replace_once('    when: "customer.blocked"', "    when: true  # <-")

    error = error_for(text)

    assert error.line == marked_line(text)
    assert error.reason == "hard_limits[1].when: Input should be a valid string"


def test_missing_field_points_at_its_parent() -> None:
    text = replace_once('    reason: "Above the cap."\n', "")
    line = next(n for n, content in enumerate(text.splitlines(), 1) if "- name: cap" in content)

    error = error_for(text)

    assert error.line == line
    assert error.reason == "hard_limits[0].reason is required but missing"


def test_duplicate_key_is_refused() -> None:
    text = replace_once("default: review\n", "default: review\ndefault: deny  # <-\n")

    error = error_for(text)

    assert error.line == marked_line(text)
    assert error.reason == "the key 'default' appears twice"


def test_band_level_without_condition_is_refused() -> None:
    text = replace_once(
        "        - {name: medium, auto_when:",
        "        - {name: large}  # <-\n        - {name: medium, auto_when:",
    )

    error = error_for(text)

    assert error.line == marked_line(text)
    assert "band level 'large' needs auto_when" in error.reason


def test_review_all_level_with_condition_is_refused() -> None:
    text = replace_once("        - {name: review_all}", '        - {name: review_all, auto_when: "true"}  # <-')

    error = error_for(text)

    assert error.line == marked_line(text)
    assert error.reason.startswith("actions.refund.autonomy.levels[1].auto_when: level 2 is the review-all level")


def test_duplicate_level_name_is_refused() -> None:
    text = replace_once("        - {name: medium, auto_when:", "        - {name: small, auto_when:")
    line = text.splitlines().index('        - {name: small, auto_when: "score.value > 0.95 || order.trusted"}') + 1

    error = error_for(text)

    assert error.line == line
    assert "the level name 'small' appears twice" in error.reason


def test_demotion_to_an_unknown_level_is_refused() -> None:
    text = replace_once("to: review_all}", "to: manual}  # <-")

    error = error_for(text)

    assert error.line == marked_line(text)
    assert "demotion.to names 'manual'" in error.reason


def test_rule_reusing_a_hard_limit_name_is_refused() -> None:
    text = replace_once("{name: first_deny,", "{name: cap,")
    line = next(n for n, content in enumerate(text.splitlines(), 1) if "{name: cap," in content)

    error = error_for(text)

    assert error.line == line
    assert error.reason == "actions.refund.rules[1].name: the name 'cap' is already used; rename it"


def test_only_the_first_problem_is_reported_with_a_count_of_the_rest() -> None:
    text = replace_once("default: review", "default: auto").replace("window: 100", "window: 0")

    error = error_for(text)

    assert error.line == 3
    assert error.reason.endswith("(and 1 more problem)")


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("", 1, "is empty; a policy file starts with 'agent:'"),
        ("# only a comment\n", 1, "is empty; a policy file starts with 'agent:'"),
        ("- agent: x\n", 1, "must be a mapping that starts with 'agent:'"),
    ],
)
def test_files_without_a_mapping_are_refused(text: str, line: int, reason: str) -> None:
    error = error_for(text)

    assert (error.line, error.reason) == (line, reason)


def test_role_limits_accept_integers() -> None:
    policy = parse_policy(replace_once("clerk: 100.0", "clerk: 100"))

    assert policy.action("refund").authority.role_limits["clerk"] == 100.0


def test_file_error_is_a_policy_error() -> None:
    assert issubclass(PolicyFileError, PolicyError)


def test_unsafe_yaml_tag_is_refused_at_its_line() -> None:
    text = replace_once("description: A small", "description: !!python/name:os.system  # <-\nnote: A small")

    error = error_for(text)

    assert error.line == marked_line(text)
    assert error.reason.startswith("is not valid policy YAML")


def test_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(SAMPLE_POLICY.replace("A small", "Ä small").encode("latin-1"))

    with pytest.raises(PolicyFileError, match="is not UTF-8 text"):
        load_policy(path)
