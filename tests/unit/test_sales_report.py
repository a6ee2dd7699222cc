"""domain.outbox.analytics: facts from outbox events and the sales report computed from them."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from domain.outbox.analytics import Fact, fact_for, sales_report
from domain.outbox.dispatch import OutboxEvent
from domain.money import Money

T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)
END = T0 + timedelta(days=1)
_ids = iter(range(1, 10_000))


def started(at: datetime = T0) -> Fact:
    return Fact(next(_ids), "CheckoutStarted", None, None, None, at)


def placed(order: int, total: int, at: datetime = T0) -> Fact:
    return Fact(next(_ids), "OrderCreated", order, total, "USD", at)


def paid(order: int, amount: int, at: datetime = T0) -> Fact:
    return Fact(next(_ids), "PaymentSucceeded", order, amount, "USD", at)


def test_empty_range_is_all_zero() -> None:
    report = sales_report([], start=T0, end=END)
    assert (report.orders_placed, report.orders_paid, report.checkouts_started) == (0, 0, 0)
    assert report.gross_merchandise_value == Money(0, "USD")
    assert report.average_order_value == Money(0, "USD")
    assert report.checkout_conversion == 0.0


def test_counts_sums_and_ratios() -> None:
    facts = [started(), started(), started(), started(),
             placed(1, 1000), placed(2, 2001), placed(3, 500),
             paid(1, 1000), paid(2, 2001)]
    report = sales_report(facts, start=T0, end=END)
    assert report.orders_placed == 3
    assert report.orders_paid == 2
    assert report.gross_merchandise_value == Money(3001, "USD")
    assert report.average_order_value == Money(1500, "USD")  # 1500.5 -> 1500 (half-even)
    assert report.checkouts_started == 4
    assert report.checkout_conversion == 0.5


def test_average_rounds_half_even_both_ways() -> None:
    up = sales_report([paid(1, 1001), paid(2, 2002)], start=T0, end=END)
    assert up.average_order_value.minor == 1502  # 1501.5 -> 1502
    down = sales_report([paid(1, 1000), paid(2, 2001)], start=T0, end=END)
    assert down.average_order_value.minor == 1500  # 1500.5 -> 1500


def test_range_is_half_open() -> None:
    facts = [placed(1, 100, T0 - timedelta(microseconds=1)), placed(2, 100, T0),
             placed(3, 100, END - timedelta(microseconds=1)), placed(4, 100, END)]
    assert sales_report(facts, start=T0, end=END).orders_placed == 2


def test_an_order_paid_twice_counts_once_but_both_amounts_are_gross() -> None:
    report = sales_report([paid(1, 700), paid(1, 300), started()], start=T0, end=END)
    assert report.orders_paid == 1
    assert report.gross_merchandise_value.minor == 1000
    assert report.average_order_value.minor == 1000


def test_conversion_is_capped_and_zero_without_checkouts() -> None:
    assert sales_report([started(), paid(1, 1), paid(2, 1)], start=T0,
                        end=END).checkout_conversion == 1.0
    assert sales_report([paid(1, 1)], start=T0, end=END).checkout_conversion == 0.0
    third = sales_report([started(), started(), started(), paid(1, 1)], start=T0, end=END)
    assert abs(third.checkout_conversion - 1 / 3) < 1e-12


def test_orders_paid_in_range_count_even_if_placed_before() -> None:
    facts = [placed(1, 900, T0 - timedelta(hours=1)), paid(1, 900, T0 + timedelta(hours=1))]
    report = sales_report(facts, start=T0, end=END)
    assert (report.orders_placed, report.orders_paid) == (0, 1)
    assert report.gross_merchandise_value.minor == 900


def _event(event_type: str, payload: dict[str, object]) -> OutboxEvent:
    return OutboxEvent(id=7, event_type=event_type, aggregate_type="Order", aggregate_id=3,
                       payload=payload, created_at=T0)


def test_facts_from_events() -> None:
    assert fact_for(_event("OrderCreated", {"orderId": 3, "total": 2599, "currency": "USD",
                                            "number": "ORD-2026-000001"})) == Fact(
        7, "OrderCreated", 3, 2599, "USD", T0)
    assert fact_for(_event("PaymentSucceeded", {"orderId": 3, "amount": 2599,
                                                "currency": "USD"})) == Fact(
        7, "PaymentSucceeded", 3, 2599, "USD", T0)
    assert fact_for(_event("CheckoutStarted", {"checkoutId": 1})) == Fact(
        7, "CheckoutStarted", None, None, None, T0)
    assert fact_for(_event("PaymentFailed", {"orderId": 3})) is None
    assert fact_for(_event("CartItemAdded", {"cartId": 1})) is None
