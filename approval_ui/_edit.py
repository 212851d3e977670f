"""What the proposal page offers for one proposal, from its agent's declared actions.

The action that runs gives the headline figures (`ActionSpec.figures`) and the "Approve with changes"
form; every other action of the same agent gives a "Replace with" form, both generated from the
action's argument model (`approval_ui/_forms.py`). A proposal whose agent or action this installation no
longer has shows no figures and no forms, only its raw arguments. The forms are a convenience, not the
check: `Supervisor.decide` validates and re-gates every edit, as it does for the API and the CLI.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agents import ActionSpec, ShownFigure, show_figures
from approval_ui._backend import Backend
from approval_ui._forms import ArgumentForm, BadForm, argument_form, changed, read_form
from core import JsonObject
from supervision import QueueItem

PAGE_FIELDS: frozenset[str] = frozenset({"verdict", "reason", "csrf_token", "edited_action"})
"""The decision form's own fields beside the generated inputs."""
EDIT_PREFIX = "edit"
REPLACE_PREFIX = "replace-"


@dataclass(frozen=True)
class FormEdit:
    """An edit read from a form: the changed arguments, and the action put in place of the one that runs."""

    arguments: JsonObject
    action: str | None = None


def action_spec(backend: Backend, agent: str, action: str) -> ActionSpec[Any] | None:
    """The installed agent's action, or None (an agent or action no longer installed)."""
    runtime = backend.supervisor.agents.get(agent)
    return None if runtime is None else runtime.step.actions.get(action)


def action_title(backend: Backend, agent: str, action: str) -> str:
    spec = action_spec(backend, agent, action)
    return action if spec is None else spec.title


def headline_figures(backend: Backend, item: QueueItem) -> tuple[ShownFigure, ...]:
    """The figures the action that runs declares, filled from the proposal; () when it is not installed."""
    spec = action_spec(backend, item.agent, item.runs)
    if spec is None:
        return ()
    return show_figures(spec.figures, arguments=item.arguments, facts=item.facts, proposal=item.proposal)


def row_headline(backend: Backend, agent: str, action: str, arguments: Mapping[str, Any]) -> str:
    """The first figure the action declares from its arguments, as "label: value" (for a queue row), or ""."""
    spec = action_spec(backend, agent, action)
    if spec is None:
        return ""
    declared = [figure for figure in spec.figures if figure.path.startswith("arguments.")]
    shown = show_figures(declared[:1], arguments=arguments, facts={}, proposal={})
    return f"{shown[0].label}: {shown[0].text}" if shown and shown[0].text else ""


def _form(backend: Backend, item: QueueItem, action: str, posted: Mapping[str, str] | None) -> ArgumentForm | None:
    """The form of `action` for `item`: the action that runs with its arguments, or another action with the
    current arguments it also takes (those not editable are shown read-only, as `Supervisor.decide` keeps
    them); None when the action is not installed, or is a replacement whose required fields a reviewer
    could never fill."""
    spec = action_spec(backend, item.agent, action)
    if spec is None:
        return None
    model = spec.args_model
    editable = model.reviewer_editable
    if action == item.runs:
        arguments, prefix = dict(item.arguments), EDIT_PREFIX
    else:
        arguments, prefix = (
            {k: v for k, v in item.arguments.items() if k in model.model_fields},
            REPLACE_PREFIX + action,
        )
        if any(f.is_required() and k not in arguments and k not in editable for k, f in model.model_fields.items()):
            return None
    return argument_form(
        model,
        arguments,
        action=action,
        title=spec.title,
        description=spec.description,
        id_prefix=prefix,
        editable=editable,
        posted=posted,
    )


def edit_form(backend: Backend, item: QueueItem, posted: Mapping[str, str] | None = None) -> ArgumentForm | None:
    """The "Approve with changes" form; None when the action has nothing a reviewer may change."""
    form = _form(backend, item, item.runs, posted)
    return form if form is not None and form.inputs else None


def replacement_forms(
    backend: Backend, item: QueueItem, posted: Mapping[str, str] | None = None, chosen: str | None = None
) -> tuple[ArgumentForm, ...]:
    """A "Replace with" form for each other action of the agent (`posted` refills the one `chosen`)."""
    runtime = backend.supervisor.agents.get(item.agent)
    if runtime is None:
        return ()
    forms = (
        _form(backend, item, action, posted if action == chosen else None)
        for action in runtime.step.actions
        if action != item.runs
    )
    return tuple(form for form in forms if form is not None)


def edit_from_form(backend: Backend, item: QueueItem, posted: Mapping[str, str], action: str | None) -> FormEdit:
    """The edit a posted form asks for: its changed arguments, for the action that runs or for `action`
    in its place. Raises `BadForm` (the message says what to fix)."""
    replacing = action is not None and action != item.runs
    target = action if action is not None and replacing else item.runs
    form = _form(backend, item, target, None)
    if form is None and replacing:
        raise BadForm(f"{item.agent} has no other action {target!r} that a reviewer can fill in here; reload the page.")
    if form is None:
        raise BadForm(f"The action {target!r} of this proposal is not installed here, so it cannot be changed.")
    values = read_form(form, posted, others=PAGE_FIELDS)
    if not replacing:
        return FormEdit(changed(values, item.arguments))
    moved = changed(values, item.arguments)  # a read-only value posted anyway goes on, to be refused
    return FormEdit({key: value for key, value in values.items() if key in form.inputs or key in moved}, target)
