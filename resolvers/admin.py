"""Resolvers of the admin account operations: adminSetUserRole, adminDisableUser,
adminEnableUser (domain/identity/admin.py, one transaction each, then the account's cached
state is dropped so the change applies on its next request) and adminAuditLog."""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional

import strawberry
from strawberry.types import Info

from domain.identity import admin
from domain.identity.models import User as DomainUser
from domain.ids import decode_pk
from persistence.reads.audit import audit_count, audit_page
from resolvers.common import ctx, mutate, viewer
from resolvers.pagination import counter, keyset_page, page_info
from schema.types.admin import (
    AdminUserPayload,
    AuditEntry,
    AuditEntryConnection,
    AuditEntryEdge,
)
from schema.identity import AccountType, User
from adapters.security.account_check import account_states


async def _change(info: Info, user_id: strawberry.ID,
                  change: Callable[[Any, int, Optional[int]], Awaitable[DomainUser]]
                  ) -> AdminUserPayload:
    me = await viewer(info, "ADMIN")
    runtime = ctx(info).runtime
    target = decode_pk(str(user_id), "User")

    async def run() -> dict[str, Any]:
        user = await runtime.transaction(lambda uow: change(uow, me.user_id, target))
        await account_states(runtime).forget(user.id)
        return {"user": User.from_domain(user)}

    return await mutate(info, AdminUserPayload, run)


async def admin_set_user_role(info: Info, user_id: strawberry.ID,
                              role: AccountType) -> AdminUserPayload:
    return await _change(info, user_id, lambda uow, actor, target: admin.set_role(
        uow, actor_id=actor, user_id=target, role=role.value))


async def admin_disable_user(info: Info, user_id: strawberry.ID,
                             reason: str) -> AdminUserPayload:
    return await _change(info, user_id, lambda uow, actor, target: admin.disable_user(
        uow, actor_id=actor, user_id=target, reason=reason))


async def admin_enable_user(info: Info, user_id: strawberry.ID) -> AdminUserPayload:
    return await _change(info, user_id, lambda uow, actor, target: admin.enable_user(
        uow, actor_id=actor, user_id=target))


async def admin_audit_log(info: Info, first: Optional[int],
                          after: Optional[str]) -> AuditEntryConnection:
    await viewer(info, "ADMIN")
    page = await keyset_page(info, lambda conn, size, cursor: audit_page(conn, size, cursor),
                             first, after)
    return AuditEntryConnection(
        edges=[AuditEntryEdge(cursor=cursor, node=AuditEntry.from_domain(entry))
               for entry, cursor in zip(page.items, page.cursors, strict=True)],
        page_info=page_info(page), _count=counter(info, audit_count))
