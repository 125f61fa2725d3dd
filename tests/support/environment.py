"""Per-run isolation: one BROKER_PREFIX and one database for the whole test session."""

from __future__ import annotations

import asyncio
import os
import uuid
from dataclasses import dataclass

import asyncpg
from yarl import URL

from libs.db.migrate import migrate

AMQP_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
PG_SERVER_URL = os.environ.get("TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432")


@dataclass(frozen=True)
class TestEnvironment:
    """Where this test run's broker names and database live."""

    run_id: str
    broker_prefix: str
    database_url: str
    amqp_url: str = AMQP_URL

    def service_env(self, **extra: str) -> dict[str, str]:
        """Environment for a service subprocess of this run."""
        return {
            **os.environ,
            "SWITCHYARD_ENV": "test",
            "AMQP_URL": self.amqp_url,
            "DATABASE_URL": self.database_url,
            "BROKER_PREFIX": self.broker_prefix,
            **extra,
        }


def create_environment() -> TestEnvironment:
    run_id = uuid.uuid4().hex[:10]
    database_url = str(URL(PG_SERVER_URL).with_path(f"/switchyard_test_{run_id}"))
    migrate(database_url)
    return TestEnvironment(run_id=run_id, broker_prefix=f"t{run_id}", database_url=database_url)


def drop_environment(env: TestEnvironment) -> None:
    async def drop() -> None:
        conn = await asyncpg.connect(str(URL(PG_SERVER_URL).with_path("/postgres")))
        try:
            name = URL(env.database_url).path.lstrip("/")
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())
