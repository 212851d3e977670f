"""The root of Steward's error tree.

Every error Steward raises on purpose derives from `StewardError`, so an entry point can catch one
type, print the message and exit non-zero without a traceback. Messages say what happened and what
to do about it.
"""


class StewardError(Exception):
    """Something Steward detected and can explain to the user."""


class ConfigurationError(StewardError):
    """Steward was set up or called wrongly (bad settings, unreadable files, misuse of an API)."""


class NotFound(StewardError):
    """A named thing (customer, proposal, user, ...) does not exist."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"unknown {kind} {key!r}")
        self.kind = kind
        self.key = key
