"""The uniform entry point: health endpoints, graceful shutdown, clear startup failures."""

from __future__ import annotations

import subprocess
import sys

import aiohttp
import pytest

from libs.broker import Exchange
from tests.support.events import make_event
from tests.support.polling import eventually
from tests.support.probe_service import REQUESTED
from tests.support.processes import ServiceProcess, free_port


@pytest.fixture
def probe(test_env, service_name, delete_queues_after, topology):
    delete_queues_after(
        topology.service(service_name, retry_tiers=(1, 10, 60, 600, 3600)).all_queues
    )
    started: list[ServiceProcess] = []

    def start(**extra: str) -> ServiceProcess:
        process = ServiceProcess(
            test_env, "tests.support.probe_service", PROBE_NAME=service_name, **extra
        )
        started.append(process)
        return process

    yield start
    for process in started:
        process.close()


async def test_service_serves_healthz_readyz_and_its_metrics(probe):
    service = probe()
    await service.ready()
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{service.url}/healthz") as response:
            assert response.status == 200
            assert (await response.json())["status"] == "alive"
        async with session.get(f"{service.url}/readyz") as response:
            assert (await response.json()) == {"status": "ready", "failing": []}
        async with session.get(f"{service.url}/metrics") as response:
            text = await response.text()
    assert "switchyard_http_requests_total" in text
    assert "switchyard_messages_published_total" in text or "switchyard_handler_duration" in text


async def test_sigterm_finishes_the_handler_in_flight_then_exits_cleanly(
    probe, publisher, topology, db
):
    service = probe(PROBE_MODE="slow", PROBE_WORK_SECONDS="1.5")
    await service.ready()
    event = make_event(REQUESTED)
    await publisher.publish(event, exchange=topology.exchange(Exchange.EVENTS))
    await eventually(  # the handler has started its (1.5 s of) work
        lambda: db.pool.fetchval("SELECT count(*) FROM probe_runs WHERE event_id = $1", event.id),
        until=lambda n: n == 1,
    )
    assert await service.terminate() == 0
    effects = await db.pool.fetchval(
        "SELECT count(*) FROM probe_effects WHERE event_id = $1", event.id
    )
    assert effects == 1  # drained: finished and committed before the process left
    logs = service.output()[0]
    assert '"event":"service_stopped"' in logs


def test_missing_or_malformed_setting_stops_startup_with_one_message_naming_it(test_env):
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.probe_service"],
        env=test_env.service_env(AMQP_URL="http://not-amqp", PREFETCH="many"),
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "AMQP_URL is malformed" in result.stderr.decode()
    assert "PREFETCH is malformed" in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()


def test_unreachable_broker_is_named_with_its_redacted_url_and_how_to_start_it(test_env):
    port = free_port()  # nothing listens there
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.probe_service"],
        env=test_env.service_env(AMQP_URL=f"amqp://guest:s3cret@127.0.0.1:{port}/"),
        capture_output=True,
        timeout=30,
        check=False,
    )
    stderr = result.stderr.decode()
    assert result.returncode == 1
    assert f"RabbitMQ is unreachable at amqp://guest:***@127.0.0.1:{port}/" in stderr
    assert "rabbitmq-server" in stderr
    assert "s3cret" not in stderr + result.stdout.decode()
