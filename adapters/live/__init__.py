"""Live updates: committed outbox events fanned out to GraphQL subscriptions in every process
(in memory within a process; across processes by PostgreSQL LISTEN/NOTIFY, or by tailing the
outbox on SQLite)."""
