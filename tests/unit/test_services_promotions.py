"""Managing promotion codes (domain/promotions/services.py) over the fake unit of work."""
from __future__ import annotations

import pytest

from domain.errors import DomainError, ErrorList
from domain.promotions.services import create_promotion, deactivate_promotion
from tests.unit.fakes import FakeUnitOfWork


async def promotion(uow: FakeUnitOfWork, code: str = "save10", *, seller_id: int | None = 3,
                    kind: str = "PERCENT", value: int = 10):
    return await create_promotion(
        uow.port, actor_user_id=1, seller_id=seller_id, code=code, description=" Ten off ",
        kind=kind, value=value, min_subtotal_minor=None, starts_at=None, ends_at=None,
        usage_limit=None, per_customer_limit=None)


async def test_a_promotion_code_is_stored_normalised_and_taken_once():
    uow = FakeUnitOfWork()
    created = await promotion(uow)
    assert created.code == "SAVE10"
    assert uow.promotions.rows["SAVE10"].description == "Ten off"
    uow.committed = False
    with pytest.raises(DomainError) as taken:
        await promotion(uow, " Save10 ")
    assert taken.value.code == "CONFLICT"
    assert not uow.committed


async def test_an_invalid_promotion_is_refused_before_anything_is_stored():
    uow = FakeUnitOfWork()
    with pytest.raises(ErrorList) as refused:
        await promotion(uow, value=150)  # more than 100 percent
    assert [e.code for e in refused.value.errors] == ["INVALID_INPUT"]
    assert uow.promotions.rows == {}


async def test_only_the_owner_or_an_admin_deactivates_a_code():
    uow = FakeUnitOfWork()
    await promotion(uow)
    with pytest.raises(DomainError) as refused:
        await deactivate_promotion(uow.port, code="save10", seller_id=4, is_admin=False)
    assert refused.value.code == "FORBIDDEN"
    assert uow.promotions.rows["SAVE10"].active
    done = await deactivate_promotion(uow.port, code="save10", seller_id=3, is_admin=False)
    assert not done.active and not uow.promotions.rows["SAVE10"].active
    with pytest.raises(DomainError) as missing:
        await deactivate_promotion(uow.port, code="NONE", seller_id=None, is_admin=True)
    assert missing.value.code == "NOT_FOUND"
