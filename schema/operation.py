"""One HTTP operation through the schema, the protection steps called directly.

`strawberry.Schema.execute` runs each extension hook through its extension runner: per
operation four context managers, each building an exit stack and inspecting the hook
functions, which cost more than executing `{ __typename }` itself (docs/architecture.md,
"Where a request's time goes"). `execute` below does what `Schema.execute` does, step for step
(parse, operation type, validation, execution, result), with schema/protection.py's
`Protection` steps as plain calls in the places its hooks run. Execution itself still goes
through the schema (`Schema._execute_operation`: the schema's execution_context_class, its
graphql-core execute function and error processing).

schema/build.py's MarketplaceSchema.execute calls it when `Protection` is the schema's one
extension (tests add others: those schemas run strawberry's own `Schema.execute`). WebSocket
operations run `Schema.subscribe`, with the same steps as extension hooks.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import GraphQLError
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.schema.schema import (
    PreExecutionError,
    Schema,
    _coerce_error,
    _parse_operation_document,
    _run_validation,
)
from strawberry.types.execution import ExecutionResult
from strawberry.types.graphql import OperationType

from schema.protection import Protection


async def execute(schema: Schema, extensions: list[Any], query: str | None, *,
                  variable_values: dict[str, Any] | None, context_value: Any,
                  root_value: Any, operation_name: str | None,
                  allowed_operation_types: Iterable[OperationType],
                  operation_extensions: dict[str, Any] | None) -> ExecutionResult:
    """`Schema.execute` for a schema whose one extension is `Protection` (`extensions`: the
    instances `schema.get_extensions()` made for this operation)."""
    protection = extensions[0]
    assert len(extensions) == 1 and isinstance(protection, Protection)
    context = schema._create_execution_context(
        query=query, allowed_operation_types=allowed_operation_types,
        variable_values=variable_values, context_value=context_value, root_value=root_value,
        operation_name=operation_name, operation_extensions=operation_extensions)
    protection.execution_context = context
    results = schema.create_extensions_runner(context, [protection])  # get_results only
    try:
        protection.begin()
        try:
            result, final = await _run(schema, context, protection, results)
        except Exception as exc:
            coded = protection.coded_exception(exc)
            if isinstance(coded, (MissingQueryError, CannotGetOperationTypeError,
                                  InvalidOperationTypeError)):
                raise
            result = await schema._handle_execution_result(
                context, PreExecutionError(data=None, errors=[_coerce_error(coded)]), results)
            return result
        protection.ended()
    finally:
        protection.observe()
    if final:  # answered before execution
        return result
    return await schema._handle_execution_result(context, result, results,
                                                 skip_process_errors=True)


async def _run(schema: Schema, context: Any, protection: Protection,
               results: Any) -> tuple[Any, bool]:
    """Schema.execute's body inside its operation hook: (result, whether it is final)."""
    if not context.query and context.graphql_document is None:
        raise MissingQueryError
    protection.limits.before_parse()
    try:
        _parse_operation_document(context)
    except GraphQLError as error:
        context.pre_execution_errors = [error]
        protection.limits.after_parse()
        return await schema._handle_execution_result(
            context, PreExecutionError(data=None, errors=[error]), results), True
    except Exception as error:  # noqa: BLE001 - as strawberry answers it
        coerced = GraphQLError(str(error), original_error=error)
        context.pre_execution_errors = [coerced]
        protection.limits.after_parse()
        return await schema._handle_execution_result(
            context, PreExecutionError(data=None, errors=[coerced]), results), True
    protection.limits.after_parse()
    try:
        operation_type = context.operation_type
    except RuntimeError as error:
        raise CannotGetOperationTypeError(context.operation_name) from error
    if operation_type not in context.allowed_operations:
        raise InvalidOperationTypeError(operation_type)
    protection.limits.validate()
    _run_validation(context)
    if context.pre_execution_errors:
        return await schema._handle_execution_result(
            context, PreExecutionError(data=None, errors=context.pre_execution_errors),
            results), True
    await protection.before_execute()
    result = await schema._execute_operation(
        context, _NO_HOOKS, schema._get_middleware_manager([]),
        schema._get_execute_function(),
        schema._get_custom_context_kwargs(context.operation_extensions))
    protection.after_execute()
    return result, False


class _NoHooks:
    """An extension runner without extensions, for `Schema._execute_operation`'s one
    `executing()` context: the protection steps around it are called directly."""

    def executing(self) -> Any:
        return _NULL


class _Null:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *_: Any) -> None:
        return None


_NULL = _Null()
_NO_HOOKS: Any = _NoHooks()
