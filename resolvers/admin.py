"""The admin account operations: set a user's role, disable and enable an account
(domain/identity/admin.py, one transaction each, then the account's cached state is dropped so
the change applies on its next request), and the audit trail. Admins only (PermissionDenied
otherwise)."""
from __future__ import annotations

from typing import Awaitable, Callable, Optional

from domain.identity import admin
from domain.identity.models import AuditEntry, User
from domain.ids import decode_pk
from domain.ports import UnitOfWork
from resolvers.caller import Caller
from resolvers.listing import Listing

Forget = Callable[[int], Awaitable[None]]
Change = Callable[[UnitOfWork, int, Optional[int]], Awaitable[User]]


async def _change(caller: Caller, forget: Forget, user_id: str, change: Change) -> User:
    me = await caller.require("ADMIN")
    target = decode_pk(user_id, "User")
    user = await caller.units.transaction(lambda uow: change(uow, me.user_id, target))
    await forget(user.id)
    return user


async def set_user_role(caller: Caller, forget: Forget, user_id: str, role: str) -> User:
    return await _change(caller, forget, user_id, lambda uow, actor, target: admin.set_role(
        uow, actor_id=actor, user_id=target, role=role))


async def disable_user(caller: Caller, forget: Forget, user_id: str, reason: str) -> User:
    return await _change(caller, forget, user_id, lambda uow, actor, target: admin.disable_user(
        uow, actor_id=actor, user_id=target, reason=reason))


async def enable_user(caller: Caller, forget: Forget, user_id: str) -> User:
    return await _change(caller, forget, user_id, lambda uow, actor, target: admin.enable_user(
        uow, actor_id=actor, user_id=target))


async def audit_log(caller: Caller, first: Optional[int],
                    after: Optional[str]) -> Listing[AuditEntry]:
    await caller.require("ADMIN")
    loaders = caller.loaders
    page = await loaders.audit_page(caller.page_size(first), after)
    return Listing(page=page, count=loaders.audit_count)
