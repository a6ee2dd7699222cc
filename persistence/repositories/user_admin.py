"""The admin side of uow.users (domain/identity/admin.py): role, disabling, session
revocation and the audit trail. A mixin of UserRepository, so use cases keep one repository
per feature."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update

from persistence.tables import admin_audit_log, refresh_tokens, users


class UserAdminMixin:
    conn: Any

    async def set_account_type(self, user_id: int, account_type: str) -> None:
        await self.conn.execute(update(users).where(users.c.id == user_id)
                                .values(account_type=account_type))

    async def disable_account(self, user_id: int, *, reason: str, now: datetime) -> int:
        return int((await self.conn.execute(
            update(users).where(users.c.id == user_id)
            .values(disabled_at=now, disabled_reason=reason,
                    token_version=users.c.token_version + 1)
            .returning(users.c.token_version))).scalar_one())

    async def enable_account(self, user_id: int) -> None:
        await self.conn.execute(update(users).where(users.c.id == user_id)
                                .values(disabled_at=None, disabled_reason=None))

    async def revoke_user_sessions(self, user_id: int, now: datetime) -> int:
        t = refresh_tokens.c
        result = await self.conn.execute(update(refresh_tokens).where(
            t.user_id == user_id, t.revoked_at.is_(None)).values(revoked_at=now))
        return int(result.rowcount or 0)

    async def add_audit_entry(self, *, actor_user_id: int, action: str,
                              target_user_id: int | None, details: dict[str, str],
                              now: datetime) -> None:
        await self.conn.execute(insert(admin_audit_log).values(
            actor_user_id=actor_user_id, action=action, target_user_id=target_user_id,
            details=json.dumps(details, sort_keys=True), created_at=now))
