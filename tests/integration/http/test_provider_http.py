"""libs.http against a real aiohttp server: statuses, transport failures, in-process retries."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from libs.http import (
    AuthExpired,
    MalformedResponse,
    NotFound,
    ProviderHttp,
    ProviderRejected,
    ProviderUnavailable,
    retry_after_of,
)


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[str]]]:
    """A provider that answers by path; `hits` records every request path."""
    hits: list[str] = []
    flaky = {"left": 2}

    async def answer(request: web.Request) -> web.Response:
        hits.append(request.path)
        name = request.match_info["name"]
        if name == "flaky" and flaky["left"] > 0:
            flaky["left"] -= 1
            return web.json_response({"error": "busy"}, status=503)
        statuses = {"ok": 200, "gone": 404, "expired": 401, "bad": 400, "down": 503, "slow-down": 429,
                    "flaky": 200}  # fmt: skip
        if name == "not-json":
            return web.Response(text="<html>oops</html>")
        headers = {"Retry-After": "120"} if name == "slow-down" else {}
        return web.json_response({"name": name}, status=statuses[name], headers=headers)

    app = web.Application()
    app.router.add_route("*", "/{name}", answer)
    async with TestServer(app) as test_server:
        yield str(test_server.make_url("")).rstrip("/"), hits


@pytest.fixture
async def http() -> AsyncIterator[ProviderHttp]:
    async with ProviderHttp.open(timeout_s=5) as client:
        yield client


@pytest.mark.parametrize(
    ("name", "error"),
    [("gone", NotFound), ("expired", AuthExpired), ("bad", ProviderRejected)],
)
async def test_client_errors_map_to_the_rejection_tree(server, http, name, error):
    url, _ = server
    answer = await http.request("GET", f"{url}/{name}", provider="acme")
    with pytest.raises(error) as raised:
        answer.raise_for_status()
    assert raised.value.provider == "acme"
    assert raised.value.status == answer.status


async def test_a_5xx_is_retried_in_process_and_can_succeed(server, http):
    url, hits = server
    answer = await http.request("GET", f"{url}/flaky", provider="acme", attempts=3)
    assert answer.status == 200
    assert hits.count("/flaky") == 3


async def test_unavailability_outlasting_the_attempts_is_raised(server, http):
    url, hits = server
    with pytest.raises(ProviderUnavailable) as raised:
        await http.request("GET", f"{url}/down", provider="acme", attempts=2)
    assert raised.value.status == 503
    assert raised.value.sent is True
    assert hits.count("/down") == 2


async def test_a_long_retry_after_is_left_to_the_broker_tiers(server, http):
    url, hits = server
    with pytest.raises(ProviderUnavailable) as raised:
        await http.request("GET", f"{url}/slow-down", provider="acme", attempts=3)
    assert raised.value.retry_after == 120
    assert hits.count("/slow-down") == 1


async def test_a_connection_refused_is_unavailability_without_internals(http):
    with pytest.raises(ProviderUnavailable, match="connection failed") as raised:
        await http.request("GET", "http://127.0.0.1:9/nothing", provider="acme")
    assert "127.0.0.1" not in str(raised.value)
    assert raised.value.sent is False  # refused: the provider never saw it


async def test_a_timeout_may_have_reached_the_provider():
    started = asyncio.Event()

    async def stall(request: web.Request) -> web.Response:
        started.set()
        await asyncio.Event().wait()  # never answers: the client's timeout ends the call
        raise AssertionError("unreachable")

    app = web.Application()
    app.router.add_post("/stall", stall)
    async with TestServer(app) as test_server, ProviderHttp.open(timeout_s=0.3) as http:
        with pytest.raises(ProviderUnavailable, match="timed out") as raised:
            await http.request("POST", str(test_server.make_url("/stall")), provider="acme")
    assert started.is_set()
    assert raised.value.sent is True


async def test_an_answer_that_is_not_json_is_malformed(server, http):
    url, _ = server
    answer = await http.request("GET", f"{url}/not-json", provider="acme")
    with pytest.raises(MalformedResponse, match="not JSON"):
        answer.json_object()


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2026, 11, 21, 10, 0, 0, tzinfo=UTC)
    assert retry_after_of({"Retry-After": "30"}) == 30
    assert retry_after_of({"Retry-After": "Sat, 21 Nov 2026 10:01:00 GMT"}, now=now) == 60
    assert retry_after_of({"Retry-After": "soon"}) is None
    assert retry_after_of({}) is None
