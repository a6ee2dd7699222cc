"""Checks the `marketplace` command runs before it starts work, so that a configuration that
cannot work is reported on one line with how to fix it (settings.ConfigError; README,
Settings), not as a traceback from deep inside a driver: the JWT keys load, CORS_ORIGINS are
origins, and the database answers `SELECT 1` within CONNECT_TIMEOUT_SECONDS."""
from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from settings import ConfigError, Settings

CONNECT_TIMEOUT_SECONDS = 10.0


def check(settings: Settings, *, database: bool = True) -> None:
    from web.graphql_view import browser_origins
    from adapters.security.tokens import TokenIssuer

    try:
        TokenIssuer(settings)
    except ValueError as exc:
        raise ConfigError(f"{exc}; see JWT_ALGORITHM, JWT_SECRET and JWT_*_KEY_FILE in the "
                          "README's settings table") from None
    try:
        browser_origins(settings)
    except ValueError as exc:
        raise ConfigError(f"CORS_ORIGINS: {exc}; list origins such as "
                          "https://shop.example,https://admin.example") from None
    if database:
        asyncio.run(check_database(settings.database_url))


def _reason(exc: BaseException) -> str:
    """The driver's own words, on one line."""
    cause = getattr(exc, "orig", None) or exc
    words = " ".join(str(cause).split()) or type(cause).__name__
    return words if len(words) <= 200 else words[:197] + "..."


async def check_database(url: str) -> None:
    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite":
        folder = Path(parsed.database or ".").expanduser().resolve().parent
        if parsed.database not in (None, "", ":memory:") and not folder.is_dir():
            raise ConfigError(f"DATABASE_URL={shown}: the folder {folder} does not exist; "
                              "create it or point DATABASE_URL at a file in an existing "
                              "folder (e.g. sqlite:///./marketplace.db)")
        hint = "check that the file is readable and writable"
    else:
        hint = ("check the host, port, user, password and database name, and that the server "
                "is running")
    engine = create_async_engine(url)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_SECONDS):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except TimeoutError:
        raise ConfigError(f"DATABASE_URL={shown}: cannot connect (no answer within "
                          f"{CONNECT_TIMEOUT_SECONDS:g} s); {hint}") from None
    except Exception as exc:  # noqa: BLE001 - whatever the driver raises, said in one line
        await asyncio.sleep(0.1)  # let a driver thread finish before the loop closes
        raise ConfigError(f"DATABASE_URL={shown}: cannot connect ({_reason(exc)}); "
                          f"{hint}") from None
    finally:
        await engine.dispose()
