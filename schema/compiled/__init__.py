"""Compiled execution of queries (docs/architecture.md, "How a query is executed")."""
from __future__ import annotations

from typing import Any

from schema.compiled.executor import CompiledExecutor
from schema.compiled.plan import PlanCache

__all__ = ["CompiledExecutor", "with_plans"]


def with_plans(executor_class: type[Any], enabled: bool, size: int) -> type[Any]:
    """A subclass of `executor_class` for one schema: its own bounded plan cache, or none
    (the standard path only) when COMPILED_EXECUTION is off."""
    return type(executor_class.__name__, (executor_class,),
                {"plans": PlanCache(size) if enabled else None,
                 "__module__": executor_class.__module__})
