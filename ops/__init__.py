"""Operator commands behind the `marketplace` CLI (admin accounts, demo data, sweeps)."""
