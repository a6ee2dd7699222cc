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
DEV_STRIPE_WEBHOOK_SECRET = "whsec_dev_only_offline_provider_secret"
APP_ENVS = ("development", "production")


class ConfigError(ValueError):
    """A setting that cannot work, with what is wrong and how to fix it in one sentence; the
    `marketplace` command prints it on one line and exits 2 (README, Settings)."""


def _bool(value: str | None, default: bool, name: str = "") -> bool:
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    if word in {"1", "true", "yes", "on"}:
        return True
    if word in {"0", "false", "no", "off"}:
        return False
    label = f"{name}={value!r}" if name else repr(value)
    raise ConfigError(f"{label} is not true or false; set it to true or false "
                      "(or unset it for the default)")


def _int(value: str | None, default: int, name: str = "") -> int:
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        label = f"{name}={value!r}" if name else repr(value)
        raise ConfigError(f"{label} is not a whole number; set it to a number such "
                          f"as {default} (or unset it for the default, {default})") from None


def _float(value: str | None, default: float, name: str = "") -> float:
    if value is None or value.strip() == "":
        return default
    try:
        return float(value)
    except ValueError:
        label = f"{name}={value!r}" if name else repr(value)
        raise ConfigError(f"{label} is not a number; set it to a number of seconds "
                          f"such as {default} (or unset it for the default)") from None


