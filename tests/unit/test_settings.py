from __future__ import annotations

import pytest

from settings import DEFAULT_DATABASE_URL, Settings


def test_defaults_without_environment() -> None:
    s = Settings.from_env({})
    assert s.database_url == DEFAULT_DATABASE_URL
    assert s.cart_hold_seconds == 900 and s.checkout_session_seconds == 1800
    assert s.max_query_depth == 12 and s.max_aliases == 30 and s.max_page_size == 100
    assert dict(s.tax_rates) == {"US-CA": 7250, "US-NY": 8875, "US-*": 5000}


def test_environment_overrides() -> None:
    s = Settings.from_env({"DATABASE_URL": "postgresql+asyncpg://x@h/db", "CART_HOLD_SECONDS": "60",
                           "CORS_ORIGINS": "https://a.example, https://b.example",
                           "TAX_RATES": "US-CA=7.25,DE-*=19", "INTROSPECTION": "false"})
    assert s.database_url.startswith("postgresql") and s.cart_hold_seconds == 60
    assert s.cors_origins == ("https://a.example", "https://b.example")
    assert dict(s.tax_rates) == {"US-CA": 7250, "DE-*": 19000}
    assert s.introspection is False


def test_bad_tax_rates_are_refused() -> None:
    with pytest.raises(ValueError):
        Settings.from_env({"TAX_RATES": "US-CA=seven"})
