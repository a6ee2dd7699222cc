"""Root fields of the cart feature."""
from __future__ import annotations
