"""Fault injection: make a simulated provider slow, failing or garbled on purpose.

    PUT /_sandbox/faults/{provider}   a FaultRule (scoped to one account, or all)
    DELETE /_sandbox/faults/{provider}

    a request ──> matching rule? ── latency_ms ──> error_rate draw ──> Fault(status, body, when)
                                                   (count left? then auto-clear at 0)

`when="before"` answers the fault instead of running the handler; `"after"` runs it (the
invoice is created, the token issued) and then answers the fault: the lost-response case.
`latency_when="after"` waits after the handler ran and before answering: the provider
has acted, the caller does not know yet (where a crash mid-flow hurts most).
`body="json"` answers `json` with HTTP 200 instead of the real record: a provider whose
answer lacks or garbles fields. `body="drop"` closes the connection without any answer (with
`when="after"`: the effect happened, the caller sees only a disconnect).
`return_code` (EFRIS only) answers HTTP 200 with that code in the envelope's
`returnStateInfo` (99 unknown error, 9901 TCS busy, 46 database error...), as URA reports
its own failures; `paths` then scopes by interface code (`["T109"]`).
The random source is seeded from settings (`SANDBOX_FAULT_SEED`), so a run is reproducible.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PROVIDERS = (
    "quickbooks", "intuit-oauth", "xero", "xero-identity", "zoho", "zoho-accounts", "efris",
)  # fmt: skip
CODED_PROVIDERS = ("efris",)  # answer their own failures in the body: `return_code` applies

BodyKind = Literal["fault", "malformed", "empty", "json", "drop"]
When = Literal["before", "after", "either"]


class FaultRule(BaseModel):
    """What `PUT /_sandbox/faults/{provider}` takes."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    account_id: str | None = Field(default=None, min_length=1, max_length=200)
    error_rate: float = Field(default=1.0, ge=0.0, le=1.0)
    statuses: tuple[int, ...] = Field(default=(500,), min_length=1, max_length=20)
    latency_ms: int = Field(default=0, ge=0, le=60_000)
    latency_when: Literal["before", "after"] = "before"
    body: BodyKind = "fault"
    json_body: dict[str, Any] | list[Any] | None = Field(default=None, alias="json")
    when: When = "before"
    count: int | None = Field(default=None, ge=1)
    paths: tuple[str, ...] | None = None
    return_code: str | None = Field(default=None, pattern=r"^[0-9]{2,4}$")

    @field_validator("statuses")
    @classmethod
    def _error_statuses(cls, statuses: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 400 <= status <= 599 for status in statuses):
            raise ValueError("statuses must be HTTP error codes (400-599)")
        return statuses

    @model_validator(mode="after")
    def _json_with_its_body(self) -> FaultRule:
        if (self.body == "json") != (self.json_body is not None):
            raise ValueError('body "json" and a json answer go together')
        if self.return_code is not None and self.body != "fault":
            raise ValueError('a return_code is answered as the provider\'s own body ("fault")')
        return self

    @field_validator("paths", mode="before")
    @classmethod
    def _one_or_many(cls, paths: object) -> object:
        return [paths] if isinstance(paths, str) else paths


@dataclass(frozen=True)
class Fault:
    """One fault to answer: `status`, the kind of `body`, and whether it comes before or after."""

    status: int
    body: BodyKind
    when: Literal["before", "after"]
    json_body: dict[str, Any] | list[Any] | None = None
    return_code: str | None = None


@dataclass(frozen=True)
class Draw:
    """What the fault rules decided for one request."""

    latency_s: float = 0.0
    latency_after: bool = False
    fault: Fault | None = None


@dataclass
class _Active:
    rule: FaultRule
    remaining: int | None


class Faults:
    """The active rules, at most one per (provider, account scope)."""

    def __init__(self, *, seed: int | None) -> None:
        self._seed = seed
        self._random = random.Random(seed)  # noqa: S311 - simulation, not cryptography
        self._rules: dict[tuple[str, str | None], _Active] = {}

    def set(self, provider: str, rule: FaultRule) -> None:
        """Install `rule` for `provider`, replacing one with the same account scope."""
        self._rules[(provider, rule.account_id)] = _Active(rule=rule, remaining=rule.count)

    def clear(self, provider: str) -> int:
        """Remove every rule of `provider`; how many there were."""
        keys = [key for key in self._rules if key[0] == provider]
        for key in keys:
            del self._rules[key]
        return len(keys)

    def rules(self) -> list[tuple[str, FaultRule]]:
        """The active rules as (provider, rule)."""
        return [(provider, active.rule) for (provider, _), active in self._rules.items()]

    def draw(self, provider: str, *, account_id: str | None, path: str) -> Draw:
        """Decide latency and fault for one request to `provider` about `account_id`."""
        key = (provider, account_id) if (provider, account_id) in self._rules else (provider, None)
        active = self._rules.get(key)
        if active is None or not _covers(active.rule, path):
            return Draw()
        rule = active.rule
        latency = rule.latency_ms / 1000
        after = rule.latency_when == "after"
        if self._random.random() >= rule.error_rate:
            return Draw(latency_s=latency, latency_after=after)
        if active.remaining is not None:
            active.remaining -= 1
            if active.remaining <= 0:
                del self._rules[key]
        when = rule.when if rule.when != "either" else self._random.choice(("before", "after"))
        status = self._random.choice(rule.statuses)
        fault = Fault(status=status, body=rule.body, when=when, json_body=rule.json_body,
                      return_code=rule.return_code)  # fmt: skip
        return Draw(latency_s=latency, latency_after=after, fault=fault)

    def reset(self) -> None:
        """No rules, and the random source back at its seed."""
        self._rules.clear()
        self._random.seed(self._seed)


def _covers(rule: FaultRule, path: str) -> bool:
    return rule.paths is None or any(part in path for part in rule.paths)
