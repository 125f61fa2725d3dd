"""The admin service's composition root."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from pydantic import Field, SecretStr

from libs.broker import Exchange, Subscription
from libs.config import Environment, ServiceSettings
from libs.egress import EgressSettings
from libs.http import ProviderHttp
from libs.service import Platform, ServiceSpec, StartupError
from services.admin.auth.rate_limit import SlidingWindow
from services.admin.auth.tokens import TokenIssuer
from services.admin.deps import AdminDeps, LoginPolicy
from services.admin.handlers.record_activity import record_activity
from services.admin.http import create_app
from services.erp_sync.apps import ErpAppSettings
from services.erp_sync.bootstrap import now
from services.erp_sync.connect import ErpConnector

NAME = "admin"
CONSUMING_SERVICES = ("router", "erp_sync", "fiscalizer", "whatsapp_bot", "outbound", "admin")


class AdminSettings(ServiceSettings, EgressSettings, ErpAppSettings):
    jwt_secret: SecretStr | None = None
    access_token_ttl_s: int = Field(default=900, ge=60, le=3600)
    refresh_token_ttl_s: int = Field(default=14 * 86400, ge=3600)
    login_max_failures: int = Field(default=5, ge=1)
    login_attempts_per_minute: int = Field(default=20, ge=1)
    login_lockout_s: int = Field(default=900, ge=1)
    # The consuming services whose queues and DLQs /api/ops shows (comma-separated).
    ops_services: str = Field(
        default=",".join(CONSUMING_SERVICES), pattern=r"^[a-z0-9_]+(,[a-z0-9_]+)*$"
    )

    @property
    def consuming_services(self) -> tuple[str, ...]:
        return tuple(self.ops_services.split(","))


@asynccontextmanager
async def build(settings: AdminSettings, platform: Platform) -> AsyncIterator[AdminDeps]:
    db = platform.database
    box = platform.secret_box(needed_for="admin stores encrypted credentials")
    if settings.jwt_secret is None:
        if settings.switchyard_env is Environment.PROD:
            raise StartupError("JWT_SECRET is required")
        raise StartupError("JWT_SECRET is required (make run generates one in .devstack.env)")
    try:
        tokens = TokenIssuer(
            secret=settings.jwt_secret.get_secret_value(), access_ttl_s=settings.access_token_ttl_s
        )
    except ValueError as exc:
        raise StartupError(str(exc)) from None
    async with ProviderHttp.open() as http:
        yield AdminDeps(
            db=db,
            box=box,
            tokens=tokens,
            refresh_ttl_s=settings.refresh_token_ttl_s,
            login=LoginPolicy(
                attempts=SlidingWindow(limit=settings.login_attempts_per_minute, window_s=60),
                max_failures=settings.login_max_failures,
                lockout_s=settings.login_lockout_s,
            ),
            broker=platform.broker,
            publisher=platform.publisher,
            topology=platform.topology,
            consuming_services=settings.consuming_services,
            retry_tiers=settings.retry_tiers,
            erp=ErpConnector.build(
                settings,
                http,
                db=db,
                box=box,
                state_secret=settings.jwt_secret.get_secret_value(),
                events_exchange=platform.topology.exchange(Exchange.EVENTS),
                clock=now,
            ),
            public_base_url=settings.public_base_url,
            egress=settings.egress,
        )


def subscriptions(deps: AdminDeps) -> Sequence[Subscription[Any, AdminDeps]]:
    # Every tenant event is activity and usage; `#` binds the whole events exchange.
    return [Subscription(Exchange.EVENTS, "#", record_activity)]


SPEC = ServiceSpec(
    name=NAME,
    settings=AdminSettings,
    bootstrap=build,
    subscriptions=subscriptions,
    create_app=create_app,
)
