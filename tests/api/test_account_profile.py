"""The signed-in user through the GraphQL API: me, addresses, saved payment methods and
node(id:) visibility, with every error code those mutations answer."""
from __future__ import annotations

from typing import Any


from domain.ids import encode_id
from persistence.tables import (
    addresses,
    payment_methods,
)
from tests.support.factories import make_account, make_product
from tests.support.identity import (
    ADDRESS_ADD,
    ADDRESS_REMOVE,
    HOME,
    ME,
    NODE,
    PM_ADD,
    codes,
    count,
    register,
)


# ---------------------------------------------------------------- me
async def test_me_is_null_without_a_token(gql: Any) -> None:
    assert (await gql.data(ME)) == {"me": None}


async def test_me_and_its_relations_cost_a_few_statements(gql: Any, runtime: Any,
                                                          statements: Any) -> None:
    seller = await register(gql, accountType="SELLER", sellerDisplayName="Shop")
    token = seller["token"]
    for i in range(3):
        await gql.data(ADDRESS_ADD, {"input": {**HOME, "line1": f"{i} Main St"}}, token=token)
        await gql.data(PM_ADD, {"token": f"pm_card_{i}"}, token=token)
    statements.reset()
    me = (await gql.data(ME, token=token))["me"]
    assert (len(me["addresses"]), len(me["paymentMethods"])) == (3, 3)
    assert me["seller"]["displayName"] == "Shop"
    assert statements.count <= 4  # user, addresses, payment methods, seller


# ---------------------------------------------------------------- addresses
async def test_the_first_address_is_the_default_and_is_default_moves_it(gql: Any) -> None:
    token = (await register(gql))["token"]
    first = (await gql.data(ADDRESS_ADD, {"input": {
        **HOME, "country": " us ", "region": "ca", "line2": " ", "phone": "+1 555 010 0000",
    }}, token=token))["addressAdd"]
    assert first["userErrors"] == []
    assert first["address"] | {"id": None} == {
        "id": None, "fullName": "Ann Lee", "line1": "1 Main St", "line2": None,
        "city": "Los Angeles", "region": "CA", "postalCode": "90001", "country": "US",
        "phone": "+1 555 010 0000", "isDefault": True}
    second = (await gql.data(ADDRESS_ADD, {"input": {**HOME, "city": "Oakland"}},
                             token=token))["addressAdd"]
    assert second["address"]["isDefault"] is False
    third = (await gql.data(ADDRESS_ADD, {"input": {**HOME, "city": "Fresno"}, "isDefault": True},
                            token=token))["addressAdd"]
    assert third["address"]["isDefault"] is True
    listed = (await gql.data(ME, token=token))["me"]["addresses"]
    assert [(a["city"], a["isDefault"]) for a in listed] == [
        ("Los Angeles", False), ("Oakland", False), ("Fresno", True)]


async def test_address_validation_names_the_fields(gql: Any, runtime: Any) -> None:
    token = (await register(gql))["token"]
    payload = (await gql.data(ADDRESS_ADD, {"input": {
        **HOME, "country": "USA", "region": " ", "fullName": ""}}, token=token))["addressAdd"]
    assert payload["address"] is None
    assert codes(payload) == [("INVALID_INPUT", ["input", "fullName"]),
                              ("INVALID_INPUT", ["input", "region"]),
                              ("INVALID_INPUT", ["input", "country"])]
    assert await count(runtime, addresses) == 0


async def test_address_remove(gql: Any, runtime: Any) -> None:
    ann = (await register(gql))["token"]
    bob = (await register(gql))["token"]
    home = (await gql.data(ADDRESS_ADD, {"input": HOME}, token=ann))["addressAdd"]["address"]
    work = (await gql.data(ADDRESS_ADD, {"input": {**HOME, "city": "Oakland"}},
                           token=ann))["addressAdd"]["address"]
    # Someone else's address, a foreign id and garbage: NOT_FOUND, nothing changes.
    for token, address_id in ((bob, home["id"]), (ann, encode_id("Product", 1)),
                              (ann, "garbage")):
        payload = (await gql.data(ADDRESS_REMOVE, {"id": address_id}, token=token))
        assert codes(payload["addressRemove"]) == [("NOT_FOUND", ["id"])]
    assert await count(runtime, addresses) == 2
    # Removing the default returns it and makes the remaining address the default.
    removed = (await gql.data(ADDRESS_REMOVE, {"id": home["id"]}, token=ann))["addressRemove"]
    assert removed["userErrors"] == [] and removed["address"] == home
    listed = (await gql.data(ME, token=ann))["me"]["addresses"]
    assert [(a["id"], a["isDefault"]) for a in listed] == [(work["id"], True)]
    again = (await gql.data(ADDRESS_REMOVE, {"id": home["id"]}, token=ann))["addressRemove"]
    assert codes(again) == [("NOT_FOUND", ["id"])]


