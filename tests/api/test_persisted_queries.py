"""Automatic Persisted Queries over HTTP, POST and GET, in one process and shared through
Redis, and the persisted-only mode (docs/rules.md, "Documents and persisted queries")."""
from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any, AsyncIterator

import httpx

from tests.support.services import REDIS_URL

QUERY = "{ products(first: 3) { edges { node { id } } } }"
OTHER = "{ __typename }"
MUTATION = "mutation { __typename }"


def sha(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def persisted(query: str, digest: str | None = None) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest or sha(query)}}


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


@contextlib.asynccontextmanager
async def http_to(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def post(http: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await http.post("/graphql", json=body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def get(http: httpx.AsyncClient, query: str | None = None,
              **params: Any) -> httpx.Response:
    encoded = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()}
    if query is not None:
        encoded["query"] = query
    return await http.get("/graphql", params=encoded, headers={"Accept": "application/json"})


async def test_a_hash_is_registered_with_its_document_then_runs_alone(app: Any) -> None:
    async with http_to(app) as http:
        missing = await post(http, extensions=persisted(QUERY))
        assert missing["errors"][0]["message"] == "PersistedQueryNotFound"
        assert codes(missing) == ["PERSISTED_QUERY_NOT_FOUND"] and missing["data"] is None
        first = await post(http, query=QUERY, extensions=persisted(QUERY))
        assert first["data"] == {"products": {"edges": []}}
        again = await post(http, extensions=persisted(QUERY))
        assert again["data"] == first["data"]
        assert again["extensions"]["cost"]["requestedQueryCost"] == 10


async def test_get_runs_a_registered_query_by_its_hash(app: Any) -> None:
    varied = "query Page($n: Int) { products(first: $n) { totalCount } }"
    async with http_to(app) as http:
        assert codes(await post(http, query=varied, extensions=persisted(varied))) == []
        response = await get(http, extensions=persisted(varied), variables={"n": 2},
                             operationName="Page")
        assert response.status_code == 200, response.text
        assert response.json()["data"] == {"products": {"totalCount": 0}}
        unknown = await get(http, extensions=persisted(OTHER))
        assert codes(unknown.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
        # A mutation registered over POST still does not run over GET.
        assert (await post(http, query=MUTATION, extensions=persisted(MUTATION)))["data"]
        refused = await get(http, extensions=persisted(MUTATION))
        assert refused.status_code == 400


async def test_a_hash_that_is_not_the_documents_is_refused(app: Any) -> None:
    async with http_to(app) as http:
        wrong = await post(http, query=QUERY, extensions=persisted(QUERY, sha(OTHER)))
        assert codes(wrong) == ["QUERY_REJECTED"] and wrong["data"] is None
        # nothing was registered under either hash
        assert codes(await post(http, extensions=persisted(OTHER))) == [
            "PERSISTED_QUERY_NOT_FOUND"]
        bad = await post(http, extensions={"persistedQuery": {"version": 2,
                                                              "sha256Hash": sha(QUERY)}})
        assert codes(bad) == ["QUERY_REJECTED"]
        bad = await post(http, extensions={"persistedQuery": {"version": 1, "sha256Hash": "x"}})
        assert codes(bad) == ["QUERY_REJECTED"]


async def test_registrations_are_shared_through_redis(make_app: Any, redis_prefix: str) -> None:
    one = make_app(redis_url=REDIS_URL, redis_key_prefix=redis_prefix)
    other = make_app(redis_url=REDIS_URL, redis_key_prefix=redis_prefix)
    async with http_to(one) as first, http_to(other) as second:
        assert codes(await post(second, extensions=persisted(QUERY))) == [
            "PERSISTED_QUERY_NOT_FOUND"]
        assert codes(await post(first, query=QUERY, extensions=persisted(QUERY))) == []
        shared = await post(second, extensions=persisted(QUERY))
        assert shared["data"] == {"products": {"edges": []}}
        response = await get(second, extensions=persisted(QUERY))
        assert response.json()["data"] == {"products": {"edges": []}}


async def test_without_redis_registrations_stay_in_their_process(make_app: Any) -> None:
    one, other = make_app(), make_app()
    async with http_to(one) as first, http_to(other) as second:
        assert codes(await post(first, query=QUERY, extensions=persisted(QUERY))) == []
        assert codes(await post(first, extensions=persisted(QUERY))) == []
        assert codes(await post(second, extensions=persisted(QUERY))) == [
            "PERSISTED_QUERY_NOT_FOUND"]


async def test_persisted_only_runs_the_registered_documents(make_app: Any,
                                                            tmp_path: Path) -> None:
    (tmp_path / "catalogue.graphql").write_text(QUERY, encoding="utf-8")
    app = make_app(persisted_queries_only=True, persisted_queries_dir=str(tmp_path))
    async with http_to(app) as http:
        assert (await post(http, extensions=persisted(QUERY)))["data"] == {
            "products": {"edges": []}}
        assert (await post(http, query=QUERY))["data"] == {"products": {"edges": []}}
        assert (await get(http, extensions=persisted(QUERY))).json()["data"]
        for body in ({"query": OTHER}, {"query": OTHER, "extensions": persisted(OTHER)}):
            refused = await post(http, **body)
            assert codes(refused) == ["PERSISTED_QUERY_NOT_ALLOWED"] and refused["data"] is None
        # a client cannot register: the document is still unknown by its hash
        assert codes(await post(http, extensions=persisted(OTHER))) == [
            "PERSISTED_QUERY_NOT_FOUND"]
