"""A batched read's values plus related rows it read in the same statement (a join), for the
loaders to prime (dataloaders/__init__.py): a later `<loader>.load(key)` then costs nothing."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence


@dataclass(frozen=True)
class Primed:
    values: Sequence[Any]
    primes: dict[str, list[tuple[Any, Any]]] = field(default_factory=dict)  # loader: (key, value)
