"""Property: whatever arrives over HTTP, ingress answers without a 5xx and keeps serving.

Against one running ingress (real RabbitMQ, real PostgreSQL), Hypothesis sends arbitrary and
JSON-shaped bodies, fuzzed signature, timestamp and content headers, chunked bodies, odd
paths and methods, and WhatsApp verification queries, to every endpoint. Every non-2xx answer
must carry `{"error": {"code", "message"}}` and publish nothing; every 200 must have
published exactly the events it counts. Some bodies are signed correctly, so the fuzzing
reaches past the signature into parsing and splitting, where the only answers allowed are
200 and 400.

Bodies stay far below 256 levels of nesting to keep examples fast; the deep case has
its own test in `test_every_provider.py`.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlencode

import orjson
import pytest
import pytest_asyncio
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from libs.db import Database
from libs.signatures import sign_standard_webhooks
from services.ingress.storage import register_whatsapp_verify_token
from tests.integration.ingress.deliveries import (
    SHOPIFY_HEADERS,
    SOURCE_MESSAGE_ID,
    Answer,
    Ingress,
    Provider,
    Watch,
    tenant_id,
)
from tests.support.polling import eventually
from tests.support.stack import PROVIDER_SECRETS

pytestmark = pytest.mark.asyncio(loop_scope="module")

FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the watch queue is shared by a test's examples
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

PROVIDERS = ["quickbooks", "xero", "zoho", "stripe", "whatsapp", "shopify", "hubspot", "source"]
REFUSALS = {400, 401, 403, 404, 405, 413}
FALLBACK_VERIFY_TOKEN = PROVIDER_SECRETS["whatsapp_verify_token"]

SIGNATURE_HEADERS = [
    "intuit-signature",
    "x-xero-signature",
    "X-Zoho-Webhook-Signature",
    "Stripe-Signature",
    "X-Hub-Signature-256",
    "X-Shopify-Hmac-Sha256",
    *SHOPIFY_HEADERS,
    "X-HubSpot-Signature-v3",
    "X-HubSpot-Request-Timestamp",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "Content-Encoding",
]
# aiohttp's parser refuses a repeated Content-Type (a singleton header) with its own plain-text
# 400 before any route runs, so it is fuzzed as one value, never in the repeatable list.
CONTENT_TYPES = st.one_of(
    st.sampled_from(["application/json", "text/plain", "", "multipart/form-data; boundary=x"]),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
)

# Header values as they can travel on the wire: visible ASCII, space and tab, some non-ASCII.
HEADER_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.sampled_from(["\t", "é", "ÿ", "中", "\u2028"]),
    ),
    max_size=120,
)
ASCII_TOKEN = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1)
"""A header value every verifier reads as present: visible ASCII, not blank."""
DIGITS = st.integers(min_value=0, max_value=10**30).map(str)
HEX = st.binary(min_size=32, max_size=32).map(bytes.hex)
BASE64 = st.binary(min_size=0, max_size=40).map(lambda raw: base64.b64encode(raw).decode())
HEADER_VALUES = st.one_of(
    HEADER_TEXT,
    DIGITS,
    HEX,
    BASE64,
    st.builds(lambda t, v: f"t={t},v1={v}", DIGITS | HEADER_TEXT, HEX | HEADER_TEXT),
    st.builds(lambda v: f"sha256={v}", HEX | HEADER_TEXT),
    st.builds(lambda v: f"v1,{v}", BASE64 | HEADER_TEXT),
    st.sampled_from(["", " ", "application/json", "text/plain; charset=latin-1", "gzip"]),
)
HEADER_NAMES = st.one_of(
    st.sampled_from(SIGNATURE_HEADERS),
    st.sampled_from(SIGNATURE_HEADERS).map(str.upper),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=20),
)
FUZZED_HEADERS = st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=8)
CHUNK_SIZES = st.one_of(st.none(), st.sampled_from([1, 5, 64, 4096]))

_KEYS = st.sampled_from(
    ["id", "type", "name", "events", "entry", "changes", "value", "realmId", "eventId"]
) | st.text(max_size=8)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)  # past 64 bits: orjson refuses, 400
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_KEYS, children, max_size=4),
    max_leaves=20,
)


def _chance(one_in: int) -> st.SearchStrategy[bool]:
    # A middle value, not 0: Hypothesis favours the bounds of a range.
    return st.integers(0, one_in - 1).map(lambda drawn: drawn == one_in // 2)


@st.composite
def mutated(draw: st.DrawFn, value: Any, *, one_in: int | None = None) -> Any:
    """`value` with values replaced by arbitrary JSON, keys dropped or added, at any depth."""
    if one_in is None:
        one_in = draw(st.sampled_from([100, 20, 6, 2]))
    if draw(_chance(one_in)):
        return draw(JSON)
    if isinstance(value, dict):
        kept = {
            key: draw(mutated(item, one_in=one_in))
            for key, item in value.items()
            if not draw(_chance(one_in))
        }
        extra = draw(st.dictionaries(_KEYS, JSON, max_size=1)) if draw(_chance(one_in)) else {}
        return {**extra, **kept}
    if isinstance(value, list):
        return [draw(mutated(item, one_in=one_in)) for item in value]
    return value


@st.composite
def serialized(draw: st.DrawFn, value: Any) -> bytes:
    """`value` as JSON bytes, in one of the spellings a provider might use."""
    text = json.dumps(
        value,
        ensure_ascii=draw(st.booleans()),
        separators=draw(st.sampled_from([(",", ":"), (", ", ": ")])),
        indent=draw(st.sampled_from([None, None, 2])),
    )
    return text.encode()


def json_bodies(sample: bytes) -> st.SearchStrategy[bytes]:
    """Bodies shaped like `sample` (mutated), any JSON, or anything at all."""
    parsed = orjson.loads(sample)
    return st.one_of(
        st.just(sample),
        mutated(parsed).flatmap(serialized),
        JSON.flatmap(serialized),
        st.binary(max_size=512),
    )


RAW_QUERY = st.text(alphabet="%0123456789abcdefABCDEF&=+;._~-", max_size=40)
"""Query strings as typed, stray and invalid percent escapes included."""
QUERY = st.one_of(
    st.lists(st.tuples(st.text(min_size=1, max_size=8), st.text(max_size=12)), max_size=3).map(
        lambda pairs: urlencode(pairs, quote_via=quote)
    ),
    RAW_QUERY,
)
CONTENT_ENCODINGS = st.none() | st.sampled_from(
    ["gzip", "deflate", "br", "zstd", "identity", "gzip, deflate", "x-unknown"]
)


async def check(answer: Answer, watch: Watch, provider: str | None, *, allowed: Iterable[int]):
    """The invariants of every answer, then that `answer.status` is one of `allowed`."""
    assert answer.status < 500, (answer.status, answer.body[:300])
    published = await watch.take()
    if answer.status == 200:
        if provider != "xero" and answer.content_type == "application/json":
            assert orjson.loads(answer.body) == {"accepted": len(published)}
        for message in published:
            assert message.event.source == f"/providers/{provider}"
            assert message.routing_key == message.event.type
            assert (message.event.dedupekey or "").startswith(f"{provider}:")
    else:
        answer.error()
        assert published == [], answer.status
    assert answer.status in set(allowed), (answer.status, answer.body[:300])


async def still_serving(ingress: Ingress) -> None:
    assert (await ingress.request("GET", "/healthz")).status == 200


@FUZZ
@given(
    name=st.sampled_from(PROVIDERS),
    body=st.one_of(st.binary(max_size=2048), JSON.flatmap(serialized)),
    headers=FUZZED_HEADERS,
    content_type=CONTENT_TYPES,
    content_encoding=CONTENT_ENCODINGS,
    with_provider_headers=st.booleans(),
    chunk_size=CHUNK_SIZES,
)
async def test_unsigned_bodies_and_fuzzed_headers_are_refused_with_a_json_error(
    name: str,
    body: bytes,
    headers: list[tuple[str, str]],
    content_type: str,
    content_encoding: str | None,
    with_provider_headers: bool,
    chunk_size: int | None,
    endpoints: dict[str, Provider],
    ingress: Ingress,
    watch: Watch,
):
    provider = endpoints[name]
    shopify = provider.base_headers.items() if with_provider_headers else ()
    sent = [("Content-Type", content_type), *shopify, *headers]
    if content_encoding is not None:
        sent.append(("Content-Encoding", content_encoding))

    answer = await ingress.post(provider, body, headers=sent, chunk_size=chunk_size)

    await check(answer, watch, name, allowed={401})
    await still_serving(ingress)


@FUZZ
@given(
    name=st.sampled_from(PROVIDERS),
    data=st.data(),
    chunk_size=CHUNK_SIZES,
    query=QUERY,  # signed by Zoho and HubSpot, ignored by the others
    content_type=CONTENT_TYPES,
    content_encoding=CONTENT_ENCODINGS,
)
async def test_correctly_signed_fuzzed_bodies_are_accepted_or_refused_with_400(
    name: str,
    data: st.DataObject,
    chunk_size: int | None,
    query: str,
    content_type: str,
    content_encoding: str | None,
    endpoints: dict[str, Provider],
    ingress: Ingress,
    watch: Watch,
):
    provider = endpoints[name]
    body = data.draw(json_bodies(provider.body), label="body")
    headers = {**provider.headers(body, query=query), "Content-Type": content_type}
    if content_encoding is not None:  # signed as sent: ingress must not inflate it first
        headers["Content-Encoding"] = content_encoding
    if name == "shopify":  # unsigned, but routed on: must be present, non-blank, ASCII
        for header in ("X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-Webhook-Id"):
            headers[header] = data.draw(
                ASCII_TOKEN | st.just(SHOPIFY_HEADERS[header]), label=header
            )
    if name == "source":  # the message id is signed and becomes the dedupe key
        message_id = data.draw(ASCII_TOKEN | st.just(SOURCE_MESSAGE_ID), label="webhook-id")
        now = int(time.time())
        headers["webhook-id"] = message_id
        headers["webhook-timestamp"] = str(now)
        headers["webhook-signature"] = sign_standard_webhooks(
            body, msg_id=message_id, timestamp=now, secret=provider.secret
        )

    answer = await ingress.post(provider, body, headers=headers, query=query, chunk_size=chunk_size)

    await check(answer, watch, name, allowed={200, 400})
    event(f"{name}: {answer.status}")
    await still_serving(ingress)


@st.composite
def header_mutations(draw: st.DrawFn, headers: dict[str, str]) -> list[tuple[str, str]]:
    """`headers` with some dropped, replaced, repeated or renamed in another case."""
    pairs = list(headers.items())
    for _ in range(draw(st.integers(1, 3))):
        if not pairs:
            break
        index = draw(st.integers(0, len(pairs) - 1))
        name, value = pairs[index]
        action = draw(st.sampled_from(["drop", "replace", "repeat", "case", "edit"]))
        if action == "drop":
            del pairs[index]
        elif action == "replace":
            pairs[index] = (name, draw(HEADER_VALUES))
        elif action == "repeat":
            pairs.append((name, draw(st.just(value) | HEADER_VALUES)))
        elif action == "case":
            pairs[index] = (draw(st.sampled_from([name.upper(), name.lower()])), value)
        else:
            cut = draw(st.integers(0, len(value)))
            pairs[index] = (name, value[:cut] + draw(HEADER_TEXT) + value[cut:])
    return pairs


@FUZZ
@given(name=st.sampled_from(PROVIDERS), data=st.data())
async def test_fuzzed_signature_and_timestamp_headers_are_accepted_only_when_still_valid(
    name: str, data: st.DataObject, endpoints: dict[str, Provider], ingress: Ingress, watch: Watch
):
    provider = endpoints[name]
    correct = {k: v for k, v in provider.headers().items() if k != "Content-Type"}
    headers = data.draw(header_mutations(correct), label="headers")
    # Changing only a header's case keeps a request valid; anything else may or may not.
    unchanged = sorted((k.lower(), v) for k, v in headers) == sorted(
        (k.lower(), v) for k, v in correct.items()
    )

    answer = await ingress.post(provider, headers=[("Content-Type", "application/json"), *headers])

    # Shopify routes on headers outside the HMAC: a correctly signed delivery whose routing
    # headers are ambiguous (repeated with different values) or unusable is a 400.
    changed = {200, 400, 401} if name == "shopify" else {200, 401}
    await check(answer, watch, name, allowed={200} if unchanged else changed)
    await still_serving(ingress)


@FUZZ
@given(
    name=st.sampled_from(["stripe", "hubspot", "source"]),
    offset=st.one_of(
        st.integers(-290, 290),
        st.integers(310, 10**9),
        st.integers(-(10**9), -310),
    ),
)
async def test_signatures_made_at_any_time_are_accepted_only_within_five_minutes(
    name: str, offset: int, endpoints: dict[str, Provider], ingress: Ingress, watch: Watch
):
    provider = endpoints[name]

    answer = await ingress.post(provider, headers=provider.headers(at=time.time() + offset))

    await check(answer, watch, name, allowed={200} if abs(offset) < 300 else {401})


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def verify_token(database: Database, ingress: Ingress) -> str:
    """A WhatsApp account's verify token, known to the running ingress."""
    tenant = tenant_id()
    token = f"verify-{tenant}"
    await register_whatsapp_verify_token(
        database, tenant_id=tenant, phone_number_id=f"1065{time.time_ns()}", verify_token=token
    )

    async def status() -> int:
        query = urlencode({"hub.mode": "subscribe", "hub.verify_token": token})
        return (await ingress.request("GET", f"/webhooks/whatsapp?{query}")).status

    await eventually(status, until=lambda found: found == 200, within=5, what="token loaded")
    return token


