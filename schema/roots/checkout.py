"""Root fields of the checkout feature."""
from __future__ import annotations
