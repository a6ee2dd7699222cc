"""Properties of the ledger posting rules (hypothesis)."""
from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.ledger.postings import (
    BUYER_EXTERNAL,
    PAYMENT_CLEARING,
    PLATFORM_REVENUE,
    Posting,
    SellerShare,
    balances,
    capture_from_breakdown,
    capture_posting,
    refund_posting,
    seller_payable,
)
from domain.loyalty.points import Tier
from domain.pricing import DEMO_TAX_RATES, Destination, PriceLine, PricingRequest, calculate

FAST = settings(max_examples=300, deadline=None)


@st.composite
def captures(draw: st.DrawFn) -> tuple[Posting, list[SellerShare], int, int]:
    """A capture with 1..4 sellers; points at most the items (the engine caps them at 50 %)."""
    sellers = [SellerShare(seller_payable(f"s{i}"), draw(st.integers(0, 200_000)),
                           draw(st.integers(0, 5_000)))
               for i in range(draw(st.integers(1, 4)))]
    points = draw(st.integers(0, sum(s.item_revenue for s in sellers)))
    tax = draw(st.integers(0, 30_000))
    total = sum(s.item_revenue + s.shipping for s in sellers) - points + tax
    posting = capture_posting(total=total, currency="USD", sellers=sellers, tax=tax,
                              points_minor=points)
    return posting, sellers, points, total


@st.composite
def refund_amounts(draw: st.DrawFn, total: int) -> list[int]:
    """Any split of `total` into 1..6 non-negative parts, in any order."""
    cuts = sorted(draw(st.lists(st.integers(0, total), max_size=5)))
    bounds = [0, *cuts, total]
    return [b - a for a, b in zip(bounds, bounds[1:], strict=False)]


def assert_well_formed(posting: Posting) -> None:
    assert posting.debit_total == posting.credit_total
    for e in posting.entries:
        assert e.debit >= 0 and e.credit >= 0 and (e.debit > 0) != (e.credit > 0)


@FAST
@given(captures())
def test_capture_is_balanced_clears_and_charges_ten_percent_half_even(
        case: tuple[Posting, list[SellerShare], int, int]) -> None:
    posting, sellers, points, total = case
    assert_well_formed(posting)
    assert posting.net(PAYMENT_CLEARING) == 0
    assert posting.net(BUYER_EXTERNAL) == -total
    fees = [round(Fraction(s.item_revenue, 10)) for s in sellers]  # Fraction: half-even
    for s, fee in zip(sellers, fees, strict=True):
        assert posting.net(s.seller_account) == s.item_revenue - fee + s.shipping
    assert posting.net(PLATFORM_REVENUE) == sum(fees) - points
    assert sum(posting.balances().values()) == 0


@FAST
@given(st.data())
def test_any_refunds_summing_to_the_total_reverse_the_capture_exactly(
        data: st.DataObject) -> None:
    capture, _, _, total = data.draw(captures())
    done: list[Posting] = []
    for amount in data.draw(refund_amounts(total)):
        refund = refund_posting(capture=capture, refund_amount=amount, total=total,
                                previous_refunds=done)
        assert_well_formed(refund)
        assert refund.net(PAYMENT_CLEARING) == 0
        assert refund.net(BUYER_EXTERNAL) == amount
        done.append(refund)
        # Sellers, tax and buyer move towards zero, never past it.
        so_far = balances([capture, *done])
        for account, net in capture.balances().items():
            if account != PLATFORM_REVENUE:
                assert min(0, net) <= so_far[account] <= max(0, net)
    assert set(balances([capture, *done]).values()) <= {0}


@FAST
@given(captures(), st.integers(0, 10**6))
def test_a_partial_refund_is_pro_rata_within_a_unit_per_account(
        case: tuple[Posting, list[SellerShare], int, int], seed: int) -> None:
    capture, sellers, _, total = case
    if total == 0:
        return
    amount = seed % (total + 1)
    refund = refund_posting(capture=capture, refund_amount=amount)
    for s in sellers:
        exact = Fraction(capture.net(s.seller_account) * amount, total)
        assert abs(-refund.net(s.seller_account) - exact) < 2


@FAST
@given(st.lists(st.tuples(st.sampled_from([1, 2, 3]), st.integers(0, 50_000),
                          st.integers(1, 3)), min_size=1, max_size=5),
       st.sampled_from(list(Tier)), st.integers(0, 100), st.sampled_from(["STANDARD",
                                                                          "EXPRESS"]))
def test_every_priced_checkout_yields_a_clearing_capture(
        rows: list[tuple[int, int, int]], tier: Tier, points: int, method: str) -> None:
    lines = [PriceLine(i, seller, price, qty) for i, (seller, price, qty) in enumerate(rows)]
    request = PricingRequest(lines=lines, tier=tier, points_balance=points,
                             points_requested=0, shipping_method=method,
                             destination=Destination("US", "CA"), tax_rates=DEMO_TAX_RATES)
    cap = calculate(request).max_points
    breakdown = calculate(PricingRequest(
        lines=lines, tier=tier, points_balance=points, points_requested=min(points, cap),
        shipping_method=method, destination=Destination("US", "CA"),
        tax_rates=DEMO_TAX_RATES))
    capture = capture_from_breakdown(breakdown, lambda sid: seller_payable(f"s{sid}"))
    assert_well_formed(capture)
    assert capture.net(PAYMENT_CLEARING) == 0
    assert capture.net(BUYER_EXTERNAL) == -breakdown.total.minor
