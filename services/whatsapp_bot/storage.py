"""The WhatsApp bot's table: each tenant's WhatsApp numbers and how their bot answers.

    whatsapp_accounts(id, tenant_id, phone_number_id, access_token, model, system_prompt,
                      temperature, active, created_at)

`id` is the chatbot id, which is also the router's connection id for the number's
events. The Graph API access token is encrypted with the platform's SecretBox;
the admin's reads (`accounts_of`, and every returned view) never include it;
only the bot's `access_token` decrypts it. At most one active account per phone number id.

    NumberTaken     another active account already answers this phone number id
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from libs.crypto import SecretBox
from libs.db import Connection, Database, executor

_SELECT_VIEW = (
    "SELECT id, tenant_id, phone_number_id, model, system_prompt, temperature, active, created_at "
    "FROM whatsapp_accounts "
)


class NumberTaken(Exception):
    """Another active bot already answers this phone number id (`phone_number_id`)."""

    def __init__(self, phone_number_id: str) -> None:
        super().__init__(f"phone number id {phone_number_id} already has an active bot")
        self.phone_number_id = phone_number_id


@dataclass(frozen=True)
class WhatsAppAccountView:
    """A WhatsApp account without its access token."""

    id: str
    tenant_id: str
    phone_number_id: str
    model: str
    system_prompt: str
    temperature: float
    active: bool
    created_at: datetime


async def create_account(
    db: Database | Connection,
    box: SecretBox,
    *,
    tenant_id: str,
    phone_number_id: str,
    access_token: str,
    model: str,
    system_prompt: str,
    temperature: float,
) -> WhatsAppAccountView:
    """A new active account (its id is a new chatbot id); raises `NumberTaken`."""
    try:
        row = await executor(db).fetchrow(
            "INSERT INTO whatsapp_accounts (id, tenant_id, phone_number_id, access_token, model, "
            "system_prompt, temperature) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
            f"bot_{uuid.uuid4().hex[:16]}", tenant_id, phone_number_id,
            box.encrypt(access_token), model, system_prompt, temperature,
        )  # fmt: skip
    except asyncpg.UniqueViolationError:
        raise NumberTaken(phone_number_id) from None
    assert row is not None  # INSERT ... RETURNING always returns the row
    return _view(row)


async def accounts_of(db: Database, *, tenant_id: str) -> list[WhatsAppAccountView]:
    """The tenant's accounts, active and deactivated, oldest first."""
    rows = await db.pool.fetch(
        _SELECT_VIEW + "WHERE tenant_id = $1 ORDER BY created_at, id",
        tenant_id,
    )
    return [_view(row) for row in rows]


async def deactivate_account(
    db: Database | Connection, *, tenant_id: str, account_id: str
) -> WhatsAppAccountView | None:
    """Stop the bot; the account as it was, or None when the tenant has no such active account."""
    row = await executor(db).fetchrow(
        "UPDATE whatsapp_accounts SET active = false WHERE id = $1 AND tenant_id = $2 AND active "
        "RETURNING *",
        account_id,
        tenant_id,
    )
    return _view(row) if row else None


async def access_token(db: Database, box: SecretBox, *, account_id: str) -> str | None:
    """The decrypted Graph API token of an active account (the bot's read), or None."""
    value = await db.pool.fetchval(
        "SELECT access_token FROM whatsapp_accounts WHERE id = $1 AND active", account_id
    )
    return box.decrypt(value) if value is not None else None


def _view(row: asyncpg.Record) -> WhatsAppAccountView:
    """The row without its access token."""
    return WhatsAppAccountView(
        id=row["id"], tenant_id=row["tenant_id"], phone_number_id=row["phone_number_id"],
        model=row["model"], system_prompt=row["system_prompt"], temperature=row["temperature"],
        active=row["active"], created_at=row["created_at"],
    )  # fmt: skip
