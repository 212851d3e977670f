"""`steward autonomy ...`: the ladder's levels and KPIs, pending promotions and their sign-off."""

from __future__ import annotations

import argparse

from core import StewardError
from steward._output import dump as _dump
from steward._settings import Settings
from steward._wiring import open_steward


def autonomy_status(args: argparse.Namespace, settings: Settings) -> int:
    from steward._status import autonomy_rows

    with open_steward(settings) as app:
        rows = autonomy_rows(app)
    if args.json:
        _dump(rows)
        return 0
    for row in rows:
        kpi = row["kpi"]
        print(f"{row['agent']}.{row['action']}: level {row['level']} (of {' → '.join(row['levels'])})")
        print(
            f"  agreement {kpi['agreed']}/{kpi['reviewed']} = {kpi['agreement_rate']:.1%} "
            f"(lower bound {kpi['agreement_lower_bound']:.1%}); bad outcomes {kpi['bad_outcomes']}/"
            f"{kpi['outcomes_observed']} (upper bound {kpi['bad_outcome_upper_bound']:.1%}); "
            f"expired {kpi['expired']} (not counted); reviewed since last change {kpi['reviewed_since_change']}"
        )
        if row["last_change"]:
            print(f"  last change: {row['last_change']}")
    return 0


def autonomy_requests(args: argparse.Namespace, settings: Settings) -> int:
    with open_steward(settings) as app:
        pending = app.autonomy.pending_requests()
    if args.json:
        _dump([request.model_dump(mode="json") for request in pending])
        return 0
    if not pending:
        print("no promotion waits for sign-off")
        return 0
    for request in pending:
        kpi = request.kpi
        print(
            f"{request.id}: {request.agent}.{request.action} {request.from_level} → {request.to_level}, "
            f"requested {request.requested_at:%Y-%m-%d %H:%M} UTC"
        )
        print(f"  {request.reason}")
        print(
            f"  agreement {kpi.agreed}/{kpi.reviewed} (lower bound {kpi.agreement_lower_bound:.1%}); bad outcomes "
            f"{kpi.bad_outcomes}/{kpi.outcomes_observed} (upper bound {kpi.bad_outcome_upper_bound:.1%})"
        )
    print("decide with: steward autonomy sign-off ID --approve|--decline --actor USER [--note TEXT]")
    return 0


def autonomy_sign_off(args: argparse.Namespace, settings: Settings) -> int:
    from steward._roles import load_roles

    roles = load_roles(settings)
    with open_steward(settings) as app:
        signer = app.users.get(args.actor)
        if "autonomy.signoff" not in roles.permissions_of(signer.roles):
            signers = " or ".join(role.name for role in roles if "autonomy.signoff" in role.permissions)
            raise StewardError(f"{args.actor} may not sign off promotions: that needs the {signers} role")
        request = app.autonomy.sign_off(args.id, actor=args.actor, approve=args.approve, note=args.note)
    if request.status == "approved":
        print(f"{request.id}: approved by {args.actor}; {request.agent}.{request.action} is now at {request.to_level}")
    else:
        print(f"{request.id}: declined by {args.actor}; {request.agent}.{request.action} stays at {request.from_level}")
    return 0
