"""Builds the strawberry Schema from the feature roots, with the protection extensions
configured from Settings."""
from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import DEFAULT_ALLOWED_OPERATION_TYPES
from strawberry.tools import merge_types
from strawberry.types.execution import ExecutionResult
from strawberry.types.graphql import OperationType

from schema.compiled import with_plans
from schema.operation import execute as execute_operation
from schema.protection import Protection, protection_extensions
from schema.shared_events import SharedEventExecutor
from settings import Settings

# Feature modules holding root Query / Mutation / Subscription classes, in the order their
# fields appear in the SDL.
FEATURES = ("schema.node", "schema.identity", "schema.catalog", "schema.seller_catalog",
            "schema.cart", "schema.checkout", "schema.promotions", "schema.orders",
            "schema.payment_faults", "schema.shipments", "schema.ledger", "schema.fulfilment",
            "schema.live", "schema.analytics", "schema.admin")


# Feature modules whose types the schema must know even when only reachable through the Node
# interface (their NODE_TYPES and EXTRA_TYPES lists).
TYPE_MODULES = ("schema.identity", "schema.catalog", "schema.cart", "schema.checkout",
                "schema.promotions", "schema.loyalty", "schema.orders", "schema.payments",
                "schema.shipments")


def _named_types() -> list[type]:
    types: list[type] = []
    for name in TYPE_MODULES:
        module = importlib.import_module(name)
        types.extend(getattr(module, "NODE_TYPES", ()))
        types.extend(getattr(module, "EXTRA_TYPES", ()))
    return types


def _roots(kind: str) -> tuple[type, ...]:
    found = []
    for feature in FEATURES:
        module = importlib.import_module(feature)
        root = getattr(module, kind, None)
        if root is not None:
            found.append(root)
    return tuple(found)


def _merged(kind: str) -> Any:
    roots = _roots(kind)
    if not roots:
        return None
    return merge_types(kind, roots) if len(roots) > 1 else roots[0]


class MarketplaceSchema(strawberry.Schema):
    """Errors are logged once, by schema.protection.Protection: unexpected faults at ERROR
    with the request id; rejections and business errors are the client's, not logged."""

    def process_errors(self, errors: list[Any], execution_context: Any = None) -> None:
        return None

    async def execute(self, query: str | None, variable_values: dict[str, Any] | None = None,
                      context_value: Any = None, root_value: Any = None,
                      operation_name: str | None = None,
                      allowed_operation_types: Iterable[OperationType] | None = None,
                      operation_extensions: dict[str, Any] | None = None) -> ExecutionResult:
        """The protection steps called directly rather than through strawberry's extension
        runner (schema/operation.py), when Protection is the only extension."""
        extensions = self.get_extensions()
        allowed = (DEFAULT_ALLOWED_OPERATION_TYPES if allowed_operation_types is None
                   else allowed_operation_types)
        if len(extensions) != 1 or type(extensions[0]) is not Protection:
            return await super().execute(query, variable_values, context_value, root_value,
                                         operation_name, allowed, operation_extensions)
        return await execute_operation(
            self, extensions, query, variable_values=variable_values,
            context_value=context_value, root_value=root_value, operation_name=operation_name,
            allowed_operation_types=allowed, operation_extensions=operation_extensions)


def build_schema(settings: Settings) -> strawberry.Schema:
    return MarketplaceSchema(
        query=_merged("Query"),
        mutation=_merged("Mutation"),
        subscription=_merged("Subscription"),
        types=_named_types(),  # reachable only through node(id:)
        extensions=protection_extensions(settings),
        # one execution per group and event; queries from compiled plans (schema/compiled/)
        execution_context_class=with_plans(SharedEventExecutor, settings.compiled_execution,
                                           settings.document_cache_size),
        config=StrawberryConfig(
            batching_config={"max_operations": settings.max_batch_operations},
            disable_field_suggestions=not settings.introspection,
        ),
    )
