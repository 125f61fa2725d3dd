"""`python -m libs.db.migrate`: create the database in DATABASE_URL if missing, apply every migration.

Exits 1 with one line saying what is wrong (unreachable server, bad URL).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config
from pydantic import PostgresDsn
from pydantic_settings import BaseSettings, SettingsConfigDict
from yarl import URL

from libs.config import ConfigError, load_settings, redact_url
from libs.db.database import DatabaseUnavailable

ROOT = Path(__file__).resolve().parents[2]
KERNEL_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class _MigrateSettings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore")
    database_url: PostgresDsn = PostgresDsn("postgresql://postgres@127.0.0.1:5432/switchyard")


def alembic_config(dsn: str) -> Config:
    """Alembic configured in code: kernel versions plus every services/*/migrations folder."""
    config = Config()
    config.set_main_option("script_location", str(KERNEL_MIGRATIONS))
    locations = [KERNEL_MIGRATIONS / "versions", *sorted(ROOT.glob("services/*/migrations"))]
    config.set_main_option("version_locations", " ".join(str(p) for p in locations))
    config.set_main_option("path_separator", "space")
    url = URL(dsn).with_scheme("postgresql+asyncpg")
    config.set_main_option("sqlalchemy.url", str(url).replace("%", "%%"))
    return config


async def create_database_if_missing(dsn: str) -> bool:
    """Create the database named in `dsn` when it does not exist; True if it was created."""
    url = URL(dsn)
    name = url.path.lstrip("/")
    if not name:
        raise DatabaseUnavailable(f"DATABASE_URL names no database: {redact_url(dsn)}")
    try:
        conn = await asyncpg.connect(str(url.with_path("/postgres")), timeout=10)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        raise DatabaseUnavailable(
            f"PostgreSQL is unreachable at {redact_url(dsn)} ({type(exc).__name__}: {exc})"
        ) from exc
    try:
        if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return False
        quoted = '"' + name.replace('"', '""') + '"'
        try:
            await conn.execute(f"CREATE DATABASE {quoted}")
        except asyncpg.DuplicateDatabaseError:
            return False  # created concurrently by another migrator
        return True
    finally:
        await conn.close()


def migrate(dsn: str) -> None:
    """Create the database if needed and upgrade every branch to its head."""
    asyncio.run(create_database_if_missing(dsn))
    command.upgrade(alembic_config(dsn), "heads")


def main() -> None:
    try:
        settings = load_settings(_MigrateSettings)
        migrate(str(settings.database_url))
    except (ConfigError, DatabaseUnavailable) as exc:
        print(f"migrate: {exc}", file=sys.stderr)
        sys.exit(1)
    print(f"migrate: {redact_url(str(settings.database_url))} is at the latest schema")


if __name__ == "__main__":
    main()
