"""Managing promotion codes: sellers for their own products, admins platform-wide."""
from __future__ import annotations

from typing import Any

from domain.ids import encode_id
from tests.support.factories import make_account

CREATE = """mutation($input: PromotionCreateInput!) { promotionCreate(input: $input) {
  promotion { code description kind value minSubtotal { minorUnits } usageLimit
              perCustomerLimit timesUsed active seller { id displayName } startsAt endsAt }
  userErrors { code field message } } }"""
DEACTIVATE = """mutation($code: String!) { promotionDeactivate(code: $code) {
  promotion { code active } userErrors { code field message } } }"""
MANAGED = "{ managedPromotions { code active seller { id } } }"


def promo(**overrides: Any) -> dict[str, Any]:
    return {"code": "SPRING10", "description": "Spring: 10% off", "kind": "PERCENT",
            "value": 10, **overrides}


async def create(gql: Any, token: str, **overrides: Any) -> dict[str, Any]:
    body = await gql.data(CREATE, {"input": promo(**overrides)}, token=token)
    return body["promotionCreate"]  # type: ignore[no-any-return]


async def test_seller_codes_are_restricted_to_the_seller(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    result = await create(gql, seller.token, code="shop-5", kind="FIXED", value=500,
                          minSubtotalMinorUnits=2000, usageLimit=100, perCustomerLimit=1)
    assert result["userErrors"] == []
    created = result["promotion"]
    assert created["code"] == "SHOP-5" and created["kind"] == "FIXED"
    assert created["minSubtotal"] == {"minorUnits": 2000}
    assert created["seller"]["id"] == encode_id("Seller", seller.seller_id)
    assert (created["timesUsed"], created["active"]) == (0, True)


async def test_admin_codes_are_platform_wide(gql: Any, runtime: Any) -> None:
    admin = await make_account(runtime, "ADMIN")
    created = (await create(gql, admin.token, kind="FREE_SHIPPING", value=0))["promotion"]
    assert created["seller"] is None and created["kind"] == "FREE_SHIPPING"


async def test_create_error_codes(gql: Any, runtime: Any) -> None:
    buyer = await make_account(runtime)
    seller = await make_account(runtime, "SELLER")
    assert [e["code"] for e in (await create(gql, buyer.token))["userErrors"]] == ["FORBIDDEN"]
    assert (await create(gql, seller.token))["userErrors"] == []
    dup = await create(gql, seller.token, code=" spring10 ")
    assert [(e["code"], e["field"]) for e in dup["userErrors"]] == [("CONFLICT", ["input", "code"])]
    bad = await create(gql, seller.token, code="X!", value=300, usageLimit=0,
                       startsAt="2026-12-01T00:00:00+00:00", endsAt="2026-11-01T00:00:00+00:00")
    assert sorted(tuple(e["field"]) for e in bad["userErrors"]) == [
        ("input", "code"), ("input", "endsAt"), ("input", "usageLimit"), ("input", "value")]
    assert {e["code"] for e in bad["userErrors"]} == {"INVALID_INPUT"}
    anonymous = await gql(CREATE, {"input": promo()})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_deactivation_is_for_the_owner_or_an_admin(gql: Any, runtime: Any) -> None:
    owner = await make_account(runtime, "SELLER")
    other = await make_account(runtime, "SELLER")
    admin = await make_account(runtime, "ADMIN")
    await create(gql, owner.token, code="OWNED1")
    refused = (await gql.data(DEACTIVATE, {"code": "OWNED1"}, token=other.token))
    assert [e["code"] for e in refused["promotionDeactivate"]["userErrors"]] == ["FORBIDDEN"]
    missing = (await gql.data(DEACTIVATE, {"code": "NOSUCH"}, token=owner.token))
    assert [e["code"] for e in missing["promotionDeactivate"]["userErrors"]] == ["NOT_FOUND"]
    done = (await gql.data(DEACTIVATE, {"code": "owned1"}, token=owner.token))
    assert done["promotionDeactivate"]["promotion"] == {"code": "OWNED1", "active": False}
    await create(gql, other.token, code="OTHER1")
    by_admin = (await gql.data(DEACTIVATE, {"code": "OTHER1"}, token=admin.token))
    assert by_admin["promotionDeactivate"]["promotion"]["active"] is False


async def test_managed_promotions_by_role(gql: Any, runtime: Any) -> None:
    a = await make_account(runtime, "SELLER")
    b = await make_account(runtime, "SELLER")
    admin = await make_account(runtime, "ADMIN")
    buyer = await make_account(runtime)
    await create(gql, a.token, code="AAA1")
    await create(gql, b.token, code="BBB1")
    await create(gql, admin.token, code="ALL1")
    assert [p["code"] for p in (await gql.data(MANAGED, token=a.token))["managedPromotions"]] \
        == ["AAA1"]
    assert sorted(p["code"] for p in (await gql.data(MANAGED, token=admin.token))[
        "managedPromotions"]) == ["AAA1", "ALL1", "BBB1"]
    denied = await gql(MANAGED, token=buyer.token)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
