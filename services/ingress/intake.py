"""The steps every webhook goes through, each a small function: read, parse, publish."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import orjson
from aiohttp import web

from libs.broker import OutgoingMessage, Publisher
from services.ingress import notifications
from services.ingress.errors import InvalidBody, PayloadTooLarge

_CHUNK = 64 * 1024


async def read_body(request: web.Request, *, limit: int) -> bytes:
    """The raw body, refused with 413 as soon as it is known to exceed `limit` bytes.

    A declared Content-Length above the limit is refused before reading a byte
    (one read otherwise); a chunked body is refused as soon as it passes the limit.
    """
    declared = request.content_length
    if declared is not None:
        if declared > limit:
            raise PayloadTooLarge(f"body of {declared} bytes exceeds {limit} bytes")
        return await request.content.readexactly(declared) if declared else b""
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(raw: bytes) -> object:
    """The JSON document in `raw`; 400 when it is empty or not JSON."""
    if not raw.strip():
        raise InvalidBody("empty body")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InvalidBody("body is not JSON") from None


async def publish_all(
    publisher: Publisher,
    found: Sequence[notifications.Notification],
    *,
    provider: str,
    exchange: str,
) -> None:
    """Publish one CloudEvent per notification, all confirms in flight at once.

    Every event is serialized before any is published, so a notification that
    cannot be (nested past what the serializer takes) refuses the whole request
    with 400 and nothing published. Returns only when the broker confirmed every
    one; raises the first `PublishError` otherwise (the caller answers 503 and
    the provider retries; what was confirmed is deduplicated downstream by its
    dedupekey).
    """
    messages = [_message(n, provider=provider, exchange=exchange) for n in found]
    if len(messages) == 1:  # the common case: no task or gather per request
        await publisher.send(messages[0])
        return
    results = await asyncio.gather(*(publisher.send(m) for m in messages), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result


def _message(
    notification: notifications.Notification, *, provider: str, exchange: str
) -> OutgoingMessage:
    try:
        event_id, body = notifications.to_wire(notification, provider=provider)
    except (orjson.JSONEncodeError, TypeError):
        raise InvalidBody("a notification cannot be queued (nested too deeply)") from None
    return OutgoingMessage(
        exchange=exchange,
        routing_key=notification.type,
        body=body,
        message_id=event_id,
        type=notification.type,
    )
