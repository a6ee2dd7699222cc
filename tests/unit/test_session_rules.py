"""Which access tokens still open the door (domain/identity/access.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.identity.access import (
    DISABLED,
    NO_ACCOUNT,
    SESSION_ENDED,
    acting_seller,
    revoked_since,
    session_problem,
)
from domain.identity.models import AccountState
from adapters.security.account_check import _decode, _encode

ACTIVE = AccountState(account_type="SELLER", seller_id=7, token_version=2, disabled=False,
                      revoked_families=frozenset({"stolen"}))


def test_a_current_token_of_an_active_account_passes() -> None:
    assert session_problem(ACTIVE, token_version=2, family="mine") is None
    assert session_problem(ACTIVE, token_version=None, family=None) is None  # external issuer


@pytest.mark.parametrize(("state", "version", "family", "problem"), [
    (None, 0, None, NO_ACCOUNT),
    (AccountState("BUYER", None, 0, disabled=True), 0, None, DISABLED),
    (ACTIVE, 1, "mine", SESSION_ENDED),
    (ACTIVE, 3, "mine", SESSION_ENDED),
    (ACTIVE, 2, "stolen", SESSION_ENDED),
])
def test_refusals(state: AccountState | None, version: int, family: str | None,
                  problem: str) -> None:
    assert session_problem(state, token_version=version, family=family) == problem


def test_only_a_seller_acts_for_its_seller_row() -> None:
    assert acting_seller(ACTIVE) == 7
    demoted = AccountState("BUYER", 7, 2, disabled=False)
    assert acting_seller(demoted) is None


def test_families_revoked_before_the_oldest_live_access_token_no_longer_matter() -> None:
    now = datetime(2026, 1, 1, 12, tzinfo=timezone.utc)
    assert revoked_since(now, timedelta(minutes=15), timedelta(seconds=30)) == (
        now - timedelta(minutes=15, seconds=30))


@pytest.mark.parametrize("state", [ACTIVE, None, AccountState("ADMIN", None, 0, True)])
def test_the_shared_cache_encoding_round_trips(state: AccountState | None) -> None:
    assert _decode(_encode(state)) == state
