"""The admin audit trail: who did what to which account, when (docs/rules.md, "Sessions and
secrets"). Ids are plain integers, not foreign keys: the trail outlives the rows it names."""
from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table, Text

from persistence.tables.base import metadata
from persistence.types import UTCDateTime

admin_audit_log = Table(
    "admin_audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("actor_user_id", Integer, nullable=False),
    Column("action", String(40), nullable=False),
    Column("target_user_id", Integer, nullable=True, index=True),
    Column("details", Text, nullable=False),  # a JSON object of strings
    Column("created_at", UTCDateTime, nullable=False),
)
