"""The admin API against its own OpenAPI document: no 5xx, no answer the document does not describe.

schemathesis generates requests for every operation of the document (valid and invalid
bodies, queries, path parameters and headers) and runs every built-in check on each
answer: a server error, an undocumented status code, content type or header, a body
that does not match the documented schema, schema-valid input refused or invalid input
accepted fails the operation. The whole document runs three times: as the platform
owner, as a client's tenant admin, and without credentials (none, or made-up ones).

use_after_free and ensure_resource_availability are on too, but they judge sequences
of calls (schemathesis' stateful phase, driven by OpenAPI links the document does not
have): one case at a time, as here, they have nothing to judge.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from services.admin.openapi import build_document
from services.admin.routes import ENDPOINTS
from tests.contract.live_admin import LiveAdmin

# schemathesis makes one test per operation when it collects, before any admin runs, so
# it reads the document from the generator the admin serves it from, over the same
# endpoint list; test_the_document_tested_is_the_one_served holds /api/openapi.json to it.
DOCUMENT = build_document(ENDPOINTS, title="Switchyard admin API", version="1.0.0")


def _schema(*, made_up_credentials: bool) -> schemathesis.BaseSchema:
    """The document with every built-in check.

    positive_data_acceptance also takes 422: by CONTRACT §6 that is "valid shape, content
    refused", what no schema can say (a certificate that does not decode or has expired,
    a plan's quota reached by the keys this run already created).
    With `made_up_credentials`, schemathesis also generates the Authorization and
    X-API-Key headers of the security schemes; an X-API-Key wins over a Bearer token, so
    the runs that send a real token leave them out.
    """
    config: dict[str, Any] = {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
            }
        },
        "generation": {"with-security-parameters": made_up_credentials},
    }
    return schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config.from_dict(config))


AS_A_USER = _schema(made_up_credentials=False)
WITHOUT_CREDENTIALS = _schema(made_up_credentials=True)
# Per operation and caller: up to 25 fuzzed cases, and the coverage phase's boundary cases.
BUDGET = settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.fixture(scope="module", params=["owner", "tenant_admin"])
def token(request: pytest.FixtureRequest, admin: LiveAdmin) -> Callable[[], str]:
    """A fresh access token per request, so a generated logout revokes only its own."""
    tokens = {"owner": admin.owner_token, "tenant_admin": admin.tenant_admin_token}
    return tokens[request.param]


def test_the_document_tested_is_the_one_served(admin: LiveAdmin) -> None:
    with urllib.request.urlopen(f"{admin.url}/api/openapi.json", timeout=10) as response:
        served = json.loads(response.read())
    # The title and version are words; the operations and their schemas are the contract.
    assert (served["paths"], served["components"]) == (DOCUMENT["paths"], DOCUMENT["components"])


@AS_A_USER.parametrize()
@BUDGET
def test_as_owner_and_tenant_admin(
    case: schemathesis.Case[Any], admin: LiveAdmin, token: Callable[[], str]
) -> None:
    case.call_and_validate(base_url=admin.url, headers={"Authorization": f"Bearer {token()}"})


@WITHOUT_CREDENTIALS.parametrize()
@BUDGET
def test_without_credentials(case: schemathesis.Case[Any], admin: LiveAdmin) -> None:
    case.call_and_validate(base_url=admin.url)
