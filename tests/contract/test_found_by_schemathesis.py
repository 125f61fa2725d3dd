"""What schemathesis found, pinned: each answer the admin gave that its document did not describe.

schemathesis draws its cases at random and may not draw these again; here they are
sent as they were found, with the answer the fix gives.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.contract.live_admin import LiveAdmin


def call(admin: LiveAdmin, caller: str | None, method: str, path: str, body: Any = None):
    """(status, JSON answer) of one request as `caller` ("owner", "tenant_admin" or None)."""
    headers = {"Content-Type": "application/json"}
    if caller is not None:
        headers["Authorization"] = f"Bearer {getattr(admin, f'{caller}_token')()}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(admin.url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"null")


WHATSAPP = {"phone_number_id": "12345", "access_token": "a" * 10, "verify_token": "b" * 8,
            "model": "gpt", "system_prompt": "be brief"}  # fmt: skip


@pytest.mark.parametrize(
    ("caller", "method", "path", "body", "status"),
    [
        # U+0000 in any string the API takes: PostgreSQL text cannot hold it (was 500).
        ("tenant_admin", "PATCH", "/api/tenant/profile", {"company_name": "a\x00b"}, 400),
        ("tenant_admin", "POST", "/api/tenant/api-keys", {"name": "\x00", "scopes": ["read"]}, 400),
        (None, "POST", "/api/auth/login", {"email": "a\x00@b.c", "password": "x"}, 400),
        ("owner", "GET", "/api/owner/tenants?q=a%00b", None, 400),
        ("owner", "GET", "/api/owner/tenants/a%00b", None, 404),
        ("tenant_admin", "DELETE", "/api/tenant/api-keys/a%00b", None, 404),
        ("tenant_admin", "DELETE", "/api/tenant/sources/a%00b", None, 404),
        # A page cursor past bigint (was 500).
        ("tenant_admin", "GET", "/api/tenant/activity?before=9223372036854775808", None, 400),
        # JSON's own types only, as the document says (were 200 and 201).
        ("tenant_admin", "PUT", "/api/tenant/efris/auto-fiscalize", {"enabled": 0}, 400),
        ("tenant_admin", "PUT", "/api/tenant/efris/auto-fiscalize", {"enabled": "true"}, 400),
        ("tenant_admin", "POST", "/api/tenant/whatsapp/accounts",
         {**WHATSAPP, "temperature": False}, 400),
    ],
)  # fmt: skip
def test_refused_as_documented(admin, caller, method, path, body, status):
    answer_status, answer = call(admin, caller, method, path, body)
    assert (answer_status, answer["error"]["code"]) == (
        status,
        {400: "invalid_request", 404: "not_found"}[status],
    ), answer


def test_the_refusal_names_the_field_with_nul(admin):
    _, answer = call(admin, "tenant_admin", "PATCH", "/api/tenant/profile", {"phone": "\x00"})
    assert answer["error"]["details"] == [
        {"loc": ["body", "phone"], "msg": "text cannot contain U+0000", "type": "nul_character"}
    ]


def test_a_valid_json_body_still_passes_strict_validation(admin):
    status, account = call(admin, "tenant_admin", "PUT", "/api/tenant/efris/auto-fiscalize",
                           {"enabled": True})  # fmt: skip
    assert (status, account["auto_fiscalize"]) == (200, True)
    status, _ = call(admin, "tenant_admin", "PATCH", "/api/tenant/profile", {"phone": None})
    assert status == 200
