"""Admin operations on accounts (docs/rules.md, "Sessions and secrets"), each written to the
audit trail in the same transaction as the change.

- set_role: BUYER, SELLER or ADMIN. A user made SELLER for the first time gets a `sellers` row
  (display name: the user's name) and its ledger account SELLER_PAYABLE:<seller id>, as
  registration does; a demoted seller keeps its row, products and ledger account (orders and
  payouts still refer to them) and a later promotion reuses them. Setting the role it already
  has changes nothing and writes no audit entry.
- disable_user: needs a reason (1..500 characters after trimming). Sets `disabled_at`, bumps
  `token_version` (every access token issued before is refused from the next request on) and
  revokes every refresh token of the account. Disabling a disabled account changes nothing.
- enable_user: clears `disabled_at`; the old sessions stay ended (the user signs in again).
  Enabling an active account changes nothing.
- An admin may not change their own role nor disable themselves (FORBIDDEN): the last admin
  could otherwise lock everyone out. An unknown user id is NOT_FOUND on `userId`.
The caller must forget the account's cached state once the transaction committed
(adapters/security/account_check.py), so every server process sees the change on its next request.
"""
from __future__ import annotations

from dataclasses import replace

from domain.errors import forbidden, invalid, not_found
from domain.identity import rules
from domain.identity.models import ACCOUNT_TYPES, SELLER, User
from domain.identity.ports import UnitOfWork

SET_ROLE = "SET_ROLE"
DISABLE_USER = "DISABLE_USER"
ENABLE_USER = "ENABLE_USER"
REASON_MAX = 500


async def _target(uow: UnitOfWork, actor_id: int, user_id: int | None) -> User:
    if user_id is None or not await uow.users.lock_user(user_id):
        raise not_found("No such user.", "userId")
    if user_id == actor_id:
        raise forbidden("Admins cannot change their own role or disable themselves.", "userId")
    user = await uow.users.get(user_id)
    if user is None:
        raise not_found("No such user.", "userId")
    return user


async def set_role(uow: UnitOfWork, *, actor_id: int, user_id: int | None,
                   role: str) -> User:
    if role not in ACCOUNT_TYPES:
        raise invalid("Role must be BUYER, SELLER or ADMIN.", "role")
    user = await _target(uow, actor_id, user_id)
    if user.account_type == role:
        return user
    seller_id = user.seller_id
    if role == SELLER and seller_id is None:
        seller = await uow.users.open_seller(
            user_id=user.id, display_name=user.name,
            payable_account=rules.seller_payable_account, now=uow.now())
        seller_id = seller.id
    await uow.users.set_account_type(user.id, role)
    await uow.users.add_audit_entry(actor_user_id=actor_id, action=SET_ROLE,
                                    target_user_id=user.id, now=uow.now(),
                                    details={"from": user.account_type, "to": role})
    await uow.commit()
    return replace(user, account_type=role, seller_id=seller_id)


async def disable_user(uow: UnitOfWork, *, actor_id: int, user_id: int | None,
                       reason: str) -> User:
    reason = reason.strip()
    if not reason:
        raise invalid("Give a reason for disabling the account.", "reason")
    if len(reason) > REASON_MAX:
        raise invalid(f"The reason must be at most {REASON_MAX} characters.", "reason")
    user = await _target(uow, actor_id, user_id)
    if user.disabled_at is not None:
        return user
    now = uow.now()
    version = await uow.users.disable_account(user.id, reason=reason, now=now)
    await uow.users.revoke_user_sessions(user.id, now)
    await uow.users.add_audit_entry(actor_user_id=actor_id, action=DISABLE_USER,
                                    target_user_id=user.id, now=now,
                                    details={"reason": reason})
    await uow.commit()
    return replace(user, disabled_at=now, token_version=version)


async def enable_user(uow: UnitOfWork, *, actor_id: int, user_id: int | None) -> User:
    user = await _target(uow, actor_id, user_id)
    if user.disabled_at is None:
        return user
    await uow.users.enable_account(user.id)
    await uow.users.add_audit_entry(actor_user_id=actor_id, action=ENABLE_USER,
                                    target_user_id=user.id, now=uow.now(), details={})
    await uow.commit()
    return replace(user, disabled_at=None)
