"""After the outbox: the dispatcher (notifications and analytics facts), the relay to a broker,
and the records they write."""
