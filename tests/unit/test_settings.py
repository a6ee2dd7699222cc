from __future__ import annotations

import pytest

from settings import DEFAULT_DATABASE_URL, ConfigError, Settings


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


@pytest.mark.parametrize("given,meant", [
    ("postgresql://u:p@db.internal:5432/shop", "postgresql+asyncpg://u:p@db.internal:5432/shop"),
    ("postgres://u@h/shop", "postgresql+asyncpg://u@h/shop"),
    ("postgresql+asyncpg://u@h/shop", "postgresql+asyncpg://u@h/shop"),
    ("sqlite:///./x.db", "sqlite+aiosqlite:///./x.db"),
    ("", DEFAULT_DATABASE_URL),
])
def test_usual_database_urls_mean_the_async_drivers(given: str, meant: str) -> None:
    assert Settings.from_env({"DATABASE_URL": given}).database_url == meant


@pytest.mark.parametrize("env,named", [
    ({"DATABASE_URL": "postgresql+psycopg://u@h/db"}, "DATABASE_URL"),
    ({"DATABASE_URL": "shop.db"}, "DATABASE_URL"),
    ({"RATE_LIMIT_PER_MINUTE": "abc"}, "RATE_LIMIT_PER_MINUTE"),
    ({"SWEEP_INTERVAL_SECONDS": "soon"}, "SWEEP_INTERVAL_SECONDS"),
    ({"INTROSPECTION": "maybe"}, "INTROSPECTION"),
    ({"JWT_PUBLIC_KEY_FILE": "/no/such/key.pem"}, "JWT_PUBLIC_KEY_FILE"),
])
def test_malformed_settings_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        Settings.from_env(env)
