"""Promotion codes: the rules of when they apply, and managing them (create, deactivate)."""
