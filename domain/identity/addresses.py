"""A user's address book.

- addressAdd validates the input (rules.validate_address). A user's first address becomes their
  default; `isDefault: true` moves the default to the new address (one statement clears the
  old default). Otherwise the default stays where it is.
- addressRemove removes one of the caller's own addresses and returns it; an id that is not
  the caller's (another user's, or none at all) is NOT_FOUND and nothing changes. When the
  default is removed, the most recently added remaining address becomes the default, so a
  user with addresses always has exactly one default.
- Orders and checkouts keep their own copy of an address, so removing one never changes them.
Changes to one user's address book are serialised by locking the user's row (PostgreSQL), so
two concurrent "first" addresses cannot both become default.
"""
from __future__ import annotations

from domain.errors import not_found
from domain.identity.models import Address
from domain.identity.ports import UnitOfWork
from domain.identity.rules import validate_address


async def add_address(uow: UnitOfWork, *, user_id: int, is_default: bool, full_name: str,
                      line1: str, line2: str | None, city: str, region: str, postal_code: str,
                      country: str, phone: str | None) -> Address:
    fields = validate_address(full_name=full_name, line1=line1, line2=line2, city=city,
                              region=region, postal_code=postal_code, country=country,
                              phone=phone)
    if not await uow.users.lock_user(user_id):
        raise not_found("No such user.")
    make_default = is_default or not await uow.users.has_addresses(user_id)
    if make_default:
        await uow.users.clear_default_address(user_id)
    address = await uow.users.add_address(user_id=user_id, fields=fields,
                                          is_default=make_default, now=uow.now())
    await uow.commit()
    return address


async def remove_address(uow: UnitOfWork, *, user_id: int, address_id: int | None) -> Address:
    if address_id is None or not await uow.users.lock_user(user_id):
        raise not_found("No such address.", "id")
    removed = await uow.users.remove_address(user_id=user_id, address_id=address_id)
    if removed is None:
        raise not_found("No such address.", "id")
    if removed.is_default:
        await uow.users.make_latest_address_default(user_id)
    await uow.commit()
    return removed
