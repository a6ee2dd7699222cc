"""Double-entry posting rules for an order's money (docs/rules.md "Orders, payments, ledger").

Pure functions from amounts (integer minor units) to balanced postings; storing them is the
caller's job.

Accounts: BUYER_EXTERNAL, PAYMENT_CLEARING, PLATFORM_REVENUE, TAX_PAYABLE and one
SELLER_PAYABLE:<key> per seller (`seller_payable(key)`; the caller chooses the key, e.g. the
seller's public id).

Sign convention: `net(account)` = credits - debits, for every account. Liability and revenue
accounts (SELLER_PAYABLE:*, TAX_PAYABLE, PLATFORM_REVENUE) are positive when owed / earned;
BUYER_EXTERNAL (money from outside) is -T after a capture of T; PAYMENT_CLEARING is 0 after a
capture and after every refund.

Capture of total T (one Posting, kind "CAPTURE", entries in this order):
  1. debit BUYER_EXTERNAL T, credit PAYMENT_CLEARING T;
  2. per seller s (given order): debit PAYMENT_CLEARING R_s + S_s, credit SELLER_PAYABLE:<s>
     R_s - fee_s + S_s, credit PLATFORM_REVENUE fee_s, with fee_s = fee_percent % of R_s
     rounded half-even (R_s: the seller's lines after tier and promotion discounts, which the
     seller funds; S_s: their shipping);
  3. debit PAYMENT_CLEARING tax, credit TAX_PAYABLE tax;
  4. debit PLATFORM_REVENUE points, credit PAYMENT_CLEARING points (the platform funds points).
  Entries of amount 0 are left out. T = sum(R_s + S_s) - points + tax must hold (ValueError
  otherwise), which is exactly "PAYMENT_CLEARING nets to zero".

Refund of A (one Posting, kind "REFUND"): the capture's entries reversed, pro rata. Every
account other than PAYMENT_CLEARING is a "bucket" per side: what the capture put on that side
less what earlier refunds already reversed is its remainder. Then
  - BUYER_EXTERNAL is reversed by exactly A (A <= its remainder T_rem);
  - every other capture-debit bucket (the points on PLATFORM_REVENUE) by its remainder times
    A / T_rem, rounded by largest remainder (rounding.allocate over [A, T_rem - A]);
  - the sum X of those reversals (A + points reversed) is split over the capture-credit buckets
    (SELLER_PAYABLE:*, the fees on PLATFORM_REVENUE, TAX_PAYABLE) by largest remainder,
    weighted by their remainders;
  - each reversal is written as a pair against PAYMENT_CLEARING, in the capture's order.
  So each refund is balanced, leaves PAYMENT_CLEARING at 0, has no negative amount and never
  reverses more than remains; the refund that brings the refunded amount to T (the final one)
  reverses every remainder exactly, so capture + all refunds nets every account to 0.
A refund is a function of the capture and the amounts refunded so far, so the earlier refunds
passed in are checked by recomputing them (ValueError if one differs).
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain.pricing.rounding import allocate, percent_of

if TYPE_CHECKING:
    from domain.pricing.values import PriceBreakdown

BUYER_EXTERNAL = "BUYER_EXTERNAL"
PAYMENT_CLEARING = "PAYMENT_CLEARING"
PLATFORM_REVENUE = "PLATFORM_REVENUE"
TAX_PAYABLE = "TAX_PAYABLE"
SELLER_PAYABLE_PREFIX = "SELLER_PAYABLE:"
CAPTURE = "CAPTURE"
REFUND = "REFUND"
DEFAULT_FEE_PERCENT = 10


def seller_payable(seller_key: str) -> str:
    """The account name of one seller's payable: SELLER_PAYABLE:<seller_key>."""
    if not seller_key:
        raise ValueError("a seller key must not be empty")
    return f"{SELLER_PAYABLE_PREFIX}{seller_key}"


