"""`steward demo`, `serve` and `db upgrade`: the installation as a whole."""

from __future__ import annotations

import argparse

from steward._settings import Settings


def demo(args: argparse.Namespace, settings: Settings) -> int:
    from steward._demo import run_demo

    code = run_demo(settings, history=args.history, new=args.new, seed=args.seed, people=args.people)
    if code != 0 or args.no_serve:
        return code
    return serve(argparse.Namespace(host=args.host, port=args.port), settings)


def serve(args: argparse.Namespace, settings: Settings) -> int:
    from steward._web import serve as serve_app

    return serve_app(settings, args.host, args.port)


def db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from steward._database import make_engine
    from steward._migrations import upgrade

    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    engine.dispose()
    print("database is at the latest schema")
    return 0
