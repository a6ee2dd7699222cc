"""Configuration errors in one line: `marketplace serve`, `migrate` and `seed-demo` with a bad
or unreachable DATABASE_URL, a missing key file or a malformed setting print what is wrong and
how to fix it on one stderr line (no traceback) and exit 2."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.server import ROOT, free_port

COMMANDS = (["migrate"], ["seed-demo"], ["serve", "--port", "0"])
CLEARED = ("DATABASE_URL", "JWT_ALGORITHM", "JWT_PRIVATE_KEY_FILE", "JWT_PUBLIC_KEY_FILE",
           "RATE_LIMIT_PER_MINUTE")


def marketplace(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    full_env.update(env)
    args = [a if a != "0" else str(free_port()) for a in args]
    return subprocess.run([sys.executable, "-m", "ops.cli", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=60)


def assert_one_line(done: subprocess.CompletedProcess[str], *expected: str) -> str:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("url", [
    "postgresql://postgres@127.0.0.1:{port}/nowhere",  # nothing listens there
    "postgres://postgres@127.0.0.1:{port}/nowhere",
    "postgresql+asyncpg://postgres@127.0.0.1:{port}/nowhere",
], ids=["postgresql", "postgres", "asyncpg"])
def test_an_unreachable_database_is_one_line(command: list[str], url: str) -> None:
    done = marketplace(command, DATABASE_URL=url.format(port=free_port()))
    line = assert_one_line(done, "DATABASE_URL", "cannot connect")
    assert "psycopg" not in line  # postgresql:// and postgres:// mean asyncpg


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("url,expected", [
    ("not a url", "is not a database URL"),
    ("mysql://root@127.0.0.1/shop", "SQLite or PostgreSQL"),
    ("sqlite+aiosqlite:////no/such/directory/market.db", "does not exist"),
], ids=["garbage", "mysql", "sqlite-missing-dir"])
def test_a_bad_database_url_is_one_line(command: list[str], url: str, expected: str) -> None:
    assert_one_line(marketplace(command, DATABASE_URL=url), "DATABASE_URL", expected)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_missing_key_file_is_one_line(command: list[str], tmp_path: Path) -> None:
    missing = str(tmp_path / "private.pem")
    assert_one_line(marketplace(command, JWT_ALGORITHM="RS256", JWT_PRIVATE_KEY_FILE=missing,
                                DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"),
                    "JWT_PRIVATE_KEY_FILE", missing)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_malformed_setting_is_one_line(command: list[str], tmp_path: Path) -> None:
    assert_one_line(marketplace(command, RATE_LIMIT_PER_MINUTE="abc",
                                DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"),
                    "RATE_LIMIT_PER_MINUTE", "'abc'", "whole number")
