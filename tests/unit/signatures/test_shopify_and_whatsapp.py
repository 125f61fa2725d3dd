"""Shopify (providers.md §6) and WhatsApp (providers.md §5.2) specifics."""

from __future__ import annotations

import pytest

from libs.signatures import (
    MalformedSignature,
    MissingSignature,
    ShopifyVerifier,
    WhatsAppVerifier,
    sign_shopify,
    sign_whatsapp,
)
from tests.unit.signatures.schemes import SHOPIFY_HEADERS

BODY = b'{"id":820982911946154508,"name":"#9999"}'


@pytest.mark.parametrize("name", sorted(SHOPIFY_HEADERS))
def test_refuses_a_shopify_delivery_with_a_blank_required_header(name: str):
    headers = {"X-Shopify-Hmac-Sha256": sign_shopify(BODY, "s3cret"), **SHOPIFY_HEADERS, name: ""}
    with pytest.raises(MalformedSignature) as caught:
        ShopifyVerifier(secrets=["s3cret"]).verify(BODY, headers)
    assert caught.value.header == name


def test_does_not_accept_the_unprefixed_shopify_events_header():
    # providers.md §6.1: the Events preview product uses "shopify-hmac-sha256"; not supported.
    headers = {"shopify-hmac-sha256": sign_shopify(BODY, "s3cret"), **SHOPIFY_HEADERS}
    with pytest.raises(MissingSignature):
        ShopifyVerifier(secrets=["s3cret"]).verify(BODY, headers)


def test_refuses_a_whatsapp_signature_without_its_sha256_prefix():
    bare = sign_whatsapp(BODY, "app-secret").removeprefix("sha256=")
    with pytest.raises(MalformedSignature, match="sha256="):
        WhatsAppVerifier(secrets=["app-secret"]).verify(BODY, {"X-Hub-Signature-256": bare})


def test_refuses_a_request_with_only_the_legacy_sha1_hub_signature():
    with pytest.raises(MissingSignature) as caught:
        WhatsAppVerifier(secrets=["app-secret"]).verify(
            BODY, {"X-Hub-Signature": "sha1=0c61947b610d4f45e65f3d680e26027121ec2413"}
        )
    assert caught.value.header == "X-Hub-Signature-256"


def test_accepts_any_of_several_meta_app_secrets():
    verifier = WhatsAppVerifier(secrets=["app-one", "app-two", "app-three"])
    signature = sign_whatsapp(BODY, "app-three")
    assert verifier.verify(BODY, {"x-hub-signature-256": signature}).secret_index == 2
