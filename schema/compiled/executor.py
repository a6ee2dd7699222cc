"""Compiled execution of queries (docs/architecture.md, "How a query is executed").

CompiledExecutor runs a QUERY from its cached plan (schema/compiled/plan.py): plain
attributes are read without a resolver call or a GraphQLResolveInfo, resolvers get a real
info, and the awaitables resolvers return are waited on by one driver (schema/compiled/
drive.py: loader futures without a task, coroutines in their own), so dataloaders batch as
under graphql-core. It handles the success case only: if a resolver raises or a value would
be a field error, its partial result is dropped and graphql-core's standard execution runs
the whole operation (queries are reads), so errors, paths and null propagation are exactly
graphql-core's. Mutations and subscriptions always take the standard path."""
from __future__ import annotations

from typing import Any

from graphql import GraphQLObjectType, GraphQLResolveInfoHelpers, OperationType
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.amounts import warnings_mark, warnings_reset
from schema.compiled.drive import Driver, Pending, close_unstarted
from schema.compiled.plan import Compiler, FieldPlan, ObjectPlan, PlanCache

_FAILED: Any = object()  # the compiled attempt raised


def _finished(*_: Any) -> Any:
    raise RuntimeError("this execution has finished")


_FINISHED = GraphQLResolveInfoHelpers(gather=_finished, track=_finished)


class LazyResolveInfo:
    """The GraphQLResolveInfo of a field resolved on the compiled path, built on first use:
    most resolvers read only `info.context` (the loaders), which is at hand."""

    __slots__ = ("context", "_executor", "_field", "_parent", "_path", "_info")

    def __init__(self, executor: Any, field: FieldPlan, parent: Any, path: Any) -> None:
        self.context = executor.context_value
        self._executor, self._field, self._parent, self._path = executor, field, parent, path
        self._info: Any = None

    def __getattr__(self, name: str) -> Any:
        info = self._info
        if info is None:
            field = self._field
            info = self._info = self._executor.build_resolve_info(
                field.field_def, field.nodes, self._parent, self._path)
        return getattr(info, name)


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
        self.later: list[Pending] = []  # awaitables registered by the completers
        try:
            data = self.run_object(plans.root(self), self.root_value, None)
        except Exception:
            close_unstarted(self.later)
            data = _FAILED  # re-run outside this block: no chained context on its errors
        if data is _FAILED:
            return self._standard(mark)
        if not self.later:
            return self._response(data)
        return self._finish(data, mark)

    async def _finish(self, data: dict[str, Any], mark: int) -> Any:
        try:
            await Driver(self).run()
        except Exception:
            data = _FAILED
        if data is _FAILED:
            standard = self._standard(mark)
            return await standard if self.is_awaitable(standard) else standard
        return self._response(data)

    def _response(self, data: dict[str, Any]) -> Any:
        """The result of a compiled run. graphql-core's context holds its own bound methods
        (`async_helpers`: a reference cycle that would leave this context and all it reaches,
        the request's loaders and rows included, to the garbage collector); nothing runs on
        it after this, so the cycle is broken here (docs/architecture.md, "Memory: no
        reference cycles per request")."""
        self.async_helpers = _FINISHED
        return self.build_response(data)

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

    def run_object(self, plan: ObjectPlan, source: Any, path: Any) -> dict[str, Any]:
        """One object's fields; those whose value is awaited are filled in later (Driver)."""
        data: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        type_name = plan.type_name
        for field in plan.fields:
            key = field.key
            if field.typename:
                data[key] = type_name
                continue
            field_path = Path(path, key, type_name) if field.needs_path else None
            if field.resolve is None:  # an attribute, or a resolver called directly
                info = LazyResolveInfo(self, field, plan.type, field_path) \
                    if field.needs_info else None
                if field.attr is not None:
                    value = getattr(source, field.attr)
                elif field.direct.plain is not None:  # type: ignore[union-attr]
                    value = field.direct.plain(source)  # type: ignore[union-attr]
                else:
                    value = field.direct(source, info)  # type: ignore[misc]
            else:
                info = self.build_resolve_info(
                    field.field_def, field.nodes, plan.type, field_path)  # type: ignore
                args = field.args
                if args is None:
                    args = get_argument_values(
                        field.field_def, field.nodes[0], self.variable_values)  # type: ignore
                value = field.resolve(source, info, **args)
            if is_awaitable(value):
                data[key] = None
                self.complete_later(value, field.complete, data, key, field, field_path, info)
            else:
                data[key] = field.complete(self, field, value, field_path, info)  # type: ignore
        return data

    def complete_later(self, awaitable: Any, complete: Any, container: Any, key: Any,
                       field: FieldPlan, path: Any, info: Any) -> None:
        """container[key] = complete(awaited value), once the driver has it."""
        self.later.append(Pending(awaitable, complete, container, key, field, path, info))
