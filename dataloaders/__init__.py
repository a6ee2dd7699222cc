"""The per-request read side: `Loaders` (batched relations and the non-batched reads of a
request) and the query values resolvers hand it (dataloaders/queries.py)."""
from __future__ import annotations

from dataloaders.loaders import Loaders

__all__ = ["Loaders"]
