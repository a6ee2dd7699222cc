"""Adapters: what the domain's ports are implemented with outside the database (payment
providers, mail, JWT/OIDC and passwords, rate-limit windows, the live bus and feed, metrics)."""
