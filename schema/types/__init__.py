"""Strawberry types, split by feature. Thin translations of domain objects."""
