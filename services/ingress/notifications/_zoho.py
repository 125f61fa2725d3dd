"""Zoho Books workflow webhooks (providers.md §3.3, §3.4): one record per POST.

    {"invoice": {"invoice_id": "982000000567114", "invoice_number": "INV-00003",
                 "created_time": "...", "last_modified_time": "...", ...}}

The entity is the one top-level object, under a lower-case module key, carrying its own
`<entity>_id`. Zoho says neither
which event fired nor, reliably, which organization (§3.3): the organization comes from the
connection the path token identified, and an `organization_id` in the body must agree with
it. The action is inferred: `created` while the record's `last_modified_time` is absent or
equals its `created_time`, `updated` once they differ. No event id either, so the key hashes
organization, entity, id and `last_modified_time` (or the whole record when that is absent).
"""

from __future__ import annotations

import re

from services.ingress.notifications._dedupe import digest_key
from services.ingress.notifications._naming import event_type, segment, subject
from services.ingress.notifications._notification import Notification
from services.ingress.notifications._shape import Shape, identifier_text
from services.ingress.notifications._timestamps import parse_iso

PROVIDER = "zoho"

# Zoho module keys are lower-case words (invoice, salesorder, creditnote); anything else at the
# top level is not an entity, and is never echoed in an error message.
_MODULE_KEY = re.compile(r"[a-z0-9_]{1,64}")


def zoho(body: object, *, organization_id: str) -> list[Notification]:
    """The one notification in a Zoho Books webhook for the connection's `organization_id`.

    Raises `MalformedPayload` when the body is not an object holding exactly one entity
    object with its `<entity>_id`, or names a different organization; `ValueError` when
    `organization_id` itself is not a usable id (a caller bug, not the payload's fault).
    """
    if identifier_text(organization_id) is None:
        raise ValueError("organization_id must be a non-blank id of at most 200 characters")
    shape = Shape(PROVIDER)
    root = shape.as_object(body, "")
    entity, record = _entity(shape, root)
    record_id = shape.identifier_at(record, f"{entity}_id", entity)
    _check_organization(shape, root, "", organization_id)
    _check_organization(shape, record, entity, organization_id)
    created = record.get("created_time")
    modified = record.get("last_modified_time")
    action = "created" if modified is None or modified == created else "updated"
    return [
        Notification(
            type=event_type(PROVIDER, entity, action),
            subject=subject(segment(entity), record_id),
            time=parse_iso(modified) or parse_iso(created),
            accountid=organization_id,
            dedupekey=digest_key(
                PROVIDER,
                [organization_id, entity, record_id, record if modified is None else modified],
            ),
            data={**root, "organization_id": organization_id},
        )
    ]


def _entity(shape: Shape, root: dict[str, object]) -> tuple[str, dict[str, object]]:
    found = [
        (key, value)
        for key, value in root.items()
        if _MODULE_KEY.fullmatch(key) and isinstance(value, dict) and f"{key}_id" in value
    ]
    if not found:
        raise shape.malformed(
            "", 'has no entity object carrying its own id, such as {"invoice": {"invoice_id": ...}}'
        )
    if len(found) > 1:
        raise shape.malformed("", f"has {len(found)} entity objects; a Zoho webhook sends one")
    return found[0]


def _check_organization(
    shape: Shape, obj: dict[str, object], where: str, organization_id: str
) -> None:
    # The path token chose the tenant; a body claiming another organization must not be
    # routed to either of them.
    claimed = shape.optional_identifier_at(obj, "organization_id", where)
    if claimed is not None and claimed != organization_id:
        field = f"{where}.organization_id" if where else "organization_id"
        raise shape.malformed(field, "does not match the connection's organization")
