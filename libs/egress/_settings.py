from __future__ import annotations

from pydantic import BaseModel, field_validator

from libs.egress._policy import EgressPolicy


class EgressSettings(BaseModel):
    """`OUTBOUND_ALLOWED_NETWORKS` / `OUTBOUND_REQUIRE_HTTPS`, mixed into the settings of every
    service that judges tenants' URLs: outbound (deliveries) and admin (registration), so
    registration refuses exactly what delivery would."""

    # CIDRs reachable although private: the sandbox, tests' local receivers.
    outbound_allowed_networks: str = ""
    outbound_require_https: bool = False

    @field_validator("outbound_allowed_networks")
    @classmethod
    def _networks(cls, value: str) -> str:
        EgressPolicy.from_text(value)  # raises ValueError naming the bad entry
        return value

    @property
    def egress(self) -> EgressPolicy:
        return EgressPolicy.from_text(
            self.outbound_allowed_networks, require_https=self.outbound_require_https
        )
