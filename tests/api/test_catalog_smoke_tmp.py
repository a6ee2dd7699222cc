from __future__ import annotations
from typing import Any
from tests.factories import make_account, make_product, make_category

Q = """query($first:Int,$after:String,$filter:ProductFilter,$sort:ProductSort){ products(first:$first, after:$after, filter:$filter, sort:$sort){ totalCount pageInfo{hasNextPage hasPreviousPage startCursor endCursor}
 edges{ cursor node{ id name priceRange{min{amount}} seller{displayName} category{name} images{url} availableForSale variants{sku quantityAvailable price{amount} product{name}} } } } }"""

async def test_smoke(gql: Any, runtime: Any, statements: Any) -> None:
    s = await make_account(runtime, "SELLER")
    c = await make_category(runtime)
    for i in range(5):
        await make_product(runtime, s.seller_id, prices=[100*i+1, 200], name=f"Wireless Headphones {i}", description="great sound", category_id=c)
    statements.keep_log = True
    statements.reset()
    body = await gql(Q, {"first": 3})
    print(body)
    print(statements.count)
    for l in statements.log: print(l[:200])
    body = await gql(Q, {"first": 3, "filter": {"search": "headphone"}, "sort": "RELEVANCE"})
    print(body)
    body = await gql(Q, {"first": 3, "after": body["data"]["products"]["pageInfo"]["endCursor"], "filter": {"search": "headphone"}, "sort": "RELEVANCE"})
    print(body)
    body = await gql(Q, {"first": 3, "after": "garbage"})
    print(body)
    assert 0
