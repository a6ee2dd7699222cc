"""Compiled execution of queries (docs/architecture.md, "How a query is executed").

CompiledExecutor runs a QUERY from its cached plan (schema/compiled/plan.py): plain
attributes are read without a resolver call or a GraphQLResolveInfo, resolvers get a real
info, and asynchronous results are gathered level by level as graphql-core gathers them, so
dataloaders batch the same. It handles the success case only: if a resolver raises or a value
would be a field error, its partial result is dropped and graphql-core's standard execution
runs the whole operation (queries are reads), so errors, paths and null propagation are
exactly graphql-core's. Mutations and subscriptions always take the standard path."""
from __future__ import annotations

import asyncio
import inspect
from typing import Any, Awaitable

from graphql import GraphQLObjectType, OperationType
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.amounts import warnings_mark, warnings_reset
from schema.compiled.plan import Compiler, FieldPlan, ObjectPlan, PlanCache

_FAILED: Any = object()  # the compiled attempt raised


class CompiledExecutor(StrawberryGraphQLCoreExecutionContext):
    """The schema's execution context; `plans` is None when COMPILED_EXECUTION is off."""

    plans: PlanCache | None = None

    def execute_operation(self, serially: bool | None = None) -> Any:
        plans = self.plans
        if (plans is None or serially is not None
                or self.operation.operation is not OperationType.QUERY
                or (self.middleware_manager is not None and self.middleware_manager.middlewares)
                or self.abort_signal is not None
                or self.hooks is not None):
            return super().execute_operation(serially)
        mark = warnings_mark(self.context_value)
        try:
            data = self.run_object(plans.root(self), self.root_value, None)
        except Exception:
            data = _FAILED  # re-run outside this block: no chained context on its errors
        if data is _FAILED:
            return self._standard(mark)
        if not self.is_awaitable(data):
            return self.build_response(data)
        return self._finish(data, mark)

    async def _finish(self, data: Awaitable[dict[str, Any]], mark: int) -> Any:
        try:
            result = await data
        except Exception:
            result = _FAILED
        if result is _FAILED:
            standard = self._standard(mark)
            return await standard if self.is_awaitable(standard) else standard
        return self.build_response(result)

    def _standard(self, mark: int) -> Any:
        """graphql-core's own execution of the whole operation (after a compiled attempt)."""
        warnings_reset(self.context_value, mark)
        if self.plans is not None:
            self.plans.fallbacks += 1
        return super().execute_operation(None)

    # --- runtime used by the completers (schema/compiled/complete.py)

    def subplan(self, field: FieldPlan, type_: GraphQLObjectType) -> ObjectPlan:
        found = field.subplans.get(type_)
        if found is None:
            found = field.subplans[type_] = Compiler(self).sub(field, type_)
        return found

    def run_object(self, plan: ObjectPlan, source: Any, path: Any) -> Any:
        """One object's fields: a dict, or an awaitable of it when some field is async."""
        data: dict[str, Any] = {}
        pending: list[str] = []
        is_awaitable = self.is_awaitable
        type_name = plan.type_name
        try:
            for field in plan.fields:
                key = field.key
                if field.typename:
                    data[key] = type_name
                    continue
                field_path = Path(path, key, type_name) if field.needs_path else None
                if field.resolve is None:  # an attribute, or a resolver called directly
                    info = self.build_resolve_info(
                        field.field_def, field.nodes, plan.type, field_path  # type: ignore
                    ) if field.needs_info else None
                    if field.attr is not None:
                        value = getattr(source, field.attr)
                    else:
                        value = field.direct(source, info)  # type: ignore[misc]
                        if is_awaitable(value):
                            data[key] = self._completed_later(field, value, field_path, info)
                            pending.append(key)
                            continue
                else:
                    info = self.build_resolve_info(
                        field.field_def, field.nodes, plan.type, field_path)  # type: ignore
                    args = field.args
                    if args is None:
                        args = get_argument_values(
                            field.field_def, field.nodes[0], self.variable_values)  # type: ignore
                    value = field.resolve(source, info, **args)
                    if is_awaitable(value):
                        data[key] = self._completed_later(field, value, field_path, info)
                        pending.append(key)
                        continue
                completed = field.complete(self, field, value, field_path, info)  # type: ignore
                if is_awaitable(completed):
                    pending.append(key)
                data[key] = completed
        except Exception:
            self.discard([data[key] for key in pending])
            raise
        if not pending:
            return data
        return self._gathered_object(data, pending)

    async def _completed_later(self, field: FieldPlan, value: Any, path: Any,
                               info: Any) -> Any:
        completed = field.complete(self, field, await value, path, info)  # type: ignore
        return await completed if self.is_awaitable(completed) else completed

    async def _gathered_object(self, data: dict[str, Any], pending: list[str]) -> Any:
        if len(pending) == 1:
            data[pending[0]] = await data[pending[0]]
            return data
        for key, value in zip(pending, await _gather(data[k] for k in pending), strict=True):
            data[key] = value
        return data

    async def gathered_list(self, results: list[Any], pending: list[int]) -> list[Any]:
        if len(pending) == 1:
            results[pending[0]] = await results[pending[0]]
            return results
        for index, value in zip(pending, await _gather(results[i] for i in pending),
                                strict=True):
            results[index] = value
        return results

    @staticmethod
    def discard(awaitables: list[Any]) -> None:
        """Close the coroutines of an abandoned attempt that never started, with those they
        were given (so no resolver coroutine is left never awaited)."""
        for awaitable in awaitables:
            if isinstance(awaitable, (list, tuple)):
                CompiledExecutor.discard(list(awaitable))
            elif isinstance(awaitable, dict):
                CompiledExecutor.discard(list(awaitable.values()))
            elif asyncio.iscoroutine(awaitable) and \
                    inspect.getcoroutinestate(awaitable) == inspect.CORO_CREATED:
                frame = getattr(awaitable, "cr_frame", None)
                CompiledExecutor.discard(list(frame.f_locals.values()) if frame else [])
                awaitable.close()


async def _gather(awaitables: Any) -> list[Any]:
    """Like graphql-core's gather, but on a failure the siblings run to their end instead of
    being cancelled: a cancelled task would cancel a dataloader future the standard re-run
    then finds in the loader's cache."""
    results = await asyncio.gather(*awaitables, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results
