"""APP_ENV: a production server refuses to start on the repository's default secrets (one line,
exit code 2), starts with secrets of its own, and then refuses tokens signed with the public
development secret, which a development server still accepts."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

from settings import DEV_JWT_SECRET, Settings
from tests.support.factories import make_account
from tests.support.server import ROOT, free_port, start_server
from tests.support.tokens import claims_for, hs256

ME = "{ me { accountType } }"
SECRETS = {"JWT_SECRET": "prod-jwt-secret-" + "x" * 32,
           "CARRIER_WEBHOOK_SECRET": "prod-carrier-secret-" + "y" * 32,
           "STRIPE_WEBHOOK_SECRET": "whsec_prod_" + "z" * 32}
SECRET_NAMES = ("JWT_SECRET", "CARRIER_WEBHOOK_SECRET", "STRIPE_WEBHOOK_SECRET", "METRICS_TOKEN",
                "APP_ENV", "TRUSTED_PROXIES")


def _env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in SECRET_NAMES}
    return {**base, **extra}


def forged_admin_token(settings: Settings, user_id: int) -> str:
    """What anyone who read the repository can make: an ADMIN token signed with the dev secret."""
    now = datetime.now(timezone.utc)
    return hs256(claims_for(settings, user_id, now, role="ADMIN"), DEV_JWT_SECRET)


def test_production_with_default_secrets_exits_2_naming_the_setting(settings: Settings) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ops.cli", "serve", "--host", "127.0.0.1", "--port",
         str(free_port()), "--no-migrate"],
        cwd=ROOT, env=_env(APP_ENV="production", DATABASE_URL=settings.database_url),
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "JWT_SECRET is the development default" in lines[0]
    assert "Traceback" not in result.stderr


def test_production_refuses_one_short_secret_by_name(settings: Settings) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ops.cli", "serve", "--port", str(free_port()), "--no-migrate"],
        cwd=ROOT, env=_env(APP_ENV="production", DATABASE_URL=settings.database_url,
                           **{**SECRETS, "CARRIER_WEBHOOK_SECRET": "too-short"}),
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "marketplace serve: APP_ENV=production refuses to start: CARRIER_WEBHOOK_SECRET is "
        "shorter than 32 bytes (set each to a random secret of at least 32 bytes)"]


async def test_development_still_accepts_a_token_signed_with_the_dev_secret(
        gql: Any, runtime: Any, settings: Settings) -> None:
    admin = await make_account(runtime, "ADMIN")
    body = await gql(ME, token=forged_admin_token(settings, admin.user_id))
    assert body["data"]["me"] == {"accountType": "ADMIN"}


async def test_production_starts_with_its_own_secrets_and_refuses_dev_signed_tokens(
        runtime: Any, settings: Settings, log_dir: Path) -> None:
    admin = await make_account(runtime, "ADMIN")
    server = start_server(settings.database_url, log_dir,
                          env={"APP_ENV": "production", **SECRETS})
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
            forged = forged_admin_token(settings, admin.user_id)
            response = await http.post("/graphql", json={"query": ME},
                                       headers={"Authorization": f"Bearer {forged}"})
            assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
            assert (await http.get("/metrics")).status_code == 404  # closed without a token
    finally:
        server.stop()
