"""What the outbox dispatcher delivers to: notification records and analytics facts."""
from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text

from persistence.tables.base import metadata
from persistence.types import UTCDateTime

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("channel", String(10), nullable=False),  # EMAIL or SMS
    Column("template", String(40), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(10), nullable=False),  # STORED, SENT or FAILED
    Column("event_id", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
)
Index("uq_notifications_event_template", notifications.c.event_id, notifications.c.template,
      notifications.c.user_id, unique=True)

analytics_events = Table(
    "analytics_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", Integer, nullable=False, unique=True),
    Column("event_type", String(60), nullable=False),
    Column("order_id", Integer, nullable=True),
    Column("amount_minor", Integer, nullable=True),
    Column("currency", String(3), nullable=True),
    Column("occurred_at", UTCDateTime, nullable=False),
)
Index("ix_analytics_events_type_time", analytics_events.c.event_type,
      analytics_events.c.occurred_at)

# The offline payment provider's record of what happened to each of its intents (a completed
# challenge, refunds), shared by every server process (adapters/payments/offline_store.py).
offline_payment_intents = Table(
    "offline_payment_intents",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("data", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
