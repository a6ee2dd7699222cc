"""The admin account operations, GraphQL side (docs/rules.md, "Sessions and secrets"):
adminSetUserRole, adminDisableUser, adminEnableUser, adminAuditLog and their types (use cases
in resolvers/admin.py). Admins only."""
from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, Awaitable, Callable, Optional

import strawberry
from strawberry.types import Info

from domain.identity.models import AuditEntry as DomainAuditEntry
from domain.identity.models import User as DomainUser
from domain.ids import encode_id
from resolvers import admin as resolve
from schema.calls import caller, context, mutate, query_errors, page_info
from schema.common import PageInfo, UserError
from schema.identity import AccountType, User


@strawberry.type
class AdminUserPayload:
    user: Optional[User] = None
    user_errors: list[UserError]


@strawberry.enum
class AuditAction(Enum):
    SET_ROLE = "SET_ROLE"
    DISABLE_USER = "DISABLE_USER"
    ENABLE_USER = "ENABLE_USER"


@strawberry.type
class AuditDetail:
    key: str = strawberry.field(description='e.g. "from", "to" (SET_ROLE) or "reason".')
    value: str


async def _user(info: Info, pk: Optional[int]) -> Optional[User]:
    if pk is None:
        return None
    user = await info.context.loaders.user_by_id.load(pk)
    return User.from_domain(user) if user is not None else None


@strawberry.type(description="One admin action on an account: who, what, to whom, when.")
class AuditEntry:
    id: strawberry.ID
    action: AuditAction
    actor_id: strawberry.ID = strawberry.field(description="The admin's User id.")
    target_id: Optional[strawberry.ID]
    details: list[AuditDetail]
    created_at: datetime
    _entry: strawberry.Private[DomainAuditEntry]

    @classmethod
    def from_domain(cls, entry: DomainAuditEntry) -> "AuditEntry":
        target = entry.target_user_id
        return cls(id=strawberry.ID(encode_id("AuditEntry", entry.id)),
                   action=AuditAction(entry.action),
                   actor_id=strawberry.ID(encode_id("User", entry.actor_user_id)),
                   target_id=strawberry.ID(encode_id("User", target)) if target else None,
                   details=[AuditDetail(key=k, value=v) for k, v in sorted(entry.details.items())],
                   created_at=entry.created_at, _entry=entry)

    @strawberry.field(description="The admin who acted; null if that account was deleted.")
    async def actor(self, info: Info) -> Optional[User]:
        return await _user(info, self._entry.actor_user_id)

    @strawberry.field(description="The account acted on; null if it was deleted.")
    async def target(self, info: Info) -> Optional[User]:
        return await _user(info, self._entry.target_user_id)


@strawberry.type
class AuditEntryEdge:
    cursor: str
    node: AuditEntry


@strawberry.type
class AuditEntryConnection:
    edges: list[AuditEntryEdge]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Any]]

    @strawberry.field
    async def total_count(self) -> int:
        return await self._count()  # type: ignore[no-any-return]


async def _changed(info: Info, change: Callable[..., Awaitable[DomainUser]],
                   *args: Any) -> AdminUserPayload:
    forget = context(info).runtime.auth.forget_account

    async def run() -> dict[str, Any]:
        return {"user": User.from_domain(await change(caller(info), forget, *args))}

    return await mutate(info, AdminUserPayload, run)


@strawberry.type
class Query:
    @strawberry.field(description="Admin only: the admin actions on accounts, newest first.")
    async def admin_audit_log(self, info: Info, first: Optional[int] = 20,
                              after: Optional[str] = None) -> AuditEntryConnection:
        with query_errors():
            listing = await resolve.audit_log(caller(info), first, after)
        page = listing.page
        return AuditEntryConnection(
            edges=[AuditEntryEdge(cursor=cursor, node=AuditEntry.from_domain(entry))
                   for entry, cursor in zip(page.items, page.cursors, strict=True)],
            page_info=page_info(page), _count=listing.count)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Admin only: sets a user's role; it applies from the "
                         "user's next request. A new SELLER gets a seller profile and ledger "
                         "account.")
    async def admin_set_user_role(self, info: Info, user_id: strawberry.ID,
                                  role: AccountType) -> AdminUserPayload:
        return await _changed(info, resolve.set_user_role, str(user_id), role.value)

    @strawberry.mutation(description="Admin only: disables an account. Its tokens stop "
                         "working on the next request and it cannot sign in.")
    async def admin_disable_user(self, info: Info, user_id: strawberry.ID,
                                 reason: str) -> AdminUserPayload:
        return await _changed(info, resolve.disable_user, str(user_id), reason)

    @strawberry.mutation(description="Admin only: enables a disabled account again; the user "
                         "signs in anew.")
    async def admin_enable_user(self, info: Info, user_id: strawberry.ID) -> AdminUserPayload:
        return await _changed(info, resolve.enable_user, str(user_id))
