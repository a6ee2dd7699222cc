"""Settings read from environment variables (documented in the README).

Every knob of the service lives here; `create_app(settings)` receives one instance, tests build
their own with `Settings.from_env(overrides)` or `dataclasses.replace`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Mapping

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./marketplace.db"
DEV_JWT_SECRET = "dev-only-secret-change-me-in-production-0123456789"
DEV_CARRIER_WEBHOOK_SECRET = "dev-only-carrier-webhook-secret-change-me"


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(value: str | None, default: int) -> int:
    return default if value in (None, "") else int(value)  # type: ignore[arg-type]


def _list(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(v.strip() for v in value.split(",") if v.strip())


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    # --- JWT issued by this service
    jwt_algorithm: str = "HS256"  # HS256, RS256 or ES256
    jwt_secret: str = DEV_JWT_SECRET
    jwt_private_key_pem: str | None = None
    jwt_public_key_pem: str | None = None
    jwt_issuer: str = "marketplace-bff"
    jwt_audience: str = "marketplace-clients"
    access_token_ttl_seconds: int = 15 * 60
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    # --- optional external OpenID Connect issuer
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None
    oidc_algorithms: tuple[str, ...] = ("RS256", "ES256")
    oidc_jwks_cache_seconds: int = 600
    # --- protection
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_page_size: int = 100
    max_query_cost: int = 10_000
    max_batch_operations: int = 10
    mutation_rate_limit_per_minute: int = 60
    introspection: bool = True
    graphiql: bool = True
    cors_origins: tuple[str, ...] = ()
    # --- stock holds and sessions
    cart_hold_seconds: int = 15 * 60
    checkout_session_seconds: int = 30 * 60
    payment_due_seconds: int = 30 * 60
    sweep_interval_seconds: float = 30.0
    sweeper_enabled: bool = True
    low_stock_threshold: int = 5
    # --- payments
    stripe_api_key: str | None = None
    stripe_api_base: str | None = None
    stripe_webhook_secret: str = "whsec_dev_only_offline_provider_secret"
    public_base_url: str = "http://127.0.0.1:8000"
    # --- carriers: HMAC-SHA256 key of POST /webhooks/carrier (X-Carrier-Signature)
    carrier_webhook_secret: str = DEV_CARRIER_WEBHOOK_SECRET
    # --- tax table: "COUNTRY-REGION" (or "COUNTRY-*") -> rate in thousandths of a percent
    # (7.25% -> 7250, 8.875% -> 8875); destinations not listed pay no tax.
    tax_rates: Mapping[str, int] = field(
        default_factory=lambda: {"US-CA": 7250, "US-NY": 8875, "US-*": 5000}
    )
    # --- outbox dispatcher (notifications, analytics) and the optional SMTP sender
    dispatch_interval_seconds: float = 1.0
    dispatcher_enabled: bool = True
    smtp_host: str | None = None  # unset: notification e-mails are stored, not sent
    smtp_port: int = 25
    smtp_from: str = "Marketplace <no-reply@marketplace.invalid>"
    # --- misc
    log_sql: bool = False
    # --- database faults and provider outages (docs/rules.md, "Database faults and provider
    # outages"): how long a write waits for a lock or a pooled connection before answering
    # SERVICE_UNAVAILABLE, the readiness probe's own bound, and the payment provider's breaker.
    db_lock_timeout_seconds: float = 5.0
    readiness_timeout_seconds: float = 1.0
    payment_breaker_failures: int = 5
    payment_breaker_cooldown_seconds: float = 30.0
    payment_provider_timeout_seconds: float = 15.0

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> "Settings":
        e = os.environ if env is None else env
        s = cls(
            database_url=e.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            jwt_algorithm=e.get("JWT_ALGORITHM", "HS256"),
            jwt_secret=e.get("JWT_SECRET") or DEV_JWT_SECRET,
            jwt_private_key_pem=_read_pem(e.get("JWT_PRIVATE_KEY_FILE")),
            jwt_public_key_pem=_read_pem(e.get("JWT_PUBLIC_KEY_FILE")),
            jwt_issuer=e.get("JWT_ISSUER", "marketplace-bff"),
            jwt_audience=e.get("JWT_AUDIENCE", "marketplace-clients"),
            access_token_ttl_seconds=_int(e.get("ACCESS_TOKEN_TTL_SECONDS"), 900),
            refresh_token_ttl_seconds=_int(e.get("REFRESH_TOKEN_TTL_SECONDS"), 30 * 24 * 3600),
            oidc_issuer=e.get("OIDC_ISSUER") or None,
            oidc_audience=e.get("OIDC_AUDIENCE") or None,
            oidc_jwks_url=e.get("OIDC_JWKS_URL") or None,
            oidc_algorithms=_list(e.get("OIDC_ALGORITHMS")) or ("RS256", "ES256"),
            oidc_jwks_cache_seconds=_int(e.get("OIDC_JWKS_CACHE_SECONDS"), 600),
            max_query_depth=_int(e.get("MAX_QUERY_DEPTH"), 12),
            max_aliases=_int(e.get("MAX_ALIASES"), 30),
            max_tokens=_int(e.get("MAX_TOKENS"), 2000),
            max_page_size=_int(e.get("MAX_PAGE_SIZE"), 100),
            max_query_cost=_int(e.get("MAX_QUERY_COST"), 10_000),
            max_batch_operations=_int(e.get("MAX_BATCH_OPERATIONS"), 10),
            mutation_rate_limit_per_minute=_int(e.get("RATE_LIMIT_PER_MINUTE"), 60),
            introspection=_bool(e.get("INTROSPECTION"), True),
            graphiql=_bool(e.get("GRAPHIQL"), True),
            cors_origins=_list(e.get("CORS_ORIGINS")),
            cart_hold_seconds=_int(e.get("CART_HOLD_SECONDS"), 15 * 60),
            checkout_session_seconds=_int(e.get("CHECKOUT_SESSION_SECONDS"), 30 * 60),
            payment_due_seconds=_int(e.get("PAYMENT_DUE_SECONDS"), 30 * 60),
            sweep_interval_seconds=float(e.get("SWEEP_INTERVAL_SECONDS") or 30.0),
            sweeper_enabled=_bool(e.get("SWEEPER_ENABLED"), True),
            stripe_api_key=e.get("STRIPE_API_KEY") or None,
            stripe_api_base=e.get("STRIPE_API_BASE") or None,
            stripe_webhook_secret=e.get("STRIPE_WEBHOOK_SECRET")
            or "whsec_dev_only_offline_provider_secret",
            public_base_url=e.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000"),
            carrier_webhook_secret=e.get("CARRIER_WEBHOOK_SECRET")
            or DEV_CARRIER_WEBHOOK_SECRET,
            dispatch_interval_seconds=float(e.get("DISPATCH_INTERVAL_SECONDS") or 1.0),
            dispatcher_enabled=_bool(e.get("DISPATCHER_ENABLED"), True),
            smtp_host=e.get("SMTP_HOST") or None,
            smtp_port=_int(e.get("SMTP_PORT"), 25),
            smtp_from=e.get("SMTP_FROM") or "Marketplace <no-reply@marketplace.invalid>",
            log_sql=_bool(e.get("LOG_SQL"), False),
            tax_rates=_tax_rates(e.get("TAX_RATES")) or cls().tax_rates,
            # --- database faults and provider outages
            db_lock_timeout_seconds=float(e.get("DB_LOCK_TIMEOUT_SECONDS") or 5.0),
            readiness_timeout_seconds=float(e.get("READINESS_TIMEOUT_SECONDS") or 1.0),
            payment_breaker_failures=_int(e.get("PAYMENT_BREAKER_FAILURES"), 5),
            payment_breaker_cooldown_seconds=float(
                e.get("PAYMENT_BREAKER_COOLDOWN_SECONDS") or 30.0),
            payment_provider_timeout_seconds=float(
                e.get("PAYMENT_PROVIDER_TIMEOUT_SECONDS") or 15.0),
        )
        return replace(s, **overrides) if overrides else s  # type: ignore[arg-type]


def _read_pem(path: str | None) -> str | None:
    if not path:
        return None
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def _tax_rates(value: str | None) -> dict[str, int]:
    """TAX_RATES="US-CA=7.25,US-NY=8.875,US-*=5" -> thousandths of a percent per region."""
    rates: dict[str, int] = {}
    for item in _list(value):
        region, _, percent = item.partition("=")
        whole, _, frac = percent.strip().partition(".")
        if not region.strip() or not whole.isdigit() or (frac and not frac.isdigit()):
            raise ValueError(f"TAX_RATES entry {item!r} is not REGION=PERCENT")
        rates[region.strip().upper()] = int(whole) * 1000 + int((frac + "000")[:3] or 0)
    return rates
