"""Settings shared by every service, read from the environment (CONTRACT §2).

    ConfigError            a required variable is missing or malformed; its message names it

Each service subclasses `ServiceSettings`, adds its own fields, and builds it
once in `__main__` through `load_settings`.
"""

from libs.config._settings import (
    DEFAULT_HTTP_PORTS,
    ConfigError,
    Environment,
    OAuthClientSettings,
    ServiceSettings,
    load_settings,
    redact_url,
)

__all__ = [
    "DEFAULT_HTTP_PORTS",
    "ConfigError",
    "Environment",
    "OAuthClientSettings",
    "ServiceSettings",
    "load_settings",
    "redact_url",
]
