"""Whether a value is awaitable, the answer for ordinary classes remembered per class
(docs/architecture.md, "How a query is executed").

graphql-core asks it of every resolved value. Strawberry's test answers at once for builtin
types and otherwise checks isinstance twice and looks for an `__await__` attribute, which is
most of its cost for the objects a page is made of (products, variants, edges, money). An
instance of a class is awaitable through its class (`await` looks `__await__` up on the type),
so for a class that is not a coroutine or generator type, has no `__await__` and resolves
attributes the default way, the answer "no" holds for all its instances and is remembered;
for a class with `__await__` (not a generator type), "yes" is."""
from __future__ import annotations

from types import CoroutineType, GeneratorType
from typing import Any, Awaitable, TypeGuard

from strawberry.execution import optimized_is_awaitable

_CLASSES_KEPT = 4096  # classes are few; a program making classes per request stops adding here
_never: set[type] = {type(None), bool, int, float, str, bytes, list, tuple, dict}
_always: set[type] = set()


def is_awaitable(value: Any) -> TypeGuard[Awaitable[Any]]:
    kind = type(value)
    if kind in _never:
        return False
    if kind in _always:
        return True
    if optimized_is_awaitable(value):
        if len(_always) < _CLASSES_KEPT and _awaitable_class(kind):
            _always.add(kind)
        return True
    if len(_never) < _CLASSES_KEPT and _ordinary(kind):
        _never.add(kind)
    return False


def _ordinary(kind: type) -> bool:
    return (not issubclass(kind, (CoroutineType, GeneratorType))
            and not hasattr(kind, "__await__") and not hasattr(kind, "__getattr__")
            and kind.__getattribute__ is object.__getattribute__)


def _awaitable_class(kind: type) -> bool:
    """Every instance is awaitable: the class has `__await__` (futures, tasks, coroutines,
    `later`'s objects); not a generator type, whose instances differ by their code's flags."""
    return hasattr(kind, "__await__") and not issubclass(kind, GeneratorType)
