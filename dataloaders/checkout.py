"""Loaders of the checkout feature: name -> batched read query in persistence/reads/."""
from __future__ import annotations

from typing import Any

LOADERS: dict[str, Any] = {}
