"""APP_ENV=production refuses default or short secrets (ops/posture.py), naming each."""
from __future__ import annotations

import pytest

from ops.posture import InsecureSettings, check_production, production_problems
from settings import Settings

STRONG = "s" * 40
PRODUCTION = {"APP_ENV": "production", "JWT_SECRET": "j" * 40, "CARRIER_WEBHOOK_SECRET": "c" * 40,
              "STRIPE_WEBHOOK_SECRET": "whsec_" + "w" * 32}


def test_development_is_the_default_and_accepts_the_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.app_env == "development" and not settings.is_production
    assert production_problems(settings) == []


def test_app_env_must_be_known() -> None:
    with pytest.raises(ValueError, match="APP_ENV"):
        Settings.from_env({"APP_ENV": "prod"})


def test_production_names_every_default_secret_on_one_line() -> None:
    settings = Settings.from_env({"APP_ENV": "production"})
    with pytest.raises(InsecureSettings) as refused:
        check_production(settings)
    line = str(refused.value)
    assert "\n" not in line
    for name in ("JWT_SECRET", "CARRIER_WEBHOOK_SECRET", "STRIPE_WEBHOOK_SECRET"):
        assert f"{name} is the development default" in line


@pytest.mark.parametrize("name", ["JWT_SECRET", "CARRIER_WEBHOOK_SECRET",
                                  "STRIPE_WEBHOOK_SECRET", "METRICS_TOKEN"])
def test_production_refuses_a_short_secret(name: str) -> None:
    settings = Settings.from_env({**PRODUCTION, "METRICS_TOKEN": STRONG, name: "short"})
    assert production_problems(settings) == [f"{name} is shorter than 32 bytes"]


def test_production_with_proper_secrets_passes() -> None:
    check_production(Settings.from_env(PRODUCTION))
    check_production(Settings.from_env({**PRODUCTION, "METRICS_TOKEN": STRONG}))


def test_an_asymmetric_jwt_needs_no_secret() -> None:
    settings = Settings.from_env({**PRODUCTION, "JWT_ALGORITHM": "RS256", "JWT_SECRET": ""})
    assert production_problems(settings) == []


def test_trusted_proxies_and_metrics_token_are_read() -> None:
    settings = Settings.from_env({"TRUSTED_PROXIES": "10.0.0.1, 10.0.0.2",
                                  "METRICS_TOKEN": STRONG})
    assert settings.trusted_proxies == ("10.0.0.1", "10.0.0.2")
    assert settings.metrics_token == STRONG
    assert Settings.from_env({}).trusted_proxies == ()
