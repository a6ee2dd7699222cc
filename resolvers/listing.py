"""A list a resolver returns: one keyset page of domain items and its total count, run only
when a client asks for it (totalCount)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable, Generic, TypeVar

from dataloaders.queries import Page

T = TypeVar("T")


@dataclass(frozen=True)
class Listing(Generic[T]):
    page: Page[T]
    count: Callable[[], Awaitable[int]]
