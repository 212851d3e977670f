"""Read a policy file into a `Policy`, pointing every mistake at its line.

The YAML is composed into a node tree first, so each problem (a YAML syntax error, a duplicate key,
a schema violation from pydantic, a cross-field problem, CEL that does not compile) is reported as
``path:line: what is wrong`` with the line of the offending node. Given the agent's `FactSchema`, the
conditions are also checked against the facts the agent provides (`check_conditions`).
"""

import hashlib
from collections.abc import Sequence
from pathlib import Path

import yaml
from pydantic import ValidationError

from policies._engine import ActionPolicy, Policy
from policies._errors import PolicyFactsError, PolicyFileError
from policies._fact_check import EXPECTED_BY_KEY, condition_problems
from policies._facts import FactProblem, FactSchema
from policies._schema import Location, PolicyFileSpec, conditions_of, find_problems


def load_policy(path: str | Path, *, facts: FactSchema | None = None) -> Policy:
    """Load and check the policy file at `path`; raises `PolicyFileError` on any problem.

    With `facts` (the agent's `FactSchema`), a condition that reads an unknown fact or uses one with the
    wrong type is refused too (`PolicyFactsError`, every such problem with its line).
    """
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise PolicyFileError(path, None, "file not found; check the path or the policy directory") from None
    except OSError as exc:
        raise PolicyFileError(path, None, f"cannot be read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyFileError(path, None, f"is not UTF-8 text ({exc.reason}); save it as UTF-8") from None
    return _parse(text, data, str(path), facts)


def parse_policy(text: str, path: str = "<string>", *, facts: FactSchema | None = None) -> Policy:
    """Check and compile policy YAML given as text; `path` only names it in messages; `facts` as `load_policy`."""
    return _parse(text, text.encode("utf-8"), path, facts)


def check_conditions(text: str, facts: FactSchema, path: str = "<string>") -> list[FactProblem]:
    """Every problem of the policy YAML `text`'s conditions against the agent's `facts`, in file order.

    Every CEL of the file is read: hard limits, rules, autonomy bands and the authority's expressions.
    Raises `PolicyFileError` when `text` is not a valid policy in the first place.
    """
    root, spec = _spec(text, path)
    return _fact_problems(root, spec, facts)


def _parse(text: str, data: bytes, path: str, facts: FactSchema | None) -> Policy:
    root, spec = _spec(text, path)
    if facts is not None:
        problems = _fact_problems(root, spec, facts)
        if problems:
            raise PolicyFactsError(path, problems)
    actions = {name: ActionPolicy.from_spec(spec, name, action) for name, action in spec.actions.items()}
    return Policy(
        agent=spec.agent,
        description=spec.description,
        version=hashlib.sha256(data).hexdigest()[:12],
        source=path,
        actions=actions,
    )


def _fact_problems(root: yaml.Node, spec: PolicyFileSpec, facts: FactSchema) -> list[FactProblem]:
    problems = []
    for location, source in conditions_of(spec):
        expected = EXPECTED_BY_KEY.get(str(location[-1]))
        for message in condition_problems(source, facts, agent=spec.agent, expected=expected):
            problems.append(FactProblem(location, format_location(location), _line_of(root, location), message))
    return problems


def _spec(text: str, path: str) -> tuple[yaml.Node, PolicyFileSpec]:
    """The YAML tree and the checked shape of a policy file; `PolicyFileError` on any problem."""
    root = _compose(text, path)
    try:
        raw = yaml.SafeLoader("").construct_document(root)
    except yaml.MarkedYAMLError as exc:  # e.g. a tag such as !!python/object that safe YAML refuses
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        raise PolicyFileError(path, line, f"is not valid policy YAML: {exc.problem}") from None
    try:
        spec = PolicyFileSpec.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        location = tuple(first["loc"])
        more = exc.error_count() - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        message = _schema_message(first["type"], first["msg"], location)
        raise PolicyFileError(path, _line_of(root, location), message + suffix) from None
    problems = find_problems(spec)
    if problems:
        problem = problems[0]
        message = f"{format_location(problem.location)}: {problem.message}"
        raise PolicyFileError(path, _line_of(root, problem.location), message)
    return root, spec


def _compose(text: str, path: str) -> yaml.Node:
    """The YAML node tree of `text`, refusing syntax errors, empty files and duplicate keys."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise PolicyFileError(path, line, f"is not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise PolicyFileError(path, None, f"is not valid YAML: {exc}") from None
    if root is None:
        raise PolicyFileError(path, 1, "is empty; a policy file starts with 'agent:'")
    if not isinstance(root, yaml.MappingNode):
        raise PolicyFileError(path, root.start_mark.line + 1, "must be a mapping that starts with 'agent:'")
    _refuse_duplicate_keys(root, path)
    return root


def _refuse_duplicate_keys(node: yaml.Node, path: str) -> None:
    """PyYAML keeps the last of two equal keys silently; a policy file must not hide a rule that way."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    raise PolicyFileError(path, key.start_mark.line + 1, f"the key {key.value!r} appears twice")
                seen.add(key.value)
            _refuse_duplicate_keys(value, path)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _refuse_duplicate_keys(item, path)


def _line_of(root: yaml.Node, location: Sequence[str | int]) -> int:
    """The 1-based line of the deepest node `location` reaches (a key's line within a mapping)."""
    node, line = root, root.start_mark.line + 1
    for part in location:
        if isinstance(node, yaml.MappingNode):
            found = next(
                (
                    (key, value)
                    for key, value in node.value
                    if isinstance(key, yaml.ScalarNode) and key.value == str(part)
                ),
                None,
            )
            if found is None:
                break
            line, node = found[0].start_mark.line + 1, found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def format_location(location: Location) -> str:
    """``("actions", "x", "rules", 2, "when")`` as ``actions.x.rules[2].when``."""
    text = ""
    for part in location:
        if part == "[key]":  # pydantic's marker for a problem with a mapping key rather than its value
            continue
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the file"


def _schema_message(kind: str, message: str, location: Location) -> str:
    where = format_location(location)
    if kind == "extra_forbidden":
        return f"{where} is not a known key; check its spelling and indentation"
    if kind == "missing":
        return f"{where} is required but missing"
    return f"{where} {message}" if kind in ("cel_syntax", "cel_limit") else f"{where}: {message}"
