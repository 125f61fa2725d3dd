from __future__ import annotations

import pytest

from libs.config import ConfigError, Environment, ServiceSettings, load_settings


def test_defaults_match_the_contract(monkeypatch):
    for name in ("AMQP_URL", "DATABASE_URL", "BROKER_PREFIX", "HTTP_PORT", "SWITCHYARD_ENV"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(ServiceSettings, switchyard_env=Environment.DEV)
    assert str(settings.amqp_url) == "amqp://guest:guest@127.0.0.1:5672/"
    assert str(settings.database_url) == "postgresql://postgres@127.0.0.1:5432/switchyard"
    assert settings.broker_prefix == "switchyard"
    assert settings.port_for("ingress") == 8000
    assert settings.port_for("router") == 9101


def test_malformed_variable_is_named_without_echoing_its_value(monkeypatch):
    monkeypatch.setenv("SWITCHYARD_ENV", "test")
    monkeypatch.setenv("DATABASE_URL", "mysql://root:hunter2@db/x")
    with pytest.raises(ConfigError) as raised:
        load_settings(ServiceSettings)
    message = str(raised.value)
    assert "DATABASE_URL is malformed" in message
    assert "hunter2" not in message


def test_production_without_encryption_keys_fails_closed(monkeypatch):
    monkeypatch.setenv("SWITCHYARD_ENV", "prod")
    monkeypatch.delenv("ENCRYPTION_KEYS", raising=False)
    with pytest.raises(ConfigError, match="ENCRYPTION_KEYS is required"):
        load_settings(ServiceSettings)


def test_secrets_are_masked_in_repr(monkeypatch):
    monkeypatch.setenv("SWITCHYARD_ENV", "test")
    monkeypatch.setenv("ENCRYPTION_KEYS", "very-secret-key")
    settings = load_settings(ServiceSettings)
    assert "very-secret-key" not in repr(settings)


def test_retry_tiers_are_read_in_milliseconds(monkeypatch):
    monkeypatch.setenv("SWITCHYARD_ENV", "test")
    monkeypatch.setenv("RETRY_TIERS_MS", "5,250,2000")
    assert load_settings(ServiceSettings).retry_tiers == (0.005, 0.25, 2.0)
