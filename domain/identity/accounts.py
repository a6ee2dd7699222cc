"""Accounts: register, login, and the admin account made by the command line.

- register: BUYER or SELLER (rules.validate_registration). The email must be free
  (EMAIL_TAKEN, field ["input", "email"]); two concurrent registrations of one email give one
  account and one EMAIL_TAKEN (the insert is `ON CONFLICT DO NOTHING`, never a unique-violation
  500). A seller gets a `sellers` row and its ledger account SELLER_PAYABLE:<seller id>
  (USD, balance 0) in the same transaction. Success signs the new user in.
- login: an unknown email and a wrong password answer the same INVALID_CREDENTIALS at the same
  cost (the hasher verifies against a dummy hash when there is no user). A disabled account
  answers INVALID_CREDENTIALS "This account is disabled." (only to the right password).
  Accounts without a password (made through an external OpenID Connect issuer) cannot log in
  with one.
- create_admin: idempotent; False when the email already has an account (of any type).
Password hashing (Argon2id, deliberately slow) runs in a worker thread and never inside a
transaction, so it neither blocks the event loop nor holds SQLite's write lock.
"""
from __future__ import annotations

import asyncio
from dataclasses import replace

from domain.errors import DomainError
from domain.identity import rules
from domain.identity.access import DISABLED
from domain.identity.models import ADMIN, SELLER, AuthResult, User
from domain.identity.ports import AuthServices, PasswordHasher, Transact, UnitOfWork
from domain.identity.sessions import invalid_credentials, start_session

INVALID_LOGIN = "Email or password is incorrect."


async def register(transact: Transact, auth: AuthServices, *, email: str, password: str,
                   name: str, account_type: str,
                   seller_display_name: str | None) -> AuthResult:
    registration = rules.validate_registration(
        email=email, password=password, name=name, account_type=account_type,
        seller_display_name=seller_display_name)
    password_hash = await asyncio.to_thread(auth.passwords.hash, registration.password)

    async def open_account(uow: UnitOfWork) -> AuthResult:
        now = uow.now()
        user = await uow.users.add_user(
            email=registration.email, name=registration.name, password_hash=password_hash,
            account_type=registration.account_type, now=now)
        if user is None:
            raise DomainError("EMAIL_TAKEN", "An account with this email already exists.",
                              ["input", "email"])
        if registration.account_type == SELLER and registration.seller_display_name:
            seller = await uow.users.open_seller(
                user_id=user.id, display_name=registration.seller_display_name,
                payable_account=rules.seller_payable_account, now=now)
            user = replace(user, seller_id=seller.id)
        result = await start_session(uow, auth, user)
        await uow.commit()
        return result

    return await transact(open_account)


async def login(transact: Transact, auth: AuthServices, *, email: str,
                password: str) -> AuthResult:
    normalised = rules.normalise_email(email)

    async def find(uow: UnitOfWork) -> tuple[User, str | None] | None:
        return await uow.users.credentials(normalised)

    found = await transact(find) if normalised else None
    user, password_hash = found if found is not None else (None, None)
    verified = await asyncio.to_thread(auth.passwords.verify, password_hash, password)
    if not verified or user is None:
        raise invalid_credentials(INVALID_LOGIN)
    if user.disabled_at is not None:
        raise invalid_credentials(DISABLED)
    signed_in: User = user

    async def sign_in(uow: UnitOfWork) -> AuthResult:
        result = await start_session(uow, auth, signed_in)
        await uow.commit()
        return result

    return await transact(sign_in)


async def create_admin(transact: Transact, passwords: PasswordHasher, *, email: str,
                       password: str, name: str) -> bool:
    """True when the admin was created; raises ErrorList for an invalid email/password/name."""
    admin = rules.validate_admin(email=email, password=password, name=name)
    password_hash = await asyncio.to_thread(passwords.hash, admin.password)

    async def insert(uow: UnitOfWork) -> bool:
        created = await uow.users.add_user(email=admin.email, name=admin.name,
                                           password_hash=password_hash, account_type=ADMIN,
                                           now=uow.now())
        await uow.commit()
        return created is not None

    return await transact(insert)
