from __future__ import annotations

from dataclasses import dataclass

from libs.broker import BrokerConnection, Publisher, Topology
from libs.crypto import SecretBox
from libs.db import Database
from libs.egress import EgressPolicy
from services.admin.auth.rate_limit import SlidingWindow
from services.admin.auth.tokens import TokenIssuer
from services.erp_sync.connect import ErpConnector


@dataclass(frozen=True)
class LoginPolicy:
    """Brute-force limits: lock an account after `max_failures` wrong passwords in a row,
    and let one client address try at most `attempts` allows (per process)."""

    attempts: SlidingWindow
    max_failures: int = 5
    lockout_s: int = 900


@dataclass(frozen=True)
class AdminDeps:
    """Everything the admin handlers use; built once by `bootstrap.build`."""

    db: Database
    box: SecretBox
    tokens: TokenIssuer
    refresh_ttl_s: int
    login: LoginPolicy
    broker: BrokerConnection
    publisher: Publisher
    topology: Topology
    consuming_services: tuple[str, ...]
    retry_tiers: tuple[float, ...]
    erp: ErpConnector
    public_base_url: str
    egress: EgressPolicy  # what tenants' webhook endpoint URLs may reach (outbound's policy)
