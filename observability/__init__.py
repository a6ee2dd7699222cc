"""Operational visibility: Prometheus metrics (observability/metrics.py)."""
