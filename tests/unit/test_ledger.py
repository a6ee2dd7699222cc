"""Ledger posting rules: the worked example of every entry, refunds, and the error cases."""
from __future__ import annotations

import pytest

from domain.ledger.postings import (
    BUYER_EXTERNAL,
    PAYMENT_CLEARING,
    PLATFORM_REVENUE,
    TAX_PAYABLE,
    Entry,
    Posting,
    SellerShare,
    balances,
    capture_from_breakdown,
    capture_posting,
    refund_posting,
    seller_payable,
)
from domain.pricing import DEMO_TAX_RATES, Destination, PriceLine, PricingRequest, calculate

S1, S2 = seller_payable("sel_1"), seller_payable("sel_2")


def dr(account: str, amount: int) -> Entry:
    return Entry(account, amount, 0)


def cr(account: str, amount: int) -> Entry:
    return Entry(account, 0, amount)


def example_capture() -> Posting:
    """Two sellers: R_1 = 399.98, S_1 = 0; R_2 = 19.99, S_2 = 5.99; 500 points; tax 28.64.
    T = 39998 + 0 + 1999 + 599 - 500 + 2864 = 44960."""
    return capture_posting(total=44960, currency="USD", tax=2864, points_minor=500,
                           sellers=[SellerShare(S1, 39998, 0), SellerShare(S2, 1999, 599)])


def test_worked_example_two_sellers_every_entry_and_every_net() -> None:
    capture = example_capture()
    assert capture.kind == "CAPTURE" and capture.currency == "USD"
    # fee_1 = 10 % of 39998 = 3999.8 -> 4000; fee_2 = 10 % of 1999 = 199.9 -> 200.
    assert capture.entries == (
        dr(BUYER_EXTERNAL, 44960), cr(PAYMENT_CLEARING, 44960),
        dr(PAYMENT_CLEARING, 39998), cr(S1, 39998 - 4000 + 0), cr(PLATFORM_REVENUE, 4000),
        dr(PAYMENT_CLEARING, 2598), cr(S2, 1999 - 200 + 599), cr(PLATFORM_REVENUE, 200),
        dr(PAYMENT_CLEARING, 2864), cr(TAX_PAYABLE, 2864),
        dr(PLATFORM_REVENUE, 500), cr(PAYMENT_CLEARING, 500),
    )
    assert capture.debit_total == capture.credit_total == 44960 + 39998 + 2598 + 2864 + 500
    # net = credits - debits: the buyer paid in 44960; the platform keeps fees less points.
    assert capture.balances() == {
        BUYER_EXTERNAL: -44960, PAYMENT_CLEARING: 0, S1: 35998, PLATFORM_REVENUE: 3700,
        S2: 2398, TAX_PAYABLE: 2864}
    assert capture.net(PLATFORM_REVENUE) == 4000 + 200 - 500
    assert capture.net("SELLER_PAYABLE:unknown") == 0


def test_partial_then_final_refund_reverses_the_capture_exactly() -> None:
    capture = example_capture()
    first = refund_posting(capture=capture, refund_amount=10000, total=44960)
    # Points: 500 x 10000 / 44960 = 111.2 -> 111. Gross 10111 split over the remainders
    # 35998, 4200 (fees), 2398, 2864 (sum 45460): 8006.51, 934.14, 533.35, 636.997 -> floors
    # 10109, the 2 units left go to the largest remainders (tax, then seller 1).
    assert first.entries == (
        dr(PAYMENT_CLEARING, 10000), cr(BUYER_EXTERNAL, 10000),
        dr(S1, 8007), cr(PAYMENT_CLEARING, 8007),
        dr(PLATFORM_REVENUE, 934), cr(PAYMENT_CLEARING, 934),
        dr(S2, 533), cr(PAYMENT_CLEARING, 533),
        dr(TAX_PAYABLE, 637), cr(PAYMENT_CLEARING, 637),
        dr(PAYMENT_CLEARING, 111), cr(PLATFORM_REVENUE, 111),
    )
    assert first.kind == "REFUND" and first.net(PAYMENT_CLEARING) == 0
    final = refund_posting(capture=capture, refund_amount=34960, previous_refunds=[first])
    # The final refund takes exactly what remains on every account.
    assert final.balances() == {
        PAYMENT_CLEARING: 0, BUYER_EXTERNAL: 34960, S1: -(35998 - 8007),
        PLATFORM_REVENUE: -(4200 - 934) + (500 - 111), S2: -(2398 - 533),
        TAX_PAYABLE: -(2864 - 637)}
    assert set(balances([capture, first, final]).values()) == {0}
    with pytest.raises(ValueError, match="exceeds"):
        refund_posting(capture=capture, refund_amount=1, previous_refunds=[first, final])


def test_full_refund_is_the_mirror_of_the_capture() -> None:
    capture = example_capture()
    refund = refund_posting(capture=capture, refund_amount=44960)
    assert refund.balances() == {a: -n for a, n in capture.balances().items()}


