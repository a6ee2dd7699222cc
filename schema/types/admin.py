"""GraphQL types of the admin account operations: the payload of adminSetUserRole /
adminDisableUser / adminEnableUser and the audit trail (adminAuditLog)."""
from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, Callable, Optional

import strawberry
from strawberry.types import Info

from domain.identity.models import AuditEntry as DomainAuditEntry
from domain.ids import encode_id
from schema.common import PageInfo, UserError
from schema.identity import User


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
