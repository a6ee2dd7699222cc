"""Root fields of the admin account operations (docs/rules.md, "Sessions and secrets"): set a
user's role, disable and re-enable an account, read the audit trail. Admins only."""
from __future__ import annotations

from typing import Optional

import strawberry
from strawberry.types import Info

from resolvers import admin as resolve
from schema.types.admin import AdminUserPayload, AuditEntryConnection
from schema.identity import AccountType


@strawberry.type
class Query:
    @strawberry.field(description="Admin only: the admin actions on accounts, newest first.")
    async def admin_audit_log(self, info: Info, first: Optional[int] = 20,
                              after: Optional[str] = None) -> AuditEntryConnection:
        return await resolve.admin_audit_log(info, first, after)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Admin only: sets a user's role; it applies from the "
                         "user's next request. A new SELLER gets a seller profile and ledger "
                         "account.")
    async def admin_set_user_role(self, info: Info, user_id: strawberry.ID,
                                  role: AccountType) -> AdminUserPayload:
        return await resolve.admin_set_user_role(info, user_id, role)

    @strawberry.mutation(description="Admin only: disables an account. Its tokens stop "
                         "working on the next request and it cannot sign in.")
    async def admin_disable_user(self, info: Info, user_id: strawberry.ID,
                                 reason: str) -> AdminUserPayload:
        return await resolve.admin_disable_user(info, user_id, reason)

    @strawberry.mutation(description="Admin only: enables a disabled account again; the user "
                         "signs in anew.")
    async def admin_enable_user(self, info: Info, user_id: strawberry.ID) -> AdminUserPayload:
        return await resolve.admin_enable_user(info, user_id)
