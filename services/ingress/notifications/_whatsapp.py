"""Meta WhatsApp Cloud API webhooks (providers.md §5.3, §5.4, §5.5): every item of every change of every entry.

    {"object": "whatsapp_business_account", "entry": [{"id": "<WABA id>", "changes": [
        {"field": "messages", "value": {"messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "...", "phone_number_id": "106540352242922"},
            "contacts": [...], "messages": [...], "statuses": [...]}}]}]}

Every inbound message becomes `whatsapp.message.received` (key: its wamid) and every status
`whatsapp.status.<status>` (key: status id and status, since one message is sent, delivered
and read). A change carrying neither (template status, account or quality updates, value-level
errors) becomes one `whatsapp.<field>.changed`, so no signed notification is dropped. Routing
is by `metadata.phone_number_id`, falling back to the WABA id (§5.4). `data` has the change
value's shape with only the one item (and, for a message, only its sender's contact).
"""

from __future__ import annotations

from datetime import datetime

from services.ingress.notifications._dedupe import dedupe_key, digest_key
from services.ingress.notifications._naming import event_type, subject
from services.ingress.notifications._notification import Notification
from services.ingress.notifications._shape import Shape
from services.ingress.notifications._timestamps import from_epoch_seconds

PROVIDER = "whatsapp"

_ITEM_KEYS = ("messages", "statuses", "contacts")


def whatsapp(body: object) -> list[Notification]:
    """One notification per message, per status, and per change carrying neither.

    Raises `MalformedPayload` without an `entry` array of objects with `changes` arrays of
    objects with a `value` object, when a message or status has no `id` (a status no
    `status`), or when a change names no phone number id and its entry no WABA id.
    """
    shape = Shape(PROVIDER)
    root = shape.as_object(body, "")
    notifications: list[Notification] = []
    for entry, entry_where in shape.objects_at(root, "entry", ""):
        for change, where in shape.objects_at(entry, "changes", entry_where):
            notifications.extend(_from_change(shape, entry, entry_where, change, where))
    return notifications


def _from_change(
    shape: Shape,
    entry: dict[str, object],
    entry_where: str,
    change: dict[str, object],
    where: str,
) -> list[Notification]:
    value = shape.object_at(change, "value", where)
    value_where = f"{where}.value"
    account = _account(shape, entry, entry_where, value, value_where)
    if "messages" not in value and "statuses" not in value:
        return [_from_other_change(account, entry, change, value)]
    shared = {key: item for key, item in value.items() if key not in _ITEM_KEYS}
    contacts = value.get("contacts")
    notifications = [
        _from_message(
            shape,
            message,
            message_where,
            account=account,
            shared=shared,
            contacts=contacts if isinstance(contacts, list) else [],
        )
        for message, message_where in shape.optional_objects_at(value, "messages", value_where)
    ]
    notifications += [
        _from_status(shape, status, status_where, account=account, shared=shared)
        for status, status_where in shape.optional_objects_at(value, "statuses", value_where)
    ]
    return notifications


def _account(
    shape: Shape,
    entry: dict[str, object],
    entry_where: str,
    value: dict[str, object],
    where: str,
) -> str:
    """The phone number id, else the WABA id (§5.4): the finest grain the change names."""
    metadata = shape.optional_object_at(value, "metadata", where)
    if metadata is not None:
        phone_number_id = shape.optional_identifier_at(
            metadata, "phone_number_id", f"{where}.metadata"
        )
        if phone_number_id is not None:
            return phone_number_id
    if entry.get("id") is None:
        raise shape.malformed(
            f"{where}.metadata.phone_number_id", "is missing, and so is the entry's WABA id"
        )
    return shape.identifier_at(entry, "id", entry_where)


def _from_message(
    shape: Shape,
    message: dict[str, object],
    where: str,
    *,
    account: str,
    shared: dict[str, object],
    contacts: list[object],
) -> Notification:
    wamid = shape.identifier_at(message, "id", where)
    sender = [
        contact
        for contact in contacts
        if isinstance(contact, dict) and contact.get("wa_id") == message.get("from")
    ]
    data = {**shared, "contacts": sender} if sender else dict(shared)
    return Notification(
        type=event_type(PROVIDER, "message", "received"),
        subject=subject("message", wamid),
        time=_timestamp(message),
        accountid=account,
        dedupekey=dedupe_key(PROVIDER, wamid),
        data={**data, "messages": [message]},
    )


def _from_status(
    shape: Shape,
    status: dict[str, object],
    where: str,
    *,
    account: str,
    shared: dict[str, object],
) -> Notification:
    wamid = shape.identifier_at(status, "id", where)
    state = shape.text_at(status, "status", where)
    return Notification(
        type=event_type(PROVIDER, "status", state),
        subject=subject("message", wamid),
        time=_timestamp(status),
        accountid=account,
        dedupekey=digest_key(PROVIDER, [wamid, state]),
        data={**shared, "statuses": [status]},
    )


def _from_other_change(
    account: str, entry: dict[str, object], change: dict[str, object], value: dict[str, object]
) -> Notification:
    field = change.get("field")
    field_name = field if isinstance(field, str) else "unknown"
    return Notification(
        type=event_type(PROVIDER, field_name, "changed"),
        subject=None,
        time=_timestamp(value) or from_epoch_seconds(entry.get("time")),
        accountid=account,
        dedupekey=digest_key(PROVIDER, [account, entry.get("id"), field, value]),
        data={"field": field, "value": value},
    )


def _timestamp(item: dict[str, object]) -> datetime | None:
    return from_epoch_seconds(item.get("timestamp"))
