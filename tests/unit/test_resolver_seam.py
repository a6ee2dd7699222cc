"""resolvers/ are plain Python (docs/architecture.md, "The seam between schema and
resolvers"): a use case runs with a hand-made Caller, no GraphQL, no HTTP, no database."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Awaitable, Callable

import pytest

from dataloaders import Loaders
from dataloaders.queries import InvalidPageSize
from domain.checkout.services import Policy
from domain.errors import AuthenticationRequired, PermissionDenied
from domain.identity.viewer import Viewer
from resolvers import analytics, catalog
from resolvers.caller import Caller, QueryRejected, UseCaseSettings

SETTINGS = UseCaseSettings(max_page_size=100, low_stock_threshold=5, cart_hold_seconds=900,
                           public_base_url="http://shop.test",
                           checkout_policy=Policy(hold_seconds=900, session_seconds=1800,
                                                  tax_rates={}))


class NoUnits:
    """Units of work that must not be used: the use case refuses before any."""

    async def transaction(self, use_case: Callable[[Any], Awaitable[Any]]) -> Any:
        raise AssertionError("no transaction expected")

    async def read(self, use_case: Callable[[Any], Awaitable[Any]]) -> Any:
        raise AssertionError("no read expected")


class NoReads:
    """The request's reads, which must not be used either."""

    db = None

    async def run(self, query: Any) -> Any:
        raise AssertionError("no read expected")


def caller_of(viewer: Viewer | None, *, bad_token: bool = False) -> Caller:
    async def identify() -> Viewer | None:
        if bad_token:
            raise AuthenticationRequired("Invalid token.")
        return viewer

    return Caller(identify=identify, loaders=Loaders(reads=NoReads(), clock=None),  # type: ignore[arg-type]
                  units=NoUnits(), settings=SETTINGS)


async def test_require_checks_sign_in_and_role() -> None:
    with pytest.raises(AuthenticationRequired):
        await caller_of(None).require()
    with pytest.raises(PermissionDenied):
        await caller_of(Viewer(user_id=1, account_type="BUYER")).require("SELLER", "ADMIN")
    admin = Viewer(user_id=2, account_type="ADMIN")
    assert await caller_of(admin).require("SELLER", "ADMIN") == admin


async def test_a_bad_token_browses_as_anonymous_but_cannot_sign_in() -> None:
    caller = caller_of(None, bad_token=True)
    assert await caller.browsing_viewer() is None
    with pytest.raises(AuthenticationRequired):
        await caller.viewer()


def test_page_size_is_checked_against_the_maximum() -> None:
    caller = caller_of(None)
    assert caller.page_size(None) == 20  # the default page
    assert caller.page_size(100) == 100
    with pytest.raises(InvalidPageSize):
        caller.page_size(101)
    with pytest.raises(InvalidPageSize):
        caller.page_size(-1)


async def test_a_report_range_that_ends_before_it_starts_is_rejected_before_any_read() -> None:
    caller = caller_of(Viewer(user_id=2, account_type="ADMIN"))
    start = datetime(2026, 5, 2, tzinfo=timezone.utc)
    with pytest.raises(QueryRejected):
        await analytics.admin_sales_report(caller, start, start)
    with pytest.raises(PermissionDenied):
        await analytics.admin_sales_report(caller_of(Viewer(user_id=1, account_type="BUYER")),
                                           start, start)


def test_a_seller_id_that_is_not_ours_matches_nothing() -> None:
    assert catalog.public_query(seller_id="not-an-id").match_nothing
    assert not catalog.public_query().match_nothing
    assert catalog.public_query(sort="PRICE_ASC").sort == "PRICE_ASC"
