"""The `marketplace` command: serve, migrate, seed-demo, create-admin, export-schema, sweep,
dispatch."""
from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Sequence

from ops.posture import InsecureSettings, check_production
from settings import ConfigError, Settings

# Commands that need the database: checked first (ops/preflight.py).
USES_DATABASE = {"serve", "migrate", "seed-demo", "create-admin", "sweep", "dispatch"}


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    if not args.no_migrate:
        from migrations import upgrade_head

        upgrade_head(settings.database_url)
    # Forwarded headers are trusted by the app, only from TRUSTED_PROXIES (app.py); uvicorn's
    # own handling (which trusts 127.0.0.1 by default) is switched off.
    uvicorn.run("app:app", host=args.host, port=args.port, workers=args.workers,
                log_level=args.log_level, lifespan="on", proxy_headers=False,
                ws_max_size=settings.max_body_bytes,  # docs/rules.md, "Request limits"
                # No permessage-deflate: compressing each small `next` message for each
                # subscriber costs more than it saves (docs/architecture.md, "Live events").
                ws_per_message_deflate=False)
    return 0


def _migrate(_: argparse.Namespace, settings: Settings) -> int:
    from migrations import upgrade_head

    upgrade_head(settings.database_url)
    print("database is at the latest migration")
    return 0


def _export_schema(_: argparse.Namespace, settings: Settings) -> int:
    from schema.build import build_schema

    print(build_schema(settings).as_str())
    return 0


def _create_admin(args: argparse.Namespace, settings: Settings) -> int:
    from ops.admin import create_admin

    created = asyncio.run(create_admin(settings, email=args.email, password=args.password,
                                       name=args.name))
    print(("created admin " if created else "admin already exists: ") + args.email)
    return 0


def _seed_demo(_: argparse.Namespace, settings: Settings) -> int:
    from ops.seed import seed_demo

    asyncio.run(seed_demo(settings))
    return 0


def _sweep(_: argparse.Namespace, settings: Settings) -> int:
    from ops.sweep import sweep_once_cli

    print(asyncio.run(sweep_once_cli(settings)))
    return 0


def _dispatch(_: argparse.Namespace, settings: Settings) -> int:
    from ops.dispatch import dispatch_once_cli

    print(asyncio.run(dispatch_once_cli(settings)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="marketplace", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP/WebSocket server (uvicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--no-migrate", action="store_true", help="skip `migrate` at start")
    serve.set_defaults(func=_serve)
    sub.add_parser("migrate", help="upgrade the database to the latest migration").set_defaults(
        func=_migrate)
    sub.add_parser("seed-demo", help="load idempotent demo data").set_defaults(func=_seed_demo)
    admin = sub.add_parser("create-admin", help="create an ADMIN account")
    admin.add_argument("--email", required=True)
    admin.add_argument("--password", required=True)
    admin.add_argument("--name", default="Administrator")
    admin.set_defaults(func=_create_admin)
    sub.add_parser("export-schema", help="print the GraphQL SDL").set_defaults(
        func=_export_schema)
    sub.add_parser("sweep", help="release lapsed holds, expire carts and sessions, once"
                   ).set_defaults(func=_sweep)
    sub.add_parser("dispatch", help="deliver pending outbox events (notifications, "
                   "analytics) once").set_defaults(func=_dispatch)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 2 with one line on stderr when the settings are invalid or, with
    APP_ENV=production, insecure (ops/posture.py)."""
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command == "serve":
            check_production(settings)
        from ops.preflight import check

        check(settings, database=args.command in USES_DATABASE)
    except InsecureSettings as exc:
        print(f"marketplace {args.command}: {exc}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        # One line, what is wrong and how to fix it; exit 2 (README, Settings).
        print(f"marketplace {args.command}: configuration error: {exc}", file=sys.stderr)
        return 2
    return int(args.func(args, settings) or 0)


if __name__ == "__main__":
    sys.exit(main())
