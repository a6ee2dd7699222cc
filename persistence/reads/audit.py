"""The admin audit trail, newest first, in keyset pages (persistence/reads/pagination.py)."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.identity.models import AuditEntry
from persistence.reads.pagination import Ordering, Page, SortKey, fetch_page
from persistence.tables import admin_audit_log

NEWEST = Ordering("AUDIT_NEWEST", (SortKey(admin_audit_log.c.id, True, int),))


def to_audit_entry(row: Any) -> AuditEntry:
    details = json.loads(row.details)
    return AuditEntry(id=row.id, actor_user_id=row.actor_user_id, action=row.action,
                      target_user_id=row.target_user_id,
                      details={str(k): str(v) for k, v in details.items()},
                      created_at=row.created_at)


async def audit_page(conn: AsyncConnection, first: int,
                     after: str | None) -> Page[AuditEntry]:
    return await fetch_page(conn, select(*admin_audit_log.c), NEWEST, first=first,
                            after=after, item=to_audit_entry)


async def audit_count(conn: AsyncConnection) -> int:
    return int((await conn.execute(select(func.count()).select_from(admin_audit_log)))
               .scalar_one())