# Any text but lone surrogates, which no URL can carry.
URL_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)


@FUZZ
@given(
    mode=st.sampled_from(["subscribe", "Subscribe", "unsubscribe", ""]) | URL_TEXT,
    token=st.sampled_from(["registered", "fallback"]) | URL_TEXT,
    challenge=st.none() | URL_TEXT,
    extra=st.lists(st.tuples(URL_TEXT, URL_TEXT), max_size=3),
    raw=st.none() | RAW_QUERY,
)
async def test_whatsapp_verification_queries_echo_the_challenge_or_are_refused_with_403(
    mode: str,
    token: str,
    challenge: str | None,
    extra: list[tuple[str, str]],
    raw: str | None,
    verify_token: str,
    ingress: Ingress,
    watch: Watch,
):
    known = {"registered": verify_token, "fallback": FALLBACK_VERIFY_TOKEN}
    pairs = [("hub.mode", mode), ("hub.verify_token", known.get(token, token))]
    if challenge is not None:
        pairs.append(("hub.challenge", challenge))
    query = urlencode([*pairs, *extra]) if raw is None else raw

    answer = await ingress.request("GET", f"/webhooks/whatsapp?{query}")

    await check(answer, watch, "whatsapp", allowed={200, 403})
    if raw is None and not extra:
        valid = mode == "subscribe" and known.get(token, token) in known.values()
        assert answer.status == (200 if valid else 403)
        if valid:
            assert answer.body == (challenge or "").encode()
    await still_serving(ingress)


@FUZZ
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
    path=st.one_of(
        st.sampled_from(PROVIDERS).map(lambda name: f"/webhooks/{name}"),
        st.text(
            alphabet="abcdefghijklmnopqrstuvwxyzQZ0123456789-._~%/", min_size=0, max_size=40
        ).map(lambda rest: f"/webhooks/{rest}"),
    ),
    body=st.binary(max_size=256),
)
async def test_any_method_on_any_webhook_path_gets_a_json_answer(
    method: str, path: str, body: bytes, ingress: Ingress, watch: Watch
):
    answer = await ingress.request(method, path, body=body)

    await check(answer, watch, None, allowed=REFUSALS)
    await still_serving(ingress)