def _check_amount(name: str, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a non-negative int, got {value!r}")


@dataclass(frozen=True)
class Entry:
    """One line of a posting: exactly one of debit / credit is positive, the other 0."""

    account: str
    debit: int
    credit: int

    def __post_init__(self) -> None:
        _check_amount("debit", self.debit)
        _check_amount("credit", self.credit)
        if not self.account or (self.debit > 0) == (self.credit > 0):
            raise ValueError(f"entry on {self.account!r} needs an account and exactly one "
                             f"positive side (debit={self.debit}, credit={self.credit})")


@dataclass(frozen=True)
class Posting:
    """A balanced ledger transaction: sum of debits == sum of credits (ValueError otherwise)."""

    kind: str
    entries: tuple[Entry, ...]
    currency: str = "USD"

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", tuple(self.entries))
        if self.debit_total != self.credit_total:
            raise ValueError(f"unbalanced {self.kind} posting: debits {self.debit_total} != "
                             f"credits {self.credit_total}")

    @property
    def debit_total(self) -> int:
        return sum(e.debit for e in self.entries)

    @property
    def credit_total(self) -> int:
        return sum(e.credit for e in self.entries)

    def net(self, account: str) -> int:
        """credits - debits on `account` in this posting (0 when it is not touched)."""
        return sum(e.credit - e.debit for e in self.entries if e.account == account)

    def balances(self) -> dict[str, int]:
        """`net` of every account touched, in order of first appearance."""
        return balances([self])


def balances(postings: Iterable[Posting]) -> dict[str, int]:
    """credits - debits per account over several postings (e.g. a capture and its refunds)."""
    result: dict[str, int] = {}
    for posting in postings:
        for e in posting.entries:
            result[e.account] = result.get(e.account, 0) + e.credit - e.debit
    return result


@dataclass(frozen=True)
class SellerShare:
    """One seller's part of an order: R_s (item_revenue) and S_s (shipping), minor units."""

    seller_account: str  # e.g. seller_payable(public_id)
    item_revenue: int
    shipping: int


def _debit(account: str, amount: int) -> list[Entry]:
    return [Entry(account, amount, 0)] if amount else []


def _credit(account: str, amount: int) -> list[Entry]:
    return [Entry(account, 0, amount)] if amount else []


def capture_posting(*, total: int, currency: str, sellers: Sequence[SellerShare], tax: int,
                    points_minor: int, fee_percent: int = DEFAULT_FEE_PERCENT) -> Posting:
    """The CAPTURE posting of an order paid `total` (rules in the module docstring)."""
    for name, value in (("total", total), ("tax", tax), ("points_minor", points_minor)):
        _check_amount(name, value)
    if not 0 <= fee_percent <= 100:
        raise ValueError(f"fee_percent must be within 0..100, got {fee_percent}")
    if len({s.seller_account for s in sellers}) != len(sellers):
        raise ValueError("each seller account may appear only once")
    expected = sum(s.item_revenue + s.shipping for s in sellers) - points_minor + tax
    if total != expected:
        raise ValueError(f"PAYMENT_CLEARING would not net to zero: total {total} != "
                         f"sum(R_s + S_s) - points + tax = {expected}")
    entries = _debit(BUYER_EXTERNAL, total) + _credit(PAYMENT_CLEARING, total)
    for s in sellers:
        _check_amount(f"{s.seller_account} item_revenue", s.item_revenue)
        _check_amount(f"{s.seller_account} shipping", s.shipping)
        fee = percent_of(s.item_revenue, fee_percent)
        entries += (_debit(PAYMENT_CLEARING, s.item_revenue + s.shipping)
                    + _credit(s.seller_account, s.item_revenue - fee + s.shipping)
                    + _credit(PLATFORM_REVENUE, fee))
    entries += _debit(PAYMENT_CLEARING, tax) + _credit(TAX_PAYABLE, tax)
    entries += _debit(PLATFORM_REVENUE, points_minor) + _credit(PAYMENT_CLEARING, points_minor)
    return Posting(CAPTURE, tuple(entries), currency)


def seller_shares(breakdown: PriceBreakdown,
                  seller_account: Mapping[Hashable, str] | Callable[[Hashable], str]
                  ) -> list[SellerShare]:
    """R_s and S_s of each seller of a priced checkout; `seller_account` maps a seller id to
    its account name (e.g. `lambda sid: seller_payable(public_id[sid])`)."""
    name = seller_account.__getitem__ if isinstance(seller_account, Mapping) else seller_account
    return [SellerShare(name(s.seller_id), s.item_revenue.minor, s.shipping.minor)
            for s in breakdown.sellers]


def capture_from_breakdown(breakdown: PriceBreakdown,
                           seller_account: Mapping[Hashable, str] | Callable[[Hashable], str],
                           *, fee_percent: int = DEFAULT_FEE_PERCENT) -> Posting:
    """`capture_posting` for an order priced by `domain.pricing.calculate`."""
    return capture_posting(total=breakdown.total.minor, currency=breakdown.currency,
                           sellers=seller_shares(breakdown, seller_account),
                           tax=breakdown.tax.minor, points_minor=breakdown.points_discount.minor,
                           fee_percent=fee_percent)


def refund_posting(*, capture: Posting, refund_amount: int, total: int | None = None,
                   previous_refunds: Sequence[Posting] = ()) -> Posting:
    """The REFUND posting for `refund_amount` more of `capture`, given the refunds already
    written for it, oldest first (rules in the module docstring). Each earlier refund must be
    exactly what this rule produced for it; `total`, when given, must be the captured total.
    ValueError otherwise, and when the amount exceeds what remains to be refunded."""
    if capture.kind != CAPTURE or any(p.kind != REFUND for p in previous_refunds):
        raise ValueError("refund_posting needs a CAPTURE posting and earlier REFUND postings")
    captured = sum(e.debit for e in capture.entries if e.account == BUYER_EXTERNAL)
    if total is not None and total != captured:
        raise ValueError(f"total {total} is not the captured total {captured}")
    for i, earlier in enumerate(previous_refunds):
        if earlier != _refund(capture, earlier.net(BUYER_EXTERNAL), previous_refunds[:i]):
            raise ValueError(f"previous refund #{i + 1} does not belong to this capture")
    return _refund(capture, refund_amount, previous_refunds)


def _refund(capture: Posting, refund_amount: int, previous: Sequence[Posting]) -> Posting:
    _check_amount("refund_amount", refund_amount)
    # (account, side of the capture) -> remainder; side True = the capture debited it.
    remaining: dict[tuple[str, bool], int] = {}
    for e in capture.entries:
        if e.account != PAYMENT_CLEARING:
            key = (e.account, e.debit > 0)
            remaining[key] = remaining.get(key, 0) + e.debit + e.credit
    for p in previous:
        for e in p.entries:
            if e.account != PAYMENT_CLEARING:  # a refund credit reverses a capture debit
                remaining[e.account, e.credit > 0] -= e.debit + e.credit
    left = remaining.get((BUYER_EXTERNAL, True), 0)
    if refund_amount > left:
        raise ValueError(f"refund of {refund_amount} exceeds the {left} left to refund")

    reversed_: dict[tuple[str, bool], int] = {}
    for key in [k for k in remaining if k[1]]:
        if key[0] == BUYER_EXTERNAL:
            reversed_[key] = refund_amount
        elif refund_amount == left:  # the final refund takes every remainder
            reversed_[key] = remaining[key]
        else:
            reversed_[key] = allocate(remaining[key], [refund_amount, left - refund_amount])[0]
    outflows = [k for k in remaining if not k[1]]
    shares = allocate(sum(reversed_.values()), [remaining[k] for k in outflows])
    reversed_.update(zip(outflows, shares, strict=True))

    entries: list[Entry] = []
    for account, was_debit in remaining:  # the capture's order
        amount = reversed_[account, was_debit]
        if was_debit:  # the capture debited it: credit it back, against a clearing debit
            entries += _debit(PAYMENT_CLEARING, amount) + _credit(account, amount)
        else:
            entries += _debit(account, amount) + _credit(PAYMENT_CLEARING, amount)
    return Posting(REFUND, tuple(entries), capture.currency)
