"""HTTP operations call the protection steps directly (schema/operation.py) instead of through
strawberry's extension runner; WebSocket operations still run them as extension hooks. Both
must answer alike: the same data, errors (codes, messages, paths), cost, and operation
metrics, for every kind of outcome."""
from __future__ import annotations

from typing import Any

import pytest
import strawberry
from strawberry.extensions.context import ExtensionContextManagerBase
from strawberry.http import process_result
from strawberry.types.graphql import OperationType

from schema.context import Context
from schema.protection import Protection

QUERY_ONLY = {OperationType.QUERY}
CASES = [
    ("{ __typename }", None, None),
    ("query Named { __typename }", None, "Named"),
    ("{ __typename ", None, None),  # syntax error
    ("{ noSuchField }", None, None),  # validation error
    ("{ products(first: 100000) { totalCount } }", None, None),  # over the page limit
    ("query P($n: Int) { products(first: $n) { totalCount } }", {"n": 5000}, None),
    ("query P($n: Int) { products(first: $n) { totalCount } }", {"n": "x"}, None),
    ("{ __schema { queryType { name } } }", None, None),
    ("query A { __typename } query B { __typename }", None, None),  # no operation name
    ("mutation { __typename }", None, None),  # not an allowed operation type here
    ("{ product(id: \"bm90LWFuLWlk\") { id name } }", None, None),
]


def _context(runtime: Any) -> Context:
    return Context(runtime, authorization=None, client_ip="127.0.0.1", request_id="fixed")


async def _answer(run: Any, runtime: Any, query: str, variables: Any, name: Any) -> Any:
    try:
        result = await run(query, variable_values=variables, context_value=_context(runtime),
                           operation_name=name, allowed_operation_types=QUERY_ONLY)
    except Exception as exc:  # the transport's refusals: raised alike
        return type(exc).__name__, str(exc)
    return process_result(result)


def _operations(runtime: Any) -> dict[tuple[str, str], float]:
    samples = {}
    for family in runtime.metrics.registry.collect():
        if family.name.startswith("graphql_operation"):
            for sample in family.samples:
                labels = tuple(sorted(sample.labels.items()))
                samples[(sample.name, str(labels))] = sample.value
    # Counts only: how long an operation took (its sum and buckets) is not comparable.
    return {k: v for k, v in samples.items()
            if not k[0].endswith(("_sum", "_bucket", "_created"))}


@pytest.mark.parametrize(("query", "variables", "name"), CASES)
async def test_the_direct_path_answers_as_the_extension_hooks_do(
        app: Any, runtime: Any, query: str, variables: Any, name: Any) -> None:
    schema = next(route.app for route in app.routes
                  if getattr(route, "path", None) == "/graphql" and hasattr(route, "methods")
                  ).schema

    async def hooks(*args: Any, **kwargs: Any) -> Any:  # strawberry's own Schema.execute
        return await strawberry.Schema.execute(schema, *args, **kwargs)

    before = _operations(runtime)
    direct = await _answer(schema.execute, runtime, query, variables, name)
    after_direct = _operations(runtime)
    generic = await _answer(hooks, runtime, query, variables, name)
    after_generic = _operations(runtime)

    assert direct == generic
    counted_direct = {k: v - before.get(k, 0) for k, v in after_direct.items()}
    counted_generic = {k: v - after_direct.get(k, 0) for k, v in after_generic.items()}
    assert {k: v for k, v in counted_direct.items() if v} == {
        k: v for k, v in counted_generic.items() if v}
    assert any(counted_direct.values())  # each operation was counted


async def test_http_operations_run_no_extension_hooks(app: Any, gql: Any,
                                                      monkeypatch: Any) -> None:
    entered = []
    original = ExtensionContextManagerBase.__init__

    def counting(self: Any, extensions: Any) -> None:
        entered.append(type(self).__name__)
        original(self, extensions)

    monkeypatch.setattr(ExtensionContextManagerBase, "__init__", counting)
    body = await gql.data("{ __typename }")
    assert body == {"__typename": "Query"}
    assert entered == []
    schema = next(route.app for route in app.routes
                  if getattr(route, "path", None) == "/graphql" and hasattr(route, "methods")
                  ).schema
    assert [type(e) for e in schema.get_extensions()] == [Protection]