# ---------------------------------------------------------------- payment methods
async def test_payment_methods_describe_stripe_test_cards(gql: Any) -> None:
    token = (await register(gql))["token"]
    added = []
    for pm in ("pm_card_visa", "pm_card_mastercard", "pm_card_amex", "pm_1AbC9876"):
        payload = (await gql.data(PM_ADD, {"token": pm}, token=token))["paymentMethodAdd"]
        assert payload["userErrors"] == []
        added.append(payload["paymentMethod"])
    assert [(m["providerToken"], m["brand"], m["last4"], m["isDefault"]) for m in added] == [
        ("pm_card_visa", "visa", "4242", True), ("pm_card_mastercard", "mastercard", "4444", False),
        ("pm_card_amex", "amex", "8431", False), ("pm_1AbC9876", "card", "9876", False)]
    listed = (await gql.data(ME, token=token))["me"]["paymentMethods"]
    assert listed == added


async def test_saving_a_token_twice_returns_the_saved_method(gql: Any, runtime: Any) -> None:
    token = (await register(gql))["token"]
    visa = (await gql.data(PM_ADD, {"token": "pm_card_visa"}, token=token))["paymentMethodAdd"]
    amex = (await gql.data(PM_ADD, {"token": "pm_card_amex"}, token=token))["paymentMethodAdd"]
    again = (await gql.data(PM_ADD, {"token": "pm_card_amex", "isDefault": True},
                            token=token))["paymentMethodAdd"]
    assert again["userErrors"] == []
    assert again["paymentMethod"] == {**amex["paymentMethod"], "isDefault": True}
    listed = (await gql.data(ME, token=token))["me"]["paymentMethods"]
    assert [(m["id"], m["isDefault"]) for m in listed] == [
        (visa["paymentMethod"]["id"], False), (amex["paymentMethod"]["id"], True)]
    assert await count(runtime, payment_methods) == 2


async def test_payment_method_token_must_be_a_pm_id(gql: Any, runtime: Any) -> None:
    token = (await register(gql))["token"]
    for bad in ("tok_visa", "4242424242424242", "", "pm_"):
        payload = (await gql.data(PM_ADD, {"token": bad}, token=token))["paymentMethodAdd"]
        assert codes(payload) == [("INVALID_INPUT", ["providerToken"])]
        assert payload["paymentMethod"] is None
    assert await count(runtime, payment_methods) == 0


async def test_address_and_payment_mutations_need_a_user(gql: Any) -> None:
    for query, variables in ((ADDRESS_ADD, {"input": HOME}),
                             (ADDRESS_REMOVE, {"id": encode_id("Address", 1)}),
                             (PM_ADD, {"token": "pm_card_visa"})):
        body = await gql(query, variables)
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


# ---------------------------------------------------------------- node(id:)
async def test_node_visibility(gql: Any, runtime: Any) -> None:
    ann = await register(gql)
    bob = await register(gql)
    admin = await make_account(runtime, "ADMIN")
    seller = await register(gql, accountType="SELLER", sellerDisplayName="Shop")
    address = (await gql.data(ADDRESS_ADD, {"input": HOME},
                              token=ann["token"]))["addressAdd"]["address"]
    method = (await gql.data(PM_ADD, {"token": "pm_card_visa"},
                             token=ann["token"]))["paymentMethodAdd"]["paymentMethod"]
    user_id = ann["user"]["id"]

    async def node(node_id: str, token: str | None) -> Any:
        return (await gql.data(NODE, {"id": node_id}, token=token))["node"]

    mine = await node(user_id, ann["token"])
    assert (mine["__typename"], mine["addresses"], mine["paymentMethods"]) == (
        "User", [{"id": address["id"]}], [{"id": method["id"]}])
    as_admin = await node(user_id, admin.token)
    assert as_admin["addresses"] == [{"id": address["id"]}]
    assert await node(user_id, bob["token"]) is None
    assert await node(user_id, None) is None

    assert (await node(address["id"], ann["token"]))["city"] == "Los Angeles"
    assert (await node(address["id"], admin.token))["__typename"] == "Address"
    assert await node(address["id"], bob["token"]) is None
    assert await node(address["id"], None) is None

    assert (await node(method["id"], ann["token"]))["last4"] == "4242"
    assert await node(method["id"], bob["token"]) is None

    shop = seller["user"]["seller"]
    assert (await node(shop["id"], None)) == {"__typename": "Seller", "id": shop["id"],
                                              "displayName": "Shop"}
    assert await node(encode_id("Address", 999), ann["token"]) is None


async def test_seller_products_come_from_the_catalogue(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    active = await make_product(runtime, seller.seller_id, name="Lamp")
    await make_product(runtime, seller.seller_id, status="DRAFT")
    body = await gql.data("""query($id: ID!) { node(id: $id) { ... on Seller {
        displayName products(first: 5) { totalCount edges { node { id name } } } } } }""",
                          {"id": encode_id("Seller", seller.seller_id)})
    products = body["node"]["products"]
    assert products["totalCount"] == 1
    assert [e["node"]["id"] for e in products["edges"]] == [encode_id("Product", active.id)]
