from __future__ import annotations

import logging
import sys
from typing import Any

import orjson
import structlog

_SECRET_NAMES = frozenset(
    {"password", "secret", "token", "authorization", "api_key", "cookie", "encryption_keys"}
)
_SECRET_SUFFIXES = ("_password", "_secret", "_secrets", "_token", "_api_key")


def is_secret_name(name: str) -> bool:
    """True for field names that hold credentials (`client_secret`, `refresh_token`, ...)."""
    lowered = name.lower()
    return lowered in _SECRET_NAMES or lowered.endswith(_SECRET_SUFFIXES)


def _mask_secrets(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """Last line of defence: a value logged under a credential's name is masked."""
    for key in event_dict:
        if is_secret_name(key):
            event_dict[key] = "***"
    return event_dict


def _dumps(obj: Any, default: Any = None) -> str:
    return orjson.dumps(obj, default=default).decode()


def configure_logging(service: str, level: str = "info") -> None:
    """Send structlog JSON lines (and stdlib logging through the same renderer) to stdout.

    Context bound with `structlog.contextvars.bind_contextvars` (the consumer
    binds event_id, event_type, tenant_id and attempt) appears on every line
    logged while handling that message.
    """
    numeric = logging.getLevelNamesMapping()[level.upper()]
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _mask_secrets,
    ]
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(serializer=_dumps),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(service=service)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.JSONRenderer(serializer=_dumps),
            ],
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(max(numeric, logging.INFO))
    # aio-pika/aiormq log every reconnect attempt with a traceback at ERROR; we count them.
    logging.getLogger("aiormq").setLevel(logging.WARNING)
    logging.getLogger("aio_pika").setLevel(logging.WARNING)


def get_logger(name: str) -> Any:
    """A structlog logger named after its module."""
    return structlog.get_logger(name)
