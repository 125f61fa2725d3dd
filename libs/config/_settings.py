from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from pydantic import (
    AmqpDsn,
    BaseModel,
    Field,
    PostgresDsn,
    SecretStr,
    ValidationError,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict
from yarl import URL

DEFAULT_HTTP_PORTS: dict[str, int] = {
    "ingress": 8000,
    "admin": 8001,
    "sandbox": 8099,
    "router": 9101,
    "erp_sync": 9102,
    "fiscalizer": 9103,
    "whatsapp_bot": 9104,
    "outbound": 9105,
}


class Environment(StrEnum):
    DEV = "dev"
    TEST = "test"
    PROD = "prod"


class ConfigError(Exception):
    """Startup configuration is missing or malformed; `str()` names every bad variable."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid configuration:\n" + "\n".join(f"  - {p}" for p in problems))


class ServiceSettings(BaseSettings):
    """What every service reads from the environment (CONTRACT §2).

    Secrets are `SecretStr`, so `repr()` and logs show `**********`.
    """

    model_config = SettingsConfigDict(frozen=True, extra="ignore", case_sensitive=False)

    switchyard_env: Environment = Environment.PROD
    amqp_url: AmqpDsn = AmqpDsn("amqp://guest:guest@127.0.0.1:5672/")
    database_url: PostgresDsn = PostgresDsn("postgresql://postgres@127.0.0.1:5432/switchyard")
    broker_prefix: str = Field(default="switchyard", pattern=r"^[a-z0-9][a-z0-9_.-]{0,62}$")
    http_host: str = "127.0.0.1"
    # None: the service's port from DEFAULT_HTTP_PORTS; 0: any free port (tests).
    http_port: int | None = Field(default=None, ge=0, le=65535)
    public_base_url: str = "http://127.0.0.1:8000"
    encryption_keys: SecretStr | None = None
    log_level: str = Field(default="info", pattern=r"^(debug|info|warning|error)$")
    # Retry tiers of this service's consumer, in milliseconds (comma-separated).
    retry_tiers_ms: str = Field(default="1000,10000,60000,600000,3600000", pattern=r"^\d+(,\d+)*$")
    prefetch: int = Field(default=100, ge=1, le=2000)
    shutdown_timeout_s: float = Field(default=30.0, gt=0)

    @model_validator(mode="after")
    def _secrets_required_outside_dev(self) -> ServiceSettings:
        # fail closed: production never runs with a default or absent encryption key.
        if self.switchyard_env is Environment.PROD and self.encryption_keys is None:
            raise ValueError("ENCRYPTION_KEYS is required when SWITCHYARD_ENV=prod")
        return self

    def port_for(self, service: str) -> int:
        """The HTTP port `service` listens on: HTTP_PORT if set, else its CONTRACT default."""
        return self.http_port if self.http_port is not None else DEFAULT_HTTP_PORTS.get(service, 0)

    @property
    def retry_tiers(self) -> tuple[float, ...]:
        """Retry tier delays in seconds, in order."""
        return tuple(int(ms) / 1000 for ms in self.retry_tiers_ms.split(","))


class OAuthClientSettings(BaseModel):
    """CONTRACT §2's `<PROVIDER>_CLIENT_ID` / `_CLIENT_SECRET` for the three ERPs' OAuth apps.

    Mixed into the settings of every service that speaks OAuth with them: erp_sync and
    admin as the client, the sandbox as the provider that must recognise it.
    """

    quickbooks_client_id: str | None = None
    quickbooks_client_secret: SecretStr | None = None
    xero_client_id: str | None = None
    xero_client_secret: SecretStr | None = None
    zoho_client_id: str | None = None
    zoho_client_secret: SecretStr | None = None


def redact_url(url: str) -> str:
    """`url` with its password masked: how a broker or database URL may appear in a message or log."""
    parsed = URL(url)
    return str(parsed.with_password("***")) if parsed.password else url


SettingsT = TypeVar("SettingsT", bound=BaseSettings)


def load_settings(cls: type[SettingsT], **overrides: Any) -> SettingsT:
    """Build `cls` from the environment; raise `ConfigError` naming each bad variable.

    The message carries the variable name and pydantic's reason, never the
    value: a malformed secret must not end up in a terminal or a log.
    """
    try:
        return cls(**overrides)
    except ValidationError as exc:
        raise ConfigError([_describe(error) for error in exc.errors()]) from None


def _describe(error: Any) -> str:
    location = [str(part) for part in error.get("loc", ())]
    if not location:
        return str(error.get("msg", "invalid"))
    variable = location[0].upper()
    if error.get("type") == "missing":
        return f"{variable} is required but not set"
    return f"{variable} is malformed: {error.get('msg', 'invalid')}"
