"""Reads sent straight to the driver (docs/architecture.md, "Reads sent straight to the driver";
persistence/reads/direct.py): on PostgreSQL's read connections the catalogue's statements go
to asyncpg without SQLAlchemy's execution, and must give the very rows SQLAlchemy gives
(values the statement carries, list parameters, cursor values through the column types'
processors, result processors), be counted with the SQL SQLAlchemy would send, and fall back to
SQLAlchemy when the driver fails or a transaction is open. On SQLite they are SQLAlchemy's."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

import pytest

from persistence.reads import catalog, direct
from persistence.reads.catalog_listing import ProductQuery, _count_statement, _page_statement
from persistence.reads.pagination import PAGE_LIMIT
from tests.support.factories import make_account, make_category, make_product


async def _catalogue(runtime: Any) -> list[int]:
    seller = await make_account(runtime, "SELLER")
    cat = await make_category(runtime)
    made = [await make_product(runtime, seller.seller_id, prices=[100, 250], category_id=cat,
                               images=2) for _ in range(4)]
    return [m.id for m in made]


def _cases(ids: list[int], dialect: str) -> list[tuple[Any, dict[str, Any]]]:
    page, ordering = _page_statement(ProductQuery(), dialect, False)
    after, ordering = _page_statement(ProductQuery(), dialect, True)
    cursor = ordering.after_params([datetime(2999, 1, 1, tzinfo=timezone.utc), 10 ** 6])
    return [(catalog._VARIANTS_BY_PRODUCT, {"keys": ids}),
            (catalog._VARIANTS_BY_PRODUCT, {"keys": ids[:1]}),
            (catalog._IMAGES_BY_PRODUCT, {"keys": ids}),
            (catalog._PRODUCTS_BY_ID, {"keys": ids + [-1]}),
            (catalog._ALL_CATEGORIES, {}),
            (page, {PAGE_LIMIT: 3}),
            (after, {PAGE_LIMIT: 10, **cursor}),
            (_count_statement(ProductQuery(), dialect), {})]


async def test_direct_rows_equal_sqlalchemy_rows(runtime: Any) -> None:
    ids = await _catalogue(runtime)
    async with runtime.db.read_engine.connect() as conn:
        for stmt, params in _cases(ids, conn.dialect.name):
            expected = [tuple(row) for row in (await conn.execute(stmt, params)).all()]
            got = [tuple(row) for row in await direct.fetch_rows(conn, stmt, params)]
            assert got == expected and got, stmt
            assert [type(v) for v in got[0]] == [type(v) for v in expected[0]]


@pytest.fixture
def postgres(runtime: Any) -> None:
    if runtime.db.is_sqlite:
        pytest.skip("PostgreSQL: the driver path exists only there")


async def test_direct_statements_are_counted_as_sqlalchemy_would_send_them(
        runtime: Any, postgres: None) -> None:
    ids = await _catalogue(runtime)
    counter = runtime.db.statements
    counter.keep_log = True
    async with runtime.db.read_engine.connect() as conn:
        counter.reset()
        await conn.execute(catalog._VARIANTS_BY_PRODUCT, {"keys": ids})
        by_sqlalchemy = list(counter.log)
        counter.reset()
        built, reused = direct.PLANS.built, direct.PLANS.reused
        await direct.fetch_rows(conn, catalog._VARIANTS_BY_PRODUCT, {"keys": ids})
        assert counter.log == by_sqlalchemy and counter.count == 1
        assert direct.PLANS.built + direct.PLANS.reused == built + reused + 1


async def test_a_driver_failure_is_sent_again_through_sqlalchemy(
        runtime: Any, postgres: None, monkeypatch: Any) -> None:
    ids = await _catalogue(runtime)
    async with runtime.db.read_engine.connect() as conn:
        expected = (await conn.execute(catalog._IMAGES_BY_PRODUCT, {"keys": ids})).all()
        planned = direct.PLANS.get

        def broken(stmt: Any, params: Any, dialect: Any) -> Any:  # the driver will refuse it
            return replace(planned(stmt, params, dialect), sql="SELEC broken")

        monkeypatch.setattr(direct.PLANS, "get", broken)
        counter = runtime.db.statements
        counter.reset()
        got = await direct.fetch_rows(conn, catalog._IMAGES_BY_PRODUCT, {"keys": ids})
        assert [tuple(r) for r in got] == [tuple(r) for r in expected]
        assert counter.count == 2  # the failed send and SQLAlchemy's


async def test_in_a_transaction_reads_go_through_sqlalchemy(runtime: Any, postgres: None) -> None:
    ids = await _catalogue(runtime)
    async with runtime.db.write_engine.connect() as conn:
        built, reused = direct.PLANS.built, direct.PLANS.reused
        rows = await direct.fetch_rows(conn, catalog._PRODUCTS_BY_ID, {"keys": ids})
        assert sorted(r[0] for r in rows) == sorted(ids)
        assert conn.in_transaction()  # SQLAlchemy began it: the read is inside it
        assert (direct.PLANS.built, direct.PLANS.reused) == (built, reused)
        await conn.rollback()
