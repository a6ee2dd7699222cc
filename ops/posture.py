"""What a production server refuses to start with (docs/rules.md, "Sessions and secrets").

With APP_ENV=production every secret must be set to a value of its own: not the development
default that ships in the repository, and at least MIN_SECRET_BYTES long. The secrets are
- JWT_SECRET (HS256 only: RS256 / ES256 use key files, which TokenIssuer already requires);
- CARRIER_WEBHOOK_SECRET (HMAC of POST /webhooks/carrier);
- STRIPE_WEBHOOK_SECRET: Stripe's endpoint secret when STRIPE_API_KEY is set, else the key the
  offline provider signs its webhooks and action links with;
- METRICS_TOKEN, when set (without it /metrics is closed in production).
Development (the default, `./dev demo`) accepts the defaults.
"""
from __future__ import annotations

from settings import (
    DEV_CARRIER_WEBHOOK_SECRET,
    DEV_JWT_SECRET,
    DEV_STRIPE_WEBHOOK_SECRET,
    Settings,
)
from adapters.security.tokens import MIN_SECRET_BYTES


class InsecureSettings(ValueError):
    """APP_ENV=production with a default or too short secret; the message is one line."""


def _secret_problem(name: str, value: str | None, default: str | None) -> str | None:
    if not value:
        return f"{name} is not set"
    if default is not None and value == default:
        return f"{name} is the development default"
    if len(value.encode()) < MIN_SECRET_BYTES:
        return f"{name} is shorter than {MIN_SECRET_BYTES} bytes"
    return None


def production_problems(settings: Settings) -> list[str]:
    """Every reason this configuration must not serve production traffic ([] in development)."""
    if not settings.is_production:
        return []
    checks: list[tuple[str, str | None, str | None]] = []
    if settings.jwt_algorithm == "HS256":
        checks.append(("JWT_SECRET", settings.jwt_secret, DEV_JWT_SECRET))
    checks.append(("CARRIER_WEBHOOK_SECRET", settings.carrier_webhook_secret,
                   DEV_CARRIER_WEBHOOK_SECRET))
    checks.append(("STRIPE_WEBHOOK_SECRET", settings.stripe_webhook_secret,
                   DEV_STRIPE_WEBHOOK_SECRET))
    if settings.metrics_token is not None:
        checks.append(("METRICS_TOKEN", settings.metrics_token, None))
    return [p for name, value, default in checks
            if (p := _secret_problem(name, value, default)) is not None]


def check_production(settings: Settings) -> None:
    """Raises InsecureSettings (one line naming each offending setting) when the settings
    must not serve production traffic."""
    problems = production_problems(settings)
    if problems:
        raise InsecureSettings("APP_ENV=production refuses to start: " + "; ".join(problems)
                               + " (set each to a random secret of at least "
                               f"{MIN_SECRET_BYTES} bytes)")
