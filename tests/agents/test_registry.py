"""The agent registry refuses a bad definition at start, naming the agent and the problem."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from agents import BUNDLED, AgentDefinition, AgentRegistry, Trigger, agent_registry, load_agent
from core import ConfigurationError
from steward import Settings, load_policies, open_steward
from tests.plugin.sample_agent import SAMPLE_DISPATCH

SAMPLE = "tests.plugin.sample_agent:SAMPLE_DISPATCH"
POLICY_TEXT = SAMPLE_DISPATCH.policy_file.read_text(encoding="utf-8") if SAMPLE_DISPATCH.policy_file else ""


def _changed(**changes: object) -> AgentDefinition:
    return dataclasses.replace(SAMPLE_DISPATCH, **changes)  # type: ignore[arg-type]


def test_the_bundled_agents_are_registered_in_order_and_a_deployment_adds_its_own() -> None:
    registry = agent_registry([SAMPLE])
    assert list(registry) == [*(definition.name for definition in BUNDLED), "sample_dispatch"]
    assert registry["sample_dispatch"] is SAMPLE_DISPATCH
    assert set(registry["sample_dispatch"].action_map) == {"ship_batch", "hold_batch"}


def test_an_agent_registered_twice_is_refused_with_its_name() -> None:
    with pytest.raises(ConfigurationError, match="'sample_dispatch' is registered twice"):
        AgentRegistry([SAMPLE_DISPATCH, SAMPLE_DISPATCH])
    with pytest.raises(ConfigurationError, match="registered twice"):
        agent_registry([SAMPLE, SAMPLE])


def test_an_unknown_agent_names_the_installed_ones() -> None:
    with pytest.raises(ConfigurationError, match=r"no agent 'nope' is installed .*sample_dispatch"):
        agent_registry([SAMPLE]).require("nope")


def test_a_duplicate_action_is_refused_naming_agent_and_action() -> None:
    ship = SAMPLE_DISPATCH.actions[0]
    with pytest.raises(ConfigurationError, match="agent 'sample_dispatch' declares the action 'ship_batch' twice"):
        _changed(actions=(ship, ship))


def test_a_trigger_that_cannot_be_scheduled_is_refused() -> None:
    trigger = dataclasses.replace(SAMPLE_DISPATCH.triggers[0], schedule="whenever")
    with pytest.raises(ConfigurationError, match=r"'sample_dispatch': trigger 'ready_batches' .*cannot be scheduled"):
        _changed(triggers=(trigger,))
    fine = dataclasses.replace(SAMPLE_DISPATCH.triggers[0], schedule="every 15m")
    assert _changed(triggers=(fine,)).triggers[0].schedule == "every 15m"


def test_a_duplicate_trigger_a_bad_name_and_an_unknown_input_key_are_refused() -> None:
    trigger: Trigger = SAMPLE_DISPATCH.triggers[0]
    with pytest.raises(ConfigurationError, match="trigger 'ready_batches' twice"):
        _changed(triggers=(trigger, trigger))
    with pytest.raises(ConfigurationError, match="must match"):
        _changed(name="Sample Dispatch")
    with pytest.raises(ConfigurationError, match="input_key 'order' is not a field of BatchInput"):
        _changed(input_key="order")
    with pytest.raises(ConfigurationError, match="declares no action"):
        _changed(actions=())


def test_a_module_reference_that_is_not_an_agent_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="cannot be imported"):
        load_agent("tests.plugin.no_such_module:AGENT")
    with pytest.raises(ConfigurationError, match="is not an AgentDefinition"):
        load_agent("tests.plugin.sample_agent:NAME")
    with pytest.raises(ConfigurationError, match=r"package.module:ATTRIBUTE"):
        load_agent("tests.plugin.sample_agent")


def _registry_with_policy(tmp_path: Path, text: str) -> AgentRegistry:
    path = tmp_path / "sample_dispatch.yaml"
    path.write_text(text, encoding="utf-8")
    return AgentRegistry([*BUNDLED, _changed(policy_file=path)])


def test_a_policy_naming_an_action_the_agent_lacks_is_refused_at_start(tmp_path: Path) -> None:
    text = POLICY_TEXT.replace("  hold_batch:", "  hold_batches:")
    with pytest.raises(
        ConfigurationError, match=r"'sample_dispatch': its policy .* names the action\(s\) hold_batches"
    ):
        load_policies(_registry_with_policy(tmp_path, text), None)


def test_a_policy_without_an_entry_for_an_action_is_refused_at_start(tmp_path: Path) -> None:
    text = POLICY_TEXT[: POLICY_TEXT.index("  hold_batch:")]
    with pytest.raises(ConfigurationError, match=r"has no entry for the action\(s\) hold_batch"):
        load_policies(_registry_with_policy(tmp_path, text), None)


def test_a_policy_for_another_agent_is_refused(tmp_path: Path) -> None:
    text = POLICY_TEXT.replace("agent: sample_dispatch", "agent: other_agent")
    with pytest.raises(ConfigurationError, match="is for the agent 'other_agent'"):
        load_policies(_registry_with_policy(tmp_path, text), None)


def test_a_policy_naming_an_unknown_role_stops_the_start(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", agent_modules=(SAMPLE,))
    with pytest.raises(ConfigurationError, match=r"sample_dispatch.*dispatcher"), open_steward(settings):
        pass


def test_a_policy_reading_a_fact_the_agent_lacks_stops_the_start(tmp_path: Path) -> None:
    roles = tmp_path / "roles.yaml"
    roles.write_text(DISPATCHER_ROLE, encoding="utf-8")
    registry_policy = tmp_path / "policies"
    registry_policy.mkdir()
    for definition in BUNDLED:
        source = Path(__file__).resolve().parents[2] / "policies" / f"{definition.name}.yaml"
        (registry_policy / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (registry_policy / "sample_dispatch.yaml").write_text(
        POLICY_TEXT.replace("batch.quantity > 100", "batch.quantiy > 100"), encoding="utf-8"
    )
    settings = Settings(home=tmp_path / "home", agent_modules=(SAMPLE,), roles_file=roles, policy_dir=registry_policy)
    with pytest.raises(ConfigurationError, match=r"sample_dispatch.*batch.quantiy"), open_steward(settings):
        pass


DISPATCHER_ROLE = """\
roles:
  dispatcher:
    description: Decides dispatch proposals.
    permissions: [queue.read, proposal.read, proposal.decide, customer.read, autonomy.read]
"""
