"""/metrics in the Prometheus text format: operations counted and timed per operation name and
type, HTTP requests per route, one registry per app."""
from __future__ import annotations

from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from app import create_app
from adapters.metrics import MAX_OPERATION_NAMES, Metrics
from tests.support.client import GraphQLClient

SHOP_HOME = "query ShopHome { __typename }"
PING = "mutation Ping { __typename }"


async def scrape(gql: GraphQLClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await gql.http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def operation(name: str, kind: str = "query") -> tuple[tuple[str, str], ...]:
    return (("operation_name", name), ("operation_type", kind))


async def test_operations_are_counted_and_timed_by_name_and_type(gql: GraphQLClient) -> None:
    await gql.data(SHOP_HOME)
    await gql.data(SHOP_HOME)
    await gql.data("{ __typename }")
    await gql("query Broken { noSuchField }")
    await gql("{ unparsable")
    batch = await gql.http.post("/graphql", json=[{"query": SHOP_HOME}] * 3)
    assert batch.status_code == 200
    samples = await scrape(gql)

    assert samples[("graphql_operations_total", operation("ShopHome"))] == 5
    assert samples[("graphql_operation_duration_seconds_count", operation("ShopHome"))] == 5
    assert samples[("graphql_operation_duration_seconds_sum", operation("ShopHome"))] > 0
    assert ("graphql_operation_errors_total", operation("ShopHome")) not in samples
    assert samples[("graphql_operations_total", operation("anonymous"))] == 1
    assert samples[("graphql_operation_errors_total", operation("Broken"))] == 1
    assert samples[("graphql_operation_errors_total", operation("anonymous", "unknown"))] == 1
    posts = (("method", "POST"), ("path", "/graphql"), ("status", "200"))
    assert samples[("http_requests_total", posts)] == 6
    timed = (("method", "POST"), ("path", "/graphql"))
    assert samples[("http_request_duration_seconds_count", timed)] == 6


async def test_mutations_and_rejections_are_labelled(gql: GraphQLClient) -> None:
    if (await gql.data("{ __schema { mutationType { name } } }"))["__schema"]["mutationType"]:
        await gql.data(PING)
    deep = "query Deep " + "{ a " * 20 + "}" * 20
    await gql(deep)
    await gql.http.get("/nowhere")
    samples = await scrape(gql)
    if ("graphql_operations_total", operation("Ping", "mutation")) in samples:
        assert samples[("graphql_operations_total", operation("Ping", "mutation"))] == 1
    assert samples[("graphql_operation_errors_total", operation("Deep"))] == 1
    unrouted = (("method", "GET"), ("path", "other"), ("status", "404"))
    assert samples[("http_requests_total", unrouted)] == 1


async def test_each_app_has_its_own_registry(gql: GraphQLClient, app: Any,
                                             settings: Any) -> None:
    await gql.data(SHOP_HOME)
    other = create_app(settings)
    try:
        assert other.state.runtime.metrics is not app.state.runtime.metrics
        transport = httpx.ASGITransport(app=other)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            other_gql = GraphQLClient(http)
            assert ("graphql_operations_total", operation("ShopHome")) not in await scrape(
                other_gql)
            await other_gql.data(SHOP_HOME)
            assert (await scrape(other_gql))[
                ("graphql_operations_total", operation("ShopHome"))] == 1
    finally:
        await other.state.runtime.db.dispose()
    assert (await scrape(gql))[("graphql_operations_total", operation("ShopHome"))] == 1


async def test_openmetrics_is_served_when_asked_for(gql: GraphQLClient) -> None:
    await gql.data(SHOP_HOME)
    response = await gql.http.get("/metrics", headers={
        "Accept": "application/openmetrics-text; version=1.0.0"})
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.rstrip().endswith("# EOF")


def test_operation_name_labels_are_bounded() -> None:
    metrics = Metrics()
    assert metrics.operation_name_label(None) == "anonymous"
    assert metrics.operation_name_label("not a name!") == "other"
    for i in range(MAX_OPERATION_NAMES):
        assert metrics.operation_name_label(f"Op{i}") == f"Op{i}"
    assert metrics.operation_name_label("OneTooMany") == "other"
    assert metrics.operation_name_label("Op7") == "Op7"
