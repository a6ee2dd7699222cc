"""Users signed in by the trusted external OpenID Connect issuer (adapters/security/oidc.py).

A verified token's claims are mapped to one of our users, in this order:
1. the user whose `external_subject` is the token's `sub`;
2. else, when the token says `email_verified: true`, the existing account with that email,
   which is then linked to the subject (future sign-ins take step 1). Admin accounts and
   accounts already linked to another subject are never linked this way: the issuer would
   otherwise be able to take them over;
3. else a new BUYER account, without a password, linked to the subject. Its email is the
   verified email, or (no verified email) a non-deliverable placeholder
   `oidc-<hash of sub>@users.invalid`, so an unverified claim can never squat a real address.
   Its name is the `name` claim, else the email's local part.
The role always comes from our database, never from the external token. When no user can be
mapped (e.g. a race lost to a registration of the same email), AuthenticationRequired.
"""
from __future__ import annotations

import hashlib
from dataclasses import replace

from domain.errors import AuthenticationRequired
from domain.identity import rules
from domain.identity.models import ADMIN, BUYER, User
from domain.identity.ports import UnitOfWork


def placeholder_email(subject: str) -> str:
    return f"oidc-{hashlib.sha256(subject.encode()).hexdigest()[:24]}@users.invalid"


async def link_external_identity(uow: UnitOfWork, *, subject: str, email: str | None,
                                 email_verified: bool, name: str | None) -> User:
    known = await uow.users.by_external_subject(subject)
    if known is not None:
        return known
    verified = rules.normalise_email(email) if email and email_verified else None
    if verified is not None and rules.email_error(verified) is not None:
        verified = None
    if verified is not None:
        found = await uow.users.credentials(verified)
        if found is not None:
            return await _link(uow, found[0], subject)
    address = verified or placeholder_email(subject)
    display = (name or "").strip()[: rules.NAME_MAX] or address.split("@")[0]
    created = await uow.users.add_user(email=address, name=display, password_hash=None,
                                       account_type=BUYER, now=uow.now(),
                                       external_subject=subject)
    if created is None:  # a concurrent sign-in of the same subject, or the email got taken
        return await _existing(uow, subject)
    await uow.commit()
    return created


async def _link(uow: UnitOfWork, user: User, subject: str) -> User:
    if user.account_type == ADMIN or user.external_subject is not None:
        raise AuthenticationRequired("This account cannot be signed in with that identity.")
    if not await uow.users.link_external_subject(user.id, subject):
        return await _existing(uow, subject)
    await uow.commit()
    return replace(user, external_subject=subject)


async def _existing(uow: UnitOfWork, subject: str) -> User:
    known = await uow.users.by_external_subject(subject)
    if known is None:
        raise AuthenticationRequired("No account can be signed in with that identity.")
    return known
