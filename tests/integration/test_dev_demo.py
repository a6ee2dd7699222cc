"""`./dev demo` prints what the README says it prints (the buyer's, sellers' and admin's logins)
and serves on HOST/PORT; a second run works on the same database and says the admin exists."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.support.server import ROOT, free_port

pytestmark = pytest.mark.slow


def run_demo(tmp_path: Path) -> str:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
           "HOST": "127.0.0.1", "PORT": str(port)}
    for name in ("ADMIN_EMAIL", "ADMIN_PASSWORD", "PUBLIC_BASE_URL"):
        env.pop(name, None)
    log = tmp_path / f"demo-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(["./dev", "demo"], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    page = httpx.get(f"http://127.0.0.1:{port}/graphql",
                                     headers={"Accept": "text/html"}, timeout=5)
                    assert page.status_code == 200 and "/static/graphiql/" in page.text
                    return log.read_text()
            except httpx.HTTPError:
                time.sleep(0.3)
        raise AssertionError(f"./dev demo did not serve: {log.read_text()}")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_dev_demo_prints_every_login_it_claims(tmp_path: Path) -> None:
    first = run_demo(tmp_path)
    assert "buyer   buyer@example.com / buyer-password" in first, first
    assert "seller  seller1@example.com / seller-password" in first, first
    assert "admin   admin@example.com / admin-password" in first, first
    second = run_demo(tmp_path)
    assert "admin   admin@example.com (already there" in second, second
