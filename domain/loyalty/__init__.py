"""Loyalty points and tiers: pure rules, no storage."""
