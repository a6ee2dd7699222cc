"""Root fields of the seller feature."""
from __future__ import annotations
