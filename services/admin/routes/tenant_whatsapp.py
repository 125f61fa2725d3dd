"""A tenant's WhatsApp numbers and their AI bots: register, list, remove.

Registering one stores, in one transaction: the bot (its Graph API access token
encrypted, its model settings) in the whatsapp_bot service's table, the verify
token's digest for ingress (Meta's subscription handshake), and the router's
route from the phone number id to the bot (the bot id is the connection id).
Removing one undoes all three. Responses never include either token.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from services.admin.deps import AdminDeps
from services.admin.endpoints import Access, Call, Endpoint
from services.admin.errors import Conflict, NotFound
from services.admin.plans import Resource
from services.admin.quota import allow_one_more
from services.admin.storage import audit
from services.ingress.storage import deactivate, register_whatsapp_verify_token
from services.router.storage import link_account, unlink_account
from services.whatsapp_bot import storage as bots

PROVIDER = "whatsapp"
WEBHOOK_PATH = "/webhooks/whatsapp"  # one callback URL for every number (Meta app setting)


class RegisterWhatsApp(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone_number_id: str = Field(pattern=r"^[0-9]{5,30}$")
    access_token: SecretStr = Field(min_length=10, max_length=4096)
    verify_token: SecretStr = Field(min_length=8, max_length=256)
    model: str = Field(min_length=1, max_length=100)
    system_prompt: str = Field(min_length=1, max_length=8000)
    temperature: float = Field(default=0.3, ge=0, le=2)


class WhatsAppAccount(BaseModel):
    id: str = Field(description="the bot id; also the connection id of its route")
    phone_number_id: str
    model: str
    system_prompt: str
    temperature: float
    active: bool
    created_at: datetime
    webhook_path: str = WEBHOOK_PATH


class WhatsAppAccountList(BaseModel):
    items: list[WhatsAppAccount]


async def register_whatsapp_account(
    call: Call[RegisterWhatsApp, None], deps: AdminDeps
) -> WhatsAppAccount:
    """Connect a WhatsApp number to a new bot; 409 when the number already has one."""
    tenant_id, body = call.who().tenant(), call.body
    live = [a for a in await bots.accounts_of(deps.db, tenant_id=tenant_id) if a.active]
    await allow_one_more(deps.db, tenant_id=tenant_id, resource=Resource.WHATSAPP_ACCOUNTS,
                         in_use=len(live))  # fmt: skip
    async with deps.db.transaction() as tx:
        try:
            account = await bots.create_account(
                tx, deps.box, tenant_id=tenant_id, phone_number_id=body.phone_number_id,
                access_token=body.access_token.get_secret_value(), model=body.model,
                system_prompt=body.system_prompt, temperature=body.temperature,
            )  # fmt: skip
        except bots.NumberTaken:
            raise Conflict("this phone number id already has an active bot") from None
        if not await register_whatsapp_verify_token(
            tx, tenant_id=tenant_id, phone_number_id=body.phone_number_id,
            verify_token=body.verify_token.get_secret_value(),
        ):  # fmt: skip
            raise Conflict("this phone number id belongs to another client")
        await link_account(tx, tenant_id=tenant_id, provider=PROVIDER,
                           account_id=body.phone_number_id, connection_id=account.id)  # fmt: skip
        await audit.record(tx, actor=call.who(), action="whatsapp_account.registered",
                           target=account.id, tenant_id=tenant_id,
                           details={"phone_number_id": body.phone_number_id,
                                    "model": body.model})  # fmt: skip
    return _view(account)


async def list_whatsapp_accounts(call: Call[None, None], deps: AdminDeps) -> WhatsAppAccountList:
    """The tenant's numbers and bot settings, without tokens."""
    accounts = await bots.accounts_of(deps.db, tenant_id=call.who().tenant())
    return WhatsAppAccountList(items=[_view(account) for account in accounts])


async def remove_whatsapp_account(call: Call[None, None], deps: AdminDeps) -> None:
    """Stop the bot, its route and its verify token together."""
    tenant_id = call.who().tenant()
    async with deps.db.transaction() as tx:
        account = await bots.deactivate_account(
            tx, tenant_id=tenant_id, account_id=call.path["account_id"]
        )
        if account is None:
            raise NotFound("no such active WhatsApp account")
        await unlink_account(tx, tenant_id=tenant_id, provider=PROVIDER,
                             account_id=account.phone_number_id, connection_id=account.id)  # fmt: skip
        await deactivate(tx, tenant_id=tenant_id, kind="whatsapp_verify",
                         key=account.phone_number_id)  # fmt: skip
        await audit.record(tx, actor=call.who(), action="whatsapp_account.removed",
                           target=account.id, tenant_id=tenant_id,
                           details={"phone_number_id": account.phone_number_id})  # fmt: skip


def _view(account: bots.WhatsAppAccountView) -> WhatsAppAccount:
    return WhatsAppAccount(
        id=account.id, phone_number_id=account.phone_number_id, model=account.model,
        system_prompt=account.system_prompt, temperature=account.temperature,
        active=account.active, created_at=account.created_at,
    )  # fmt: skip


ENDPOINTS = [
    Endpoint("POST", "/api/tenant/whatsapp/accounts", register_whatsapp_account,
             "Connect a WhatsApp number to an AI bot", Access.TENANT_WRITE, body=RegisterWhatsApp,
             response=WhatsAppAccount, status=201, tags=("tenant",), errors=(400, 409, 422)),
    Endpoint("GET", "/api/tenant/whatsapp/accounts", list_whatsapp_accounts,
             "The tenant's WhatsApp numbers", Access.TENANT_READ, response=WhatsAppAccountList,
             tags=("tenant",)),
    Endpoint("DELETE", "/api/tenant/whatsapp/accounts/{account_id}", remove_whatsapp_account,
             "Remove a WhatsApp number and its bot", Access.TENANT_WRITE, status=204,
             tags=("tenant",)),
]  # fmt: skip
