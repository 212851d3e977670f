"""Reading a policy file's text before the engine does: YAML aliases refused, a key's line found."""

from __future__ import annotations

import re

import yaml

from policies import PolicyFileError


def refuse_aliases(text: str, path: str) -> None:
    """A YAML alias (``*name``) can repeat a node exponentially often (a "billion laughs"); policies never need one."""
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.AliasToken):
                line = token.start_mark.line + 1
                raise PolicyFileError(path, line, "uses a YAML alias (*...); write the value out in full")
    except yaml.YAMLError:
        return  # parse_policy reports the syntax error with its line


def line_of_key(text: str, key: str) -> int | None:
    """The 1-based line where `key:` first starts a line (at any indent), for pointing at a problem."""
    found = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*:", text, flags=re.MULTILINE)
    return None if found is None else text.count("\n", 0, found.start()) + 1
