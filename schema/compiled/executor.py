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
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.amounts import warnings_mark, warnings_reset
from schema.compiled.awaitables import is_awaitable
from schema.compiled.drive import Driver, Pending, close_unstarted
from schema.compiled.plan import Compiler, FieldPlan, ObjectPlan, PlanCache

_FAILED: Any = object()  # the compiled attempt raised


def _finished(*_: Any) -> Any:
    raise RuntimeError("this execution has finished")


_FINISHED = GraphQLResolveInfoHelpers(gather=_finished, track=_finished)


class CompiledExecutor(StrawberryGraphQLCoreExecutionContext):
    """The schema's execution context; `plans` is None when COMPILED_EXECUTION is off."""

    plans: PlanCache | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_awaitable = is_awaitable  # remembered per class (schema/compiled/awaitables.py)

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
        """One object's fields (its plan's generated runner: schema/compiled/runner.py); those
        whose value is awaited are filled in later (Driver)."""
        return plan.run(self, source, path)

    def complete_later(self, awaitable: Any, complete: Any, container: Any, key: Any,
                       field: FieldPlan, path: Any, info: Any) -> None:
        """container[key] = complete(awaited value), once the driver has it."""
        self.later.append(Pending(awaitable, complete, container, key, field, path, info))