def test_fee_is_ten_percent_half_even() -> None:
    def fee(revenue: int) -> int:
        posting = capture_posting(total=revenue, currency="USD", tax=0, points_minor=0,
                                  sellers=[SellerShare(S1, revenue, 0)])
        return posting.net(PLATFORM_REVENUE)

    assert [fee(r) for r in (25, 35, 1005, 1015, 14, 16, 0)] == [2, 4, 100, 102, 1, 2, 0]


def test_zero_amounts_are_left_out() -> None:
    posting = capture_posting(total=1000, currency="EUR", tax=0, points_minor=0,
                              sellers=[SellerShare(S1, 1000, 0), SellerShare(S2, 0, 0)],
                              fee_percent=0)
    assert posting.entries == (dr(BUYER_EXTERNAL, 1000), cr(PAYMENT_CLEARING, 1000),
                               dr(PAYMENT_CLEARING, 1000), cr(S1, 1000))


def test_order_paid_entirely_with_points_is_reversed_by_a_zero_refund() -> None:
    capture = capture_posting(total=0, currency="USD", tax=0, points_minor=1000,
                              sellers=[SellerShare(S1, 1000, 0)])
    refund = refund_posting(capture=capture, refund_amount=0, total=0)
    assert set(balances([capture, refund]).values()) == {0}


def test_capture_rejects_a_total_that_does_not_clear() -> None:
    with pytest.raises(ValueError, match="PAYMENT_CLEARING would not net to zero"):
        capture_posting(total=44961, currency="USD", tax=2864, points_minor=500,
                        sellers=[SellerShare(S1, 39998, 0), SellerShare(S2, 1999, 599)])


@pytest.mark.parametrize("kwargs", [
    {"tax": -1, "sellers": [SellerShare(S1, 11, 0)]},
    {"points_minor": -1, "sellers": [SellerShare(S1, 9, 0)]}, {"fee_percent": 101},
    {"sellers": [SellerShare(S1, -5, 15)]},
    {"sellers": [SellerShare(S1, 5, 0), SellerShare(S1, 5, 0)]},
])
def test_capture_rejects_bad_input(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {"total": 10, "currency": "USD", "tax": 0, "points_minor": 0,
                               "sellers": [SellerShare(S1, 10, 0)]}
    args.update(kwargs)  # every case still satisfies T = sum(R_s + S_s) - points + tax
    with pytest.raises(ValueError):
        capture_posting(**args)  # type: ignore[arg-type]


def test_entries_and_postings_validate_themselves() -> None:
    for debit, credit in ((0, 0), (1, 1), (-1, 0), (0, -2)):
        with pytest.raises(ValueError):
            Entry("X", debit, credit)
    with pytest.raises(ValueError, match="unbalanced"):
        Posting("CAPTURE", (dr("A", 5), cr("B", 4)))
    assert Posting("NOTHING", ()).balances() == {}


def test_refund_rejects_inconsistent_arguments() -> None:
    capture = example_capture()
    with pytest.raises(ValueError, match="captured total"):
        refund_posting(capture=capture, refund_amount=1, total=44959)
    with pytest.raises(ValueError, match="exceeds"):
        refund_posting(capture=capture, refund_amount=44961)
    other = capture_posting(total=10, currency="USD", tax=0, points_minor=0,
                            sellers=[SellerShare(S2, 10, 0)])
    foreign = refund_posting(capture=other, refund_amount=10)
    with pytest.raises(ValueError, match="does not belong"):
        refund_posting(capture=capture, refund_amount=1, previous_refunds=[foreign])
    with pytest.raises(ValueError):
        refund_posting(capture=first_refund(capture), refund_amount=1)


def first_refund(capture: Posting) -> Posting:
    return refund_posting(capture=capture, refund_amount=1)


def test_capture_from_a_priced_checkout() -> None:
    """The pricing engine's per-seller figures feed the capture and always clear."""
    breakdown = calculate(PricingRequest(
        lines=[PriceLine("a", 1, 24999, 2), PriceLine("b", 2, 1999, 1)],
        points_balance=1000, points_requested=500, shipping_method="EXPRESS",
        destination=Destination("US", "CA"), tax_rates=DEMO_TAX_RATES))
    capture = capture_from_breakdown(breakdown, {1: S1, 2: S2})
    assert capture.net(BUYER_EXTERNAL) == -breakdown.total.minor
    assert capture.net(PAYMENT_CLEARING) == 0
    assert capture.net(TAX_PAYABLE) == breakdown.tax.minor
    by_seller = {s.seller_id: s for s in breakdown.sellers}
    assert capture.net(S1) == 49998 - 5000 + by_seller[1].shipping.minor
    same = capture_from_breakdown(breakdown, lambda sid: seller_payable(f"sel_{sid}"))
    assert same == capture
