from __future__ import annotations

import json

import pytest
import structlog

from libs.observability import configure_logging, get_logger


@pytest.fixture(autouse=True)
def _restore_structlog():
    # configure_logging binds loggers to the captured stdout; later tests must not write to it.
    yield
    structlog.reset_defaults()


def test_log_lines_are_json_with_service_context_and_credentials_masked(capsys):
    configure_logging("ingress", "info")
    get_logger("t").info(
        "publish_failed",
        routing_key="quickbooks.invoice.created",
        dedupekey="qb:1:invoice:2",
        client_secret="s3cret",
        refresh_token="r3fresh",
        password="hunter2",
    )
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["service"] == "ingress"
    assert line["event"] == "publish_failed"
    assert line["routing_key"] == "quickbooks.invoice.created"
    assert line["dedupekey"] == "qb:1:invoice:2"
    assert line["client_secret"] == line["refresh_token"] == line["password"] == "***"
