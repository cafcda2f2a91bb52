"""The database: SQLite by default, PostgreSQL for several processes; one API for the stores (base.py)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from bot.database.base import (
    ALL,
    POSTGRESQL,
    SQLITE,
    ChangeCallback,
    Database,
    DatabaseRefused,
    DatabaseUnavailable,
    Dialect,
    Params,
    Result,
    Row,
    Statement,
    Transaction,
    redact,
)
from bot.database.migrations import Migration, discover_migrations, split_statements
from bot.database.sqlite import SQLiteDatabase

__all__ = [
    "ALL",
    "POSTGRESQL",
    "SQLITE",
    "ChangeCallback",
    "Database",
    "DatabaseRefused",
    "DatabaseTarget",
    "DatabaseUnavailable",
    "Dialect",
    "Migration",
    "Params",
    "Result",
    "Row",
    "SQLiteDatabase",
    "Statement",
    "Transaction",
    "discover_migrations",
    "open_database",
    "parse_target",
    "redact",
    "split_statements",
]

POSTGRESQL_SCHEMES = ("postgresql", "postgres")
DatabaseTarget = Path | str  # a SQLite file, or a postgresql:// URL


def parse_target(value: str) -> DatabaseTarget:
    """BOT_DATABASE as given: a postgresql:// URL, or a path to a SQLite file; other URLs are refused by name."""
    scheme = urlsplit(value).scheme.lower() if "://" in value else ""
    if not scheme:
        return Path(value)
    if scheme in POSTGRESQL_SCHEMES:
        return value
    raise ValueError(
        f"{scheme}:// databases are not supported: give a file path for SQLite, or a postgresql:// URL"
    )


async def open_database(target: DatabaseTarget) -> Database:
    """Open the SQLite file, or connect to PostgreSQL."""
    if isinstance(target, Path):
        return await SQLiteDatabase.connect(target)
    from bot.database.postgres import PostgresDatabase  # asyncpg is only needed for PostgreSQL

    return await PostgresDatabase.connect(target)
