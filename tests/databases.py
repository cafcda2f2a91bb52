"""Test databases on either engine: a blank one, or one with every migration applied (copied from a template).

Every test that takes the `backend` fixture (directly, or through `db`, `harness`, `database_target`) runs once per
engine named in BOT_TEST_BACKENDS (default: both). Without a reachable PostgreSQL its runs are skipped with the
reason, unless BOT_TEST_POSTGRES is set (CI sets it): then they fail. A test marked `sqlite_only` (it reads the
SQLite file itself) runs on SQLite only.

Migrating a database takes longer than copying one, so the migrated database of each engine is built once per
run and content of migrations (a file for SQLite, a template database for PostgreSQL) and copied for each test.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import hashlib
import os
import shutil
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.client import all_migrations
from bot.database import Database, DatabaseTarget
from bot.discovery import feature_packages

POSTGRES_ADMIN_URL = os.environ.get("BOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = [name.strip() for name in os.environ.get("BOT_TEST_BACKENDS", "sqlite,postgresql").split(",")]
PREFIX = "bot_test_"


@functools.cache
def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used for tests here, or None when it can."""

    async def probe() -> None:
        conn = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
        await conn.close()

    try:  # on a thread of its own: callers may be inside a running event loop
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, probe()).result()
    except Exception as error:
        return f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable ({type(error).__name__}: {error})"
    return None


def postgres_url(name: str) -> str:
    return urlunsplit(urlsplit(POSTGRES_ADMIN_URL)._replace(path=f"/{name}"))


def migrations_digest() -> str:
    """Changes whenever a migration file does, so a stale template is never used."""
    digest = hashlib.sha256()
    for migration in all_migrations(feature_packages()):
        digest.update(f"{migration.namespace}/{migration.name}\0{migration.sql}\0{migration.postgresql}".encode())
    return digest.hexdigest()[:12]


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def blank_postgres() -> str:
    name = f"{PREFIX}{uuid.uuid4().hex[:16]}"
    await _admin(f'CREATE DATABASE "{name}"')
    return name


async def drop_postgres(name: str) -> None:
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def migrated_postgres() -> str:
    """A new database copied from the migrated template (built the first time, by one process at a time)."""
    template = f"{PREFIX}template_{migrations_digest()}"
    conn = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await conn.execute("SELECT pg_advisory_lock(hashtext($1))", template)  # test runs side by side
        try:
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", template):
                await conn.execute(f'CREATE DATABASE "{template}"')
                db = await Database.open(postgres_url(template))
                try:
                    await db.migrate(all_migrations(feature_packages()))
                finally:
                    await db.close()
            name = f"{PREFIX}{uuid.uuid4().hex[:16]}"
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", template)
    finally:
        await conn.close()
    return name


_SQLITE_TEMPLATES: dict[str, Path] = {}


async def migrated_sqlite(path: Path, templates: Path) -> Path:
    """A copy of the migrated SQLite file of this run."""
    digest = migrations_digest()
    template = _SQLITE_TEMPLATES.get(digest)
    if template is None:
        template = templates / f"migrated-{digest}.db"
        db = await Database.open(template)
        try:
            await db.migrate(all_migrations(feature_packages()))
        finally:
            await db.close()
        _SQLITE_TEMPLATES[digest] = template
    await asyncio.to_thread(shutil.copyfile, template, path)
    return path


def is_postgres(target: DatabaseTarget) -> bool:
    return isinstance(target, str)