def _list(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(v.strip() for v in value.split(",") if v.strip())


def database_url(value: str | None) -> str:
    """DATABASE_URL with the usual short forms accepted: `postgresql://` and `postgres://` mean
    asyncpg (`postgresql+asyncpg://`), `sqlite://` means aiosqlite. Anything else than SQLite or
    PostgreSQL through those drivers is a ConfigError."""
    url = (value or "").strip() or DEFAULT_DATABASE_URL
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme:
        raise ConfigError(f"DATABASE_URL={url!r} is not a database URL; use e.g. "
                          "postgresql://user:password@host:5432/dbname or "
                          "sqlite:///./marketplace.db")
    scheme = {"postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg",
              "postgresql+asyncpg": "postgresql+asyncpg", "sqlite": "sqlite+aiosqlite",
              "sqlite+aiosqlite": "sqlite+aiosqlite"}.get(scheme.lower(), "")
    if not scheme:
        raise ConfigError(f"DATABASE_URL uses {url.partition('://')[0]!r}: this service runs "
                          "on SQLite or PostgreSQL; use postgresql://user@host:5432/dbname "
                          "or sqlite:///./marketplace.db")
    return f"{scheme}://{rest}"


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
    stripe_webhook_secret: str = DEV_STRIPE_WEBHOOK_SECRET
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
    # --- shared state and events out (issue 11: Redis, NATS JetStream; docs/rules.md
    # "Events out and shared state")
    login_rate_limit_per_minute: int = 10  # login attempts per client address and email
    redis_url: str | None = None  # set: rate-limit windows live in Redis, shared by processes
    redis_key_prefix: str = "marketplace:"
    event_relay_url: str | None = None  # nats://host:4222: publish outbox events to JetStream
    event_stream: str = "MARKETPLACE"
    event_subject_prefix: str = "marketplace"
    event_relay_interval_seconds: float = 0.5
    # --- sessions and secrets (docs/rules.md "Sessions and secrets"): APP_ENV, the per-request
    # account check and its cache (Redis when REDIS_URL is set), trusted proxies, /metrics token
    app_env: str = "development"  # development or production
    account_cache_seconds: float = 5.0
    trusted_proxies: tuple[str, ...] = ()
    metrics_token: str | None = None

    # --- request limits (docs/rules.md, "Request limits"): HTTP bodies and WebSocket
    # messages, WebSocket connections per user and per client IP, subscriptions per socket.
    max_body_bytes: int = 1024 * 1024
    ws_max_connections_per_user: int = 50
    ws_max_connections_per_ip: int = 200
    ws_max_subscriptions_per_socket: int = 100
    # --- database faults and provider outages (docs/rules.md, "Database faults and provider
    # outages"): how long a write waits for a lock or a pooled connection before answering
    # SERVICE_UNAVAILABLE, the readiness probe's own bound, and the payment provider's breaker.
    db_lock_timeout_seconds: float = 5.0
    readiness_timeout_seconds: float = 1.0
    payment_breaker_failures: int = 5
    payment_breaker_cooldown_seconds: float = 30.0
    payment_provider_timeout_seconds: float = 15.0
    # --- response cache of anonymous catalogue reads (docs/rules.md, "Response cache"):
    # seconds a body is served (0: off), and the in-process bounds (entries, bytes of bodies).
    response_cache_ttl_seconds: float = 2.0
    response_cache_max_entries: int = 1000
    response_cache_max_bytes: int = 16 * 1024 * 1024
    # --- connection pools (docs/architecture.md, "Read connections"): connections per engine
    # (the write engine and the read engine each), no overflow connections
    db_pool_size: int = 16
    # --- documents (docs/rules.md, "Documents and persisted queries"): parsed and checked
    # documents kept per process; Automatic Persisted Queries and the persisted-only mode.
    document_cache_size: int = 1000
    persisted_query_cache_size: int = 10_000
    persisted_queries_only: bool = False
    persisted_queries_dir: str | None = None
    # --- execution
    compiled_execution: bool = True  # queries run from a compiled plan (docs/architecture.md)

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> "Settings":
        e = os.environ if env is None else env
        s = cls(
            database_url=database_url(e.get("DATABASE_URL")),
            jwt_algorithm=e.get("JWT_ALGORITHM", "HS256"),
            jwt_secret=e.get("JWT_SECRET") or DEV_JWT_SECRET,
            jwt_private_key_pem=_read_pem(e.get("JWT_PRIVATE_KEY_FILE"), "JWT_PRIVATE_KEY_FILE"),
            jwt_public_key_pem=_read_pem(e.get("JWT_PUBLIC_KEY_FILE"), "JWT_PUBLIC_KEY_FILE"),
            jwt_issuer=e.get("JWT_ISSUER", "marketplace-bff"),
            jwt_audience=e.get("JWT_AUDIENCE", "marketplace-clients"),
            access_token_ttl_seconds=_int(e.get("ACCESS_TOKEN_TTL_SECONDS"), 900,
                                          "ACCESS_TOKEN_TTL_SECONDS"),
            refresh_token_ttl_seconds=_int(e.get("REFRESH_TOKEN_TTL_SECONDS"), 30 * 24 * 3600,
                                           "REFRESH_TOKEN_TTL_SECONDS"),
            oidc_issuer=e.get("OIDC_ISSUER") or None,
            oidc_audience=e.get("OIDC_AUDIENCE") or None,
            oidc_jwks_url=e.get("OIDC_JWKS_URL") or None,
            oidc_algorithms=_list(e.get("OIDC_ALGORITHMS")) or ("RS256", "ES256"),
            oidc_jwks_cache_seconds=_int(e.get("OIDC_JWKS_CACHE_SECONDS"), 600,
                                         "OIDC_JWKS_CACHE_SECONDS"),
            max_query_depth=_int(e.get("MAX_QUERY_DEPTH"), 12, "MAX_QUERY_DEPTH"),
            max_aliases=_int(e.get("MAX_ALIASES"), 30, "MAX_ALIASES"),
            max_tokens=_int(e.get("MAX_TOKENS"), 2000, "MAX_TOKENS"),
            max_page_size=_int(e.get("MAX_PAGE_SIZE"), 100, "MAX_PAGE_SIZE"),
            max_query_cost=_int(e.get("MAX_QUERY_COST"), 10_000, "MAX_QUERY_COST"),
            max_batch_operations=_int(e.get("MAX_BATCH_OPERATIONS"), 10, "MAX_BATCH_OPERATIONS"),
            mutation_rate_limit_per_minute=_int(e.get("RATE_LIMIT_PER_MINUTE"), 60,
                                                "RATE_LIMIT_PER_MINUTE"),
            introspection=_bool(e.get("INTROSPECTION"), True, "INTROSPECTION"),
            graphiql=_bool(e.get("GRAPHIQL"), True, "GRAPHIQL"),
            cors_origins=_list(e.get("CORS_ORIGINS")),
            cart_hold_seconds=_int(e.get("CART_HOLD_SECONDS"), 15 * 60, "CART_HOLD_SECONDS"),
            checkout_session_seconds=_int(e.get("CHECKOUT_SESSION_SECONDS"), 30 * 60,
                                          "CHECKOUT_SESSION_SECONDS"),
            payment_due_seconds=_int(e.get("PAYMENT_DUE_SECONDS"), 30 * 60, "PAYMENT_DUE_SECONDS"),
            sweep_interval_seconds=_float(e.get("SWEEP_INTERVAL_SECONDS"), 30.0,
                                          "SWEEP_INTERVAL_SECONDS"),
            sweeper_enabled=_bool(e.get("SWEEPER_ENABLED"), True, "SWEEPER_ENABLED"),
            stripe_api_key=e.get("STRIPE_API_KEY") or None,
            stripe_api_base=e.get("STRIPE_API_BASE") or None,
            stripe_webhook_secret=e.get("STRIPE_WEBHOOK_SECRET")
            or DEV_STRIPE_WEBHOOK_SECRET,
            public_base_url=e.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000"),
            carrier_webhook_secret=e.get("CARRIER_WEBHOOK_SECRET")
            or DEV_CARRIER_WEBHOOK_SECRET,
            dispatch_interval_seconds=_float(e.get("DISPATCH_INTERVAL_SECONDS"), 1.0,
                                             "DISPATCH_INTERVAL_SECONDS"),
            dispatcher_enabled=_bool(e.get("DISPATCHER_ENABLED"), True, "DISPATCHER_ENABLED"),
            smtp_host=e.get("SMTP_HOST") or None,
            smtp_port=_int(e.get("SMTP_PORT"), 25, "SMTP_PORT"),
            smtp_from=e.get("SMTP_FROM") or "Marketplace <no-reply@marketplace.invalid>",
            log_sql=_bool(e.get("LOG_SQL"), False, "LOG_SQL"),
            tax_rates=_tax_rates(e.get("TAX_RATES")) or cls().tax_rates,
            # --- shared state and events out (issue 11)
            login_rate_limit_per_minute=_int(e.get("LOGIN_RATE_LIMIT_PER_MINUTE"), 10,
                                             "LOGIN_RATE_LIMIT_PER_MINUTE"),
            redis_url=e.get("REDIS_URL") or None,
            redis_key_prefix=e.get("REDIS_KEY_PREFIX") or "marketplace:",
            event_relay_url=e.get("EVENT_RELAY_URL") or None,
            event_stream=e.get("EVENT_STREAM") or "MARKETPLACE",
            event_subject_prefix=e.get("EVENT_SUBJECT_PREFIX") or "marketplace",
            event_relay_interval_seconds=_float(e.get("EVENT_RELAY_INTERVAL_SECONDS"), 0.5,
                                                "EVENT_RELAY_INTERVAL_SECONDS"),
            # --- sessions and secrets
            app_env=_app_env(e.get("APP_ENV")),
            account_cache_seconds=_float(e.get("ACCOUNT_CACHE_SECONDS"), 5.0,
                                         "ACCOUNT_CACHE_SECONDS"),
            trusted_proxies=_list(e.get("TRUSTED_PROXIES")),
            metrics_token=e.get("METRICS_TOKEN") or None,
            # --- request limits
            max_body_bytes=_int(e.get("MAX_BODY_BYTES"), 1024 * 1024,
                                "MAX_BODY_BYTES"),
            ws_max_connections_per_user=_int(e.get("WS_MAX_CONNECTIONS_PER_USER"), 50,
                                             "WS_MAX_CONNECTIONS_PER_USER"),
            ws_max_connections_per_ip=_int(e.get("WS_MAX_CONNECTIONS_PER_IP"), 200,
                                           "WS_MAX_CONNECTIONS_PER_IP"),
            ws_max_subscriptions_per_socket=_int(e.get("WS_MAX_SUBSCRIPTIONS_PER_SOCKET"), 100,
                                                 "WS_MAX_SUBSCRIPTIONS_PER_SOCKET"),
            # --- database faults and provider outages
            db_lock_timeout_seconds=_float(e.get("DB_LOCK_TIMEOUT_SECONDS"), 5.0,
                                           "DB_LOCK_TIMEOUT_SECONDS"),
            readiness_timeout_seconds=_float(e.get("READINESS_TIMEOUT_SECONDS"), 1.0,
                                             "READINESS_TIMEOUT_SECONDS"),
            payment_breaker_failures=_int(e.get("PAYMENT_BREAKER_FAILURES"), 5,
                                          "PAYMENT_BREAKER_FAILURES"),
            payment_breaker_cooldown_seconds=_float(e.get("PAYMENT_BREAKER_COOLDOWN_SECONDS"),
                                                    30.0, "PAYMENT_BREAKER_COOLDOWN_SECONDS"),
            payment_provider_timeout_seconds=_float(e.get("PAYMENT_PROVIDER_TIMEOUT_SECONDS"),
                                                    15.0, "PAYMENT_PROVIDER_TIMEOUT_SECONDS"),
            # --- response cache
            response_cache_ttl_seconds=_float(e.get("RESPONSE_CACHE_TTL_SECONDS"), 2.0,
                                              "RESPONSE_CACHE_TTL_SECONDS"),
            response_cache_max_entries=_int(e.get("RESPONSE_CACHE_MAX_ENTRIES"), 1000,
                                            "RESPONSE_CACHE_MAX_ENTRIES"),
            response_cache_max_bytes=_int(e.get("RESPONSE_CACHE_MAX_BYTES"), 16 * 1024 * 1024,
                                          "RESPONSE_CACHE_MAX_BYTES"),
            db_pool_size=_int(e.get("DB_POOL_SIZE"), 16, "DB_POOL_SIZE"),
            # --- documents
            document_cache_size=_int(e.get("DOCUMENT_CACHE_SIZE"), 1000, "DOCUMENT_CACHE_SIZE"),
            persisted_query_cache_size=_int(e.get("PERSISTED_QUERY_CACHE_SIZE"), 10_000,
                                            "PERSISTED_QUERY_CACHE_SIZE"),
            persisted_queries_only=_bool(e.get("PERSISTED_QUERIES_ONLY"), False,
                                         "PERSISTED_QUERIES_ONLY"),
            persisted_queries_dir=e.get("PERSISTED_QUERIES_DIR") or None,
            # --- execution
            compiled_execution=_bool(e.get("COMPILED_EXECUTION"), True, "COMPILED_EXECUTION"),
        )
        return replace(s, **overrides) if overrides else s  # type: ignore[arg-type]


def _app_env(value: str | None) -> str:
    env = (value or "development").strip().lower()
    if env not in APP_ENVS:
        raise ConfigError(f"APP_ENV must be one of {', '.join(APP_ENVS)}, not {value!r}")
    return env


def _read_pem(path: str | None, name: str) -> str | None:
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError as exc:
        raise ConfigError(f"{name}={path}: cannot read it ({exc.strerror or exc}); point it at "
                          "a readable PEM key file, or unset it with JWT_ALGORITHM=HS256") from None


def _tax_rates(value: str | None) -> dict[str, int]:
    """TAX_RATES="US-CA=7.25,US-NY=8.875,US-*=5" -> thousandths of a percent per region."""
    rates: dict[str, int] = {}
    for item in _list(value):
        region, _, percent = item.partition("=")
        whole, _, frac = percent.strip().partition(".")
        if not region.strip() or not whole.isdigit() or (frac and not frac.isdigit()):
            raise ConfigError(f"TAX_RATES entry {item!r} is not REGION=PERCENT; write it like "
                              "US-CA=7.25,US-*=5")
        rates[region.strip().upper()] = int(whole) * 1000 + int((frac + "000")[:3] or 0)
    return rates
