"""Root fields of the catalog feature."""
from __future__ import annotations
