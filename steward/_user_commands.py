"""`steward users ...`: people who log in and review, their passwords, API tokens and whether they may log in."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime, timedelta

from core import ConfigurationError
from steward._roles import load_roles
from steward._settings import Settings
from steward._table import print_table
from steward._wiring import open_steward
from supervision import MIN_PASSWORD_LENGTH, ApiTokenView, UserView, WeakPassword


def _read_password(user: str) -> str:
    """The new password from standard input: asked twice at a terminal, else the first line of the pipe."""
    if sys.stdin.isatty():
        first = getpass.getpass(f"password for {user}: ")
        if getpass.getpass("again: ") != first:
            raise ConfigurationError("the two passwords differ; nothing was changed")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def users_add(args: argparse.Namespace, settings: Settings) -> int:
    load_roles(settings).require(args.role)
    password = _read_password(args.user)
    with open_steward(settings) as app:
        existing = {user.id: user for user in app.users.list()}.get(args.user)
        if existing is None and len(password) < MIN_PASSWORD_LENGTH:
            raise WeakPassword(MIN_PASSWORD_LENGTH)  # checked first, so a refused password leaves no user behind
        app.users.add(args.user, name=args.name or args.user, roles=args.role)
        app.users.set_password(args.user, password)
    print(f"{'updated' if existing else 'added'} user {args.user} ({', '.join(sorted(set(args.role)))})")
    if existing is not None and existing.disabled:
        print(f"{args.user} stays disabled: `steward users enable {args.user}` lets them log in again")
    return 0


def users_token(args: argparse.Namespace, settings: Settings) -> int:
    if args.expires_in is not None and args.expires_in <= 0:
        raise ConfigurationError("--expires-in must be a positive number of days")
    lifetime = None if args.expires_in is None else timedelta(days=args.expires_in)
    with open_steward(settings) as app:
        token = app.users.issue_token(args.user, expires_in=lifetime)
    print(token)
    return 0


def users_list(args: argparse.Namespace, settings: Settings) -> int:
    with open_steward(settings) as app:
        users = app.users.list()
    if not users:
        print("no users yet: add one with `steward users add USER --role ROLE`")
        return 0
    print_table(
        ("user", "roles", "login"),
        ((user.id, ", ".join(user.roles), _login(user)) for user in users),
    )
    return 0


def _login(user: UserView) -> str:
    return "disabled" if user.disabled else "can log in" if user.can_log_in else "no password"


def _when(moment: datetime | None, missing: str) -> str:
    return missing if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def _token_state(token: ApiTokenView, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "live"


def users_tokens(args: argparse.Namespace, settings: Settings) -> int:
    with open_steward(settings) as app:
        tokens = app.users.tokens(args.user)
        now = app.clock.now()
    if not tokens:
        print(f"{args.user} has no API tokens")
        return 0
    print_table(
        ("id", "state", "created", "expires", "last used"),
        (
            (
                token.id,
                _token_state(token, now),
                _when(token.created_at, "-"),
                _when(token.expires_at, "never"),
                _when(token.last_used_at, "never"),
            )
            for token in tokens
        ),
    )
    return 0


def users_revoke_tokens(args: argparse.Namespace, settings: Settings) -> int:
    with open_steward(settings) as app:
        revoked = app.users.revoke_tokens(args.user)
    print(f"revoked {revoked} API token(s) of {args.user}")
    return 0


def users_disable(args: argparse.Namespace, settings: Settings) -> int:
    with open_steward(settings) as app:
        app.users.disable(args.user)
    print(f"disabled {args.user}: no login, their web sessions ended and their API tokens revoked")
    return 0


def users_enable(args: argparse.Namespace, settings: Settings) -> int:
    with open_steward(settings) as app:
        app.users.enable(args.user)
    print(f"enabled {args.user}: they may log in with their password (issue new API tokens if needed)")
    return 0
