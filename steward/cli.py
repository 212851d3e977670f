"""The `steward` command line: demo, ingestion, customers, agents and their runs, review queue, autonomy,
audit and evals.

Every command builds its settings from `STEWARD_*` variables, configures logging once, and turns a
`StewardError` into a one-line message on stderr and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from core import ConfigurationError, StewardError
from steward._logging import configure_logging
from steward._parser import command_parser
from steward._settings import Settings

EXIT_ERROR = 1


def main(argv: Sequence[str] | None = None) -> int:
    args = command_parser().parse_args(argv)
    try:
        settings = _settings()
        configure_logging(settings.log_level, json=settings.log_json)
        handler = _handler(args)
        return handler(args, settings)
    except StewardError as exc:
        print(f"steward: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("steward: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `steward queue show ID | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _settings() -> Settings:
    """The settings from the environment; a bad value is one line naming the variable, not a traceback."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"STEWARD_{'_'.join(str(part) for part in error['loc']).upper()}: {error['msg']}" for error in exc.errors()
        )
        raise ConfigurationError(f"invalid setting: {problems}") from None


def _handler(args: argparse.Namespace) -> Callable[[argparse.Namespace, Settings], int]:
    from steward import _agent_commands as agent_commands
    from steward import _audit_commands as audit_commands
    from steward import _autonomy_commands as autonomy
    from steward import _customer_commands as customer
    from steward import _eval_commands as evals
    from steward import _policy_commands as p
    from steward import _queue_commands as q
    from steward import _recover_commands as r
    from steward import _service_commands as service
    from steward import _user_commands as u

    table: dict[tuple[str, str | None], Callable[[argparse.Namespace, Settings], int]] = {
        ("demo", None): service.demo,
        ("queue", "list"): q.queue_list,
        ("queue", "show"): q.queue_show,
        ("queue", "decide"): q.queue_decide,
        ("queue", "expire"): q.queue_expire,
        ("queue", "propose-again"): q.queue_propose_again,
        ("autonomy", "status"): autonomy.autonomy_status,
        ("autonomy", "requests"): autonomy.autonomy_requests,
        ("autonomy", "sign-off"): autonomy.autonomy_sign_off,
        ("policy", "show"): p.policy_show,
        ("policy", "history"): p.policy_history,
        ("policy", "what-if"): p.policy_what_if,
        ("policy", "set"): p.policy_set,
        ("audit", "verify"): audit_commands.audit_verify,
        ("audit", "checkpoint"): audit_commands.audit_checkpoint,
        ("eval", "credit"): evals.eval_credit,
        ("eval", "identity"): evals.eval_identity,
        ("eval", "routing"): evals.eval_routing,
        ("db", "upgrade"): service.db_upgrade,
        ("ingest", None): customer.ingest,
        ("customer", "show"): customer.customer_show,
        ("attention", None): customer.attention,
        ("gdpr", "retention"): customer.gdpr_retention,
        ("gdpr", "export"): customer.gdpr_export,
        ("gdpr", "erase"): customer.gdpr_erase,
        ("serve", None): service.serve,
        ("recover", None): r.recover,
        ("agents", "list"): agent_commands.agents_list,
        ("run", None): agent_commands.run,
        ("users", "add"): u.users_add,
        ("users", "token"): u.users_token,
        ("users", "list"): u.users_list,
        ("users", "tokens"): u.users_tokens,
        ("users", "revoke-tokens"): u.users_revoke_tokens,
        ("users", "disable"): u.users_disable,
        ("users", "enable"): u.users_enable,
    }
    action = getattr(args, f"{args.command}_command", None)
    return table[(args.command, action)]


if __name__ == "__main__":
    sys.exit(main())
