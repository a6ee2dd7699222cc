"""The floor the GraphQL layer is measured against (issue 10, item 6): a plain ASGI app over an
asyncpg pool that sends the SAME SQL statements our server sends for the catalogue page
(`bench.statements.PAGE`: products(first: 20) with variants, price, quantityAvailable, images
and totalCount; captured from the app's statement log) and answers the SAME JSON; plus a raw
route answering a small JSON, the floor for `{ __typename }`.

    BENCH_PG_DSN=postgresql://postgres@127.0.0.1:5432/bench \\
        .venv/bin/uvicorn bench.plain_app:app --no-access-log --log-level warning

POST /page  the catalogue page (any body);  GET or POST /raw  {"ok":true}
"""
from __future__ import annotations

import json
import os
from typing import Any, Awaitable, Callable

import asyncpg

from domain.ids import encode_id

FIRST = 20
PAGE_SQL = (
    "SELECT products.id, products.seller_id, products.category_id, products.slug, "
    "products.name, products.description, products.status, products.currency, "
    "products.min_price_minor, products.max_price_minor, products.has_history, "
    "products.created_at, products.updated_at, products.created_at AS _sort0, "
    "products.id AS _sort1 \nFROM products \nWHERE products.status IN ($2::VARCHAR) "
    "ORDER BY products.created_at DESC, products.id DESC \n LIMIT $1::INTEGER")
COUNT_SQL = ("SELECT count(*) AS count_1 \nFROM products \n"
             "WHERE products.status IN ($1::VARCHAR)")
_IDS = ", ".join(f"${i}::INTEGER" for i in range(1, FIRST + 1))
VARIANTS_SQL = (
    "SELECT variants.id, variants.product_id, variants.sku, variants.name, "
    "variants.price_minor, variants.position, products.currency, "
    "stock.variant_id AS stock_variant_id, stock.total AS stock_total, "
    "stock.available AS stock_available, stock.reserved AS stock_reserved, "
    "stock.allocated AS stock_allocated, stock.low_stock_threshold AS stock_threshold \n"
    "FROM variants JOIN products ON products.id = variants.product_id LEFT OUTER JOIN stock "
    f"ON stock.variant_id = variants.id \nWHERE variants.product_id IN ({_IDS}) "
    "ORDER BY variants.position, variants.id")
IMAGES_SQL = (
    "SELECT product_images.id, product_images.product_id, product_images.url, "
    "product_images.alt_text, product_images.position \nFROM product_images \n"
    f"WHERE product_images.product_id IN ({_IDS}) "
    "ORDER BY product_images.position, product_images.id")
STATEMENTS = (PAGE_SQL, COUNT_SQL, VARIANTS_SQL, IMAGES_SQL)
# What our server adds beside `data` (extensions.cost), given by bench/run.py.
EXTENSIONS = json.loads(os.environ["BENCH_EXTENSIONS"]) if os.environ.get(
    "BENCH_EXTENSIONS") else None
RAW = b'{"ok":true}'

Send = Callable[[dict[str, Any]], Awaitable[None]]


def amount(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


async def catalogue_page(conn: Any, first: int = FIRST) -> dict[str, Any]:
    """The page's four statements on one connection, no transaction (as a plain app would),
    mapped to the GraphQL response of bench.statements.PAGE."""
    rows = await conn.fetch(PAGE_SQL, first + 1, "ACTIVE")
    rows = rows[:first]
    total = await conn.fetchval(COUNT_SQL, "ACTIVE")
    ids = [r["id"] for r in rows]
    padded = ids + [ids[-1] if ids else 0] * (FIRST - len(ids))  # the IN list has FIRST slots
    variants: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    images: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for v in await conn.fetch(VARIANTS_SQL, *padded):
        variants[v["product_id"]].append({
            "id": encode_id("ProductVariant", v["id"]), "sku": v["sku"],
            "price": {"amount": amount(v["price_minor"]), "currency": v["currency"]},
            "quantityAvailable": v["stock_available"] or 0})
    for i in await conn.fetch(IMAGES_SQL, *padded):
        images[i["product_id"]].append({"url": i["url"]})
    return {"data": {"products": {"totalCount": total, "edges": [
        {"node": {"id": encode_id("Product", r["id"]), "name": r["name"],
                  "variants": variants[r["id"]], "images": images[r["id"]]}} for r in rows]}}}


class PlainApp:
    def __init__(self, dsn: str | None = None, pool_size: int = 16) -> None:
        self.dsn = dsn or os.environ.get("BENCH_PG_DSN",
                                         "postgresql://postgres@127.0.0.1:5432/bench")
        self.pool_size = pool_size
        self.pool: Any = None
        self.extensions: Any = EXTENSIONS  # what our server adds beside `data`

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    self.pool = await asyncpg.create_pool(self.dsn, min_size=self.pool_size,
                                                          max_size=self.pool_size)
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await self.pool.close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        more = True
        while more:  # drain the request body
            more = (await receive()).get("more_body", False)
        if scope["path"] == "/page":
            async with self.pool.acquire() as conn:
                answer = await catalogue_page(conn)
                if self.extensions is not None:
                    answer["extensions"] = self.extensions
                body = json.dumps(answer, separators=(",", ":")).encode()
        elif scope["path"] == "/raw":
            body = RAW
        else:
            await _answer(send, 404, b'{"error":"not found"}')
            return
        await _answer(send, 200, body)


async def _answer(send: Send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


app = PlainApp()
