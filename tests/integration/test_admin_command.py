"""`marketplace create-admin`: idempotent, same password policy, and the admin can log in
with role ADMIN; also run as the real command on a freshly migrated database."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ops.admin import create_admin
from persistence.tables import users
from settings import Settings
from tests.support.server import ROOT

LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    token user { id email name accountType seller { id } } userErrors { code } } }"""
NODE = "query($id: ID!) { node(id: $id) { __typename id } }"


async def test_create_admin_is_idempotent_and_the_admin_logs_in(
        settings: Settings, gql: Any, app: Any, fast_hasher: Any) -> None:
    assert await create_admin(settings, email=" Root@Example.com ", password="admin-password",
                              name="Root", password_hasher=fast_hasher) is True
    assert await create_admin(settings, email="root@example.com", password="something else",
                              name="Again", password_hasher=fast_hasher) is False
    runtime = app.state.runtime
    async with runtime.db.read_engine.connect() as conn:
        rows = (await conn.execute(select(users))).all()
    assert [(r.email, r.name, r.account_type) for r in rows] == [
        ("root@example.com", "Root", "ADMIN")]
    assert rows[0].password_hash.startswith("$argon2id$")

    login = (await gql.data(LOGIN, {"email": "root@example.com",
                                    "password": "admin-password"}))["login"]
    assert login["userErrors"] == []
    assert (login["user"]["accountType"], login["user"]["seller"]) == ("ADMIN", None)
    claims = runtime.tokens.verify(login["token"], now=runtime.clock.now())
    assert (claims["role"], claims["sid"]) == ("ADMIN", None)
    # Admins may look at any user.
    buyer = (await gql.data("""mutation { register(input: {email: "b@example.com",
      password: "buyer-password", name: "B"}) { user { id } } }"""))["register"]["user"]
    seen = (await gql.data(NODE, {"id": buyer["id"]}, token=login["token"]))["node"]
    assert seen == {"__typename": "User", "id": buyer["id"]}


async def test_create_admin_applies_the_password_policy(settings: Settings,
                                                        fast_hasher: Any) -> None:
    with pytest.raises(ValueError, match="password"):
        await create_admin(settings, email="root@example.com", password="short", name="Root",
                           password_hasher=fast_hasher)
    with pytest.raises(ValueError, match="email"):
        await create_admin(settings, email="root", password="long enough", name="Root",
                           password_hasher=fast_hasher)


def test_the_command_on_a_freshly_migrated_database(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "ops.cli", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120, check=False)

    assert run("migrate").returncode == 0
    first = run("create-admin", "--email", "admin@example.com", "--password", "admin-password")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "created admin admin@example.com"
    second = run("create-admin", "--email", "admin@example.com", "--password", "admin-password")
    assert second.stdout.strip() == "admin already exists: admin@example.com"
