"""The GraphQL schema. `from schema import schema` gives the strawberry Schema built with the
settings of the environment; `create_app` builds its own with the settings it is given."""
from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "schema":
        from schema.build import build_schema
        from settings import Settings

        value = build_schema(Settings.from_env())
        globals()["schema"] = value
        return value
    raise AttributeError(name)
