"""Dedupe keys: the same on every retry of one notification, different for different changes.

    dedupe_key("stripe", "evt_1PqTEST")           -> "stripe:evt_1PqTEST"
    digest_key("xero", [tenant, "INVOICE", resource, "UPDATE", "2025-10-21T01:15:39.902"])
                                                  -> "xero:<sha256 hex>"

A provider's own event id is used as is. Where a provider has none, or the key needs several
fields, the fields are hashed: SHA-256 over their canonical JSON (orjson, compact, keys sorted,
UTF-8), so no separator inside a field can make two different field lists collide. Keys
never exceed CloudEvent's 300 characters.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import orjson

MAX_KEY = 300


def dedupe_key(provider: str, event_id: str) -> str:
    """`<provider>:<event id>` for a provider's own event id (hashed if it would be too long)."""
    key = f"{provider}:{event_id}"
    return key if len(key) <= MAX_KEY else digest_key(provider, [event_id])


def digest_key(provider: str, fields: Sequence[object]) -> str:
    """`<provider>:<sha256 hex>` of the identifying JSON `fields`, in order."""
    identifying = [provider, *fields]
    try:
        canonical = orjson.dumps(identifying, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # nested past orjson's 254 levels: same input, same path
        canonical = json.dumps(identifying, sort_keys=True, separators=(",", ":")).encode()
    return f"{provider}:{hashlib.sha256(canonical).hexdigest()}"
