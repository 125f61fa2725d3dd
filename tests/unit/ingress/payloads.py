"""Provider bodies as the specs show them (providers.md; webhook-platforms.md), parsed fresh per call.

Each builder returns a new parsed copy, so a test may change one without touching another.
"""

from __future__ import annotations

import json
from typing import Any

# providers.md §1.1: Intuit's legacy sample (one realm, two entities).
QUICKBOOKS_LEGACY = """{"eventNotifications":[{"realmId":"1185883450","dataChangeEvent":{"entities":[
{"name":"Customer","id":"1","operation":"Create","lastUpdated":"2015-10-05T14:42:19-0700"},
{"name":"Vendor","id":"1","operation":"Create","lastUpdated":"2015-10-05T14:42:19-0700"}]}}]}"""

# providers.md §1.3: the derived CloudEvents vector (one invoice, realm 310687).
QUICKBOOKS_CLOUDEVENT = """{"specversion":"1.0","id":"88cd52aa-33b6-4351-9aa4-47572edbd068",
"source":"intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=","type":"qbo.invoice.created.v1",
"datacontenttype":"application/json","time":"2025-09-10T21:31:25.179851517Z",
"intuitentityid":"145","intuitaccountid":"310687","data":{}}"""

# providers.md §2.1: Xero's sample event.
XERO = """{"events":[{"resourceUrl":"https://api.xero.com/api.xro/2.0/Invoices/a03ffcd2-5d91-4c7e-b483-318584e9e439",
"resourceId":"a03ffcd2-5d91-4c7e-b483-318584e9e439","eventDateUtc":"2025-10-21T01:15:39.902",
"eventType":"UPDATE","eventCategory":"INVOICE","tenantId":"c2cc9b6e-9458-4c7d-93cc-f02b81b0594f",
"tenantType":"ORGANISATION"}],"lastEventSequence":1,"firstEventSequence":1,"entropy":"S0m3r4Nd0mt3xt"}"""

# providers.md §2.3: an Intent-to-Receive body.
XERO_INTENT_TO_RECEIVE = (
    '{"events":[],"lastEventSequence":0,"firstEventSequence":0,"entropy":"S0m3r4Nd0mt3xt"}'
)

# providers.md §3.2 (derived vector body), §3.3 "Default Payload" keyed by module.
ZOHO = """{"invoice":{"invoice_id":"982000000567114","invoice_number":"INV-00003","status":"sent",
"total":40.6}}"""

# providers.md §4.2: a Connect checkout.session.completed event.
STRIPE = """{"id":"evt_1PqTEST","object":"event","api_version":"2024-06-20","created":1700000000,
"type":"checkout.session.completed","livemode":false,"pending_webhooks":1,
"request":{"id":null,"idempotency_key":null},"account":"acct_1ConnectedTenant",
"data":{"object":{"id":"cs_test_a1b2c3","object":"checkout.session","mode":"payment",
"amount_total":5000,"currency":"usd","payment_status":"paid","status":"complete",
"client_reference_id":"tenant-42-order-7","metadata":{"order_id":"7"},
"customer_details":{"email":"jenny@example.com","name":"Jenny Rosen","phone":null,"address":null,
"tax_exempt":"none","tax_ids":[]},"payment_intent":"pi_3Ptest"}}}"""

# providers.md §5.3: an inbound text message.
WHATSAPP_MESSAGE = """{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[
{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881",
"phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},
"wa_id":"16505551234"}],"messages":[{"from":"16505551234",
"id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=","timestamp":"1749416383",
"type":"text","text":{"body":"Does it come in another color?"}}]},"field":"messages"}]}]}"""

# providers.md §5.3: a delivered status.
WHATSAPP_STATUS = """{"object":"whatsapp_business_account","entry":[{"id":"1314702302917944","changes":[
{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15556459128",
"phone_number_id":"590968830767958"},"statuses":[{
"id":"wamid.HBgNNTUxNjk5MjMxODIyMhUCABEYEjgxQkVFRDVBQTVDODFDOTg3MQA=","status":"delivered",
"timestamp":"1750857384","recipient_id":"5516992318222","conversation":{
"id":"a75d17ad06104c51166f948319b03c6a","origin":{"type":"service"}},
"pricing":{"billable":true,"pricing_model":"CBP","category":"service"}}]},"field":"messages"}]}]}"""

# providers.md §6.4: an orders/create body.
SHOPIFY_ORDER = """{"id":820982911946154508,"admin_graphql_api_id":"gid://shopify/Order/820982911946154508",
"name":"#9999","order_number":1234,"email":"jon@example.com","created_at":"2021-12-31T19:00:00-05:00",
"currency":"USD","total_price":"403.00","subtotal_price":"393.00","financial_status":"voided",
"line_items":[{"id":487817672276298554,"product_id":788032119674292922,"variant_id":null,
"title":"Aviator sunglasses","quantity":1,"price":"199.00","sku":"SKU2006-001"}]}"""

# providers.md §6.1: the headers Shopify sends with it.
SHOPIFY_HEADERS = {
    "X-Shopify-Hmac-Sha256": "lNeIT7PJ/yffJRPqGXi+csBmGWgL5m8EoQbaohdQ7qQ=",
    "X-Shopify-Shop-Domain": "shop1.myshopify.com",
    "X-Shopify-Topic": "orders/create",
    "X-Shopify-API-Version": "2025-07",
    "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
    "X-Shopify-Event-Id": "98880550-7158-44d4-b7cd-2c97c8a091b5",
    "X-Shopify-Triggered-At": "2021-12-31T19:00:01.123456789Z",
}

# providers.md §7.1: the official SDK test body.
HUBSPOT = """[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,
"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM",
"changeFlag":"NEW","appId":54321}]"""

# webhook-platforms.md §1.2: the Standard Webhooks test vector's id and timestamp.
SOURCE_HEADERS = {
    "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
    "webhook-timestamp": "1614265330",
    "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
}


def parsed(text: str) -> Any:
    """A fresh parse of one of the bodies above."""
    return json.loads(text)


def quickbooks_cloudevent(**changes: Any) -> dict[str, Any]:
    """The §1.3 CloudEvents element with `changes` applied."""
    event: dict[str, Any] = parsed(QUICKBOOKS_CLOUDEVENT)
    event.update(changes)
    return event


def xero_event(**changes: Any) -> dict[str, Any]:
    """The §2.1 Xero event with `changes` applied."""
    event: dict[str, Any] = parsed(XERO)["events"][0]
    event.update(changes)
    return event


def xero_batch(*events: object) -> dict[str, Any]:
    """A Xero POST carrying `events`."""
    return {
        "events": list(events),
        "firstEventSequence": 1,
        "lastEventSequence": len(events),
        "entropy": "S0m3r4Nd0mt3xt",
    }


def hubspot_event(**changes: Any) -> dict[str, Any]:
    """The §7.1 HubSpot event with `changes` applied."""
    event: dict[str, Any] = parsed(HUBSPOT)[0]
    event.update(changes)
    return event
