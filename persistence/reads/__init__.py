"""Batched read queries behind the dataloaders (one statement per batch)."""
