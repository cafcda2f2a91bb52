"""Moving a SQLite database to PostgreSQL: `community-bot migrate-db --to postgresql://...` (docs/scaling.md).

Into an EMPTY PostgreSQL database, in ONE transaction (a failure at any step leaves it empty again):

1. the migrations the SQLite database has (the same versions, each namespace's PostgreSQL text), recorded with the
   times they were first applied;
2. the rows of every table that exists on both sides, parents before the tables whose foreign keys point at them,
   in batches (COPY); SQLite-only tables (FTS5's virtual table and its shadow tables, SQLite's own) are skipped,
   and a PostgreSQL table filled by triggers (Q&A's `qa_search`) is filled as the rows arrive;
3. every identity column's sequence set to the largest value copied, so new rows get new IDs;
4. the check: the same number of rows in every table, and the same values in a sample of rows (the first, the
   last and some at random by primary key);

then, committed, ANALYZE: the query planner's statistics of what was copied.

The SQLite file is only read, inside one read transaction: the copy is of one moment. Stop the bot first all the
same: what it writes after that moment would not be copied.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg

from bot.database import Migration, redact
from bot.database.base import SCHEMA_MIGRATIONS_TABLE
from bot.database.migrations import to_postgresql
from bot.database.postgres import CONNECT_TIMEOUT_S, apply_migration, explained_connect_errors
from bot.settings import ConfigError

log = logging.getLogger(__name__)

BATCH = 5000
SAMPLE = 10  # rows compared from each end of every table, and as many at random
OURS = "n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'"  # not PostgreSQL's own schemas


class CopyMismatch(Exception):
    """The copy does not match the source; nothing was committed."""


@dataclass
class TableCopy:
    name: str
    rows: int
    columns: list[str]


@dataclass
class CopyReport:
    """What migrate-db did, for its output."""

    migrations: int = 0
    tables: list[TableCopy] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # SQLite-only tables
    filled: dict[str, int] = field(default_factory=dict)  # PostgreSQL-only tables (triggers), their rows
    sequences: int = 0
    sampled: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def quoted(columns: Iterable[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


# --- reading the SQLite file ---------------------------------------------------------------------------------------


def open_source(path: Path) -> sqlite3.Connection:
    """The SQLite file, read-only, inside one read transaction (one moment's data, whatever writes after)."""
    if not path.is_file():
        raise ConfigError(f"BOT_DATABASE: {path}: no such file (migrate-db copies an existing SQLite database)")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                           check_same_thread=False)
    try:
        conn.execute("BEGIN")
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # the read transaction starts here
    except sqlite3.DatabaseError as error:
        conn.close()
        raise ConfigError(f"BOT_DATABASE: {path}: not a SQLite database ({error})") from None
    return conn


def source_tables(conn: sqlite3.Connection) -> tuple[list[str], list[str]]:
    """The ordinary tables, and the SQLite-only ones (virtual tables, their shadow tables, SQLite's own)."""
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
    virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
    own: list[str] = []
    sqlite_only: list[str] = []
    for name, _ in rows:
        shadow = any(name.startswith(f"{v}_") for v in virtual)
        (sqlite_only if name in virtual or shadow or name.startswith("sqlite_") else own).append(name)
    return own, sqlite_only


def source_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]


def applied_migrations(conn: sqlite3.Connection) -> dict[tuple[str, int], Any]:
    """(namespace, version) -> applied_at of what the SQLite database has applied."""
    try:
        rows = conn.execute("SELECT namespace, version, applied_at FROM schema_migrations").fetchall()
    except sqlite3.OperationalError:
        raise ConfigError("BOT_DATABASE: the SQLite database has no migrations applied (was the bot ever run on it?)"
                          ) from None
    return {(ns, int(version)): applied for ns, version, applied in rows}


def same_versions(known: Sequence[Migration], applied: dict[tuple[str, int], Any]) -> list[Migration]:
    """The migrations to apply on PostgreSQL: exactly those the SQLite database has, which this bot must know."""
    by_key = {(m.namespace, m.version): m for m in known}
    unknown = sorted(set(applied) - set(by_key))
    if unknown:
        names = ", ".join(f"{ns}/{version:04d}" for ns, version in unknown)
        raise ConfigError(
            f"BOT_DATABASE: the SQLite database has migrations this version of the bot does not know ({names}):"
            " run migrate-db with the version of the bot that last ran on it"
        )
    chosen = [m for m in known if (m.namespace, m.version) in applied]
    for m in known:  # applied files of a namespace are its first ones, in order, as the bot applies them
        later = [c for c in chosen if c.namespace == m.namespace and c.version > m.version]
        if (m.namespace, m.version) not in applied and later:
            raise ConfigError(f"BOT_DATABASE: the SQLite database skipped migration {m.namespace}/{m.name}")
    return chosen


def unix_seconds(value: Any) -> int:
    """schema_migrations.applied_at as unix seconds (older SQLite databases hold ISO-8601 text)."""
    if isinstance(value, (int, float)):
        return int(value)
    try:
        return int(datetime.fromisoformat(str(value)).timestamp())
    except ValueError:
        return int(time.time())


# --- the PostgreSQL side ---------------------------------------------------------------------------------------------


async def connect_target(url: str) -> asyncpg.Connection:
    """One connection to the target; DatabaseUnavailable (exit 3) or DatabaseRefused (exit 2) as at the bot's start."""
    with explained_connect_errors("--to", url):
        return await asyncpg.connect(url, timeout=CONNECT_TIMEOUT_S)


async def refuse_unless_empty(conn: asyncpg.Connection, url: str) -> None:
    """An empty database holds no tables, sequences, views, functions or text search setups of anyone's."""
    found = await conn.fetch(
        "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        f" WHERE {OURS} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
        " UNION ALL SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        f" WHERE {OURS} AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')"
        " UNION ALL SELECT t.cfgname FROM pg_ts_config t JOIN pg_namespace n ON n.oid = t.cfgnamespace"
        f" WHERE {OURS}"
    )
    if found:
        names = sorted({row["name"] for row in found})
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        database = await conn.fetchval("SELECT current_database()")
        raise ConfigError(
            f"--to {redact(url)}: the database {database} is not empty (it holds {shown}): migrate-db copies into an"
            " empty database only; create a new one (createdb ...) and give its URL"
        )


async def target_columns(conn: asyncpg.Connection) -> dict[str, dict[str, str]]:
    """table -> column -> data type, of the ordinary tables in the target's schema."""
    rows = await conn.fetch(
        "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c"
        " JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
        " WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.is_generated = 'NEVER'"
        " ORDER BY c.table_name, c.ordinal_position"
    )
    tables: dict[str, dict[str, str]] = {}
    for row in rows:
        tables.setdefault(row["table_name"], {})[row["column_name"]] = row["data_type"]
    return tables


async def parents_first(conn: asyncpg.Connection, tables: Iterable[str]) -> list[str]:
    """The tables ordered so that each comes after every table its foreign keys point at."""
    edges = await conn.fetch(
        "SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent FROM pg_constraint"
        " WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"
    )
    wanted = sorted(tables)
    parents = {t: {e["parent"] for e in edges if e["child"] == t and e["parent"] != t} & set(wanted) for t in wanted}
    ordered: list[str] = []
    while parents:
        ready = sorted(t for t, p in parents.items() if not p - set(ordered))
        if not ready:
            raise CopyMismatch(f"foreign keys form a cycle between {sorted(parents)}: cannot order the copy")
        ordered += ready
        for t in ready:
            del parents[t]
    return ordered


async def primary_key(conn: asyncpg.Connection, table: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
        " WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)",
        table,
    )
    return [row[0] for row in rows]


def converter(data_type: str) -> Callable[[Any], Any]:
    """A SQLite value as the PostgreSQL column type wants it (SQLite keeps whatever type was stored)."""
    if data_type in ("bigint", "integer", "smallint"):
        return lambda v: None if v is None else int(v)
    if data_type in ("double precision", "real", "numeric"):
        return lambda v: None if v is None else float(v)
    if data_type == "boolean":
        return lambda v: None if v is None else bool(v)
    if data_type == "bytea":
        return lambda v: None if v is None else (v if isinstance(v, bytes) else str(v).encode())
    if data_type in ("json", "jsonb"):
        return lambda v: None if v is None or isinstance(v, str) else json.dumps(v)
    if data_type in ("text", "character varying", "character"):
        return lambda v: None if v is None else (v.decode() if isinstance(v, bytes) else str(v))
    return lambda v: v


# --- the copy --------------------------------------------------------------------------------------------------------


async def migrate_db(
    source: Path, url: str, migrations: Sequence[Migration], *, say: Callable[[str], None] = print,
    batch: int = BATCH,
) -> CopyReport:
    """Copy the SQLite database `source` into the empty PostgreSQL database `url`; see the module docstring."""
    started = time.monotonic()
    src = open_source(source)
    try:
        chosen = same_versions(migrations, applied_migrations(src))
        conn = await connect_target(url)
        try:
            await refuse_unless_empty(conn, url)
            async with conn.transaction():
                report = await _copy(src, conn, chosen, say, batch)
            # The planner's statistics of the copied tables: until autovacuum gets to them it plans from none (a Q&A
            # search then read all 32,000 matches of a word among 300,000 questions: 201 ms instead of 0.3 ms).
            await conn.execute("ANALYZE")
            say("Analysed the copied tables for PostgreSQL's query planner")
        finally:
            await conn.close()
    finally:
        src.close()
    report.seconds = time.monotonic() - started
    return report


async def _copy(
    src: sqlite3.Connection, conn: asyncpg.Connection, chosen: Sequence[Migration], say: Callable[[str], None],
    batch: int,
) -> CopyReport:
    report = CopyReport()
    await conn.execute(to_postgresql(SCHEMA_MIGRATIONS_TABLE))
    applied = applied_migrations(src)
    for migration in chosen:
        await apply_migration(conn, migration, unix_seconds(applied[(migration.namespace, migration.version)]))
    report.migrations = len(chosen)
    say(f"Applied {len(chosen)} migrations on PostgreSQL (the versions the SQLite database has)")

    own, report.skipped = source_tables(src)
    target = await target_columns(conn)
    both = [t for t in own if t in target and t != "schema_migrations"]
    report.skipped += sorted(t for t in own if t not in target)
    for table in await parents_first(conn, both):
        report.tables.append(await _copy_table(src, conn, table, target[table], batch))
        say(f"Copied {report.tables[-1].rows:,} rows of {table}")
    copied = {t.name for t in report.tables}
    for table in sorted(set(target) - copied - {"schema_migrations"}):
        report.filled[table] = int(await conn.fetchval(f'SELECT COUNT(*) FROM "{table}"'))
    for table, rows in report.filled.items():
        say(f"{table}: {rows:,} rows, filled on PostgreSQL by its own triggers" if rows else f"{table}: empty")
    report.sequences = await _reset_sequences(conn)
    report.sampled = await _verify(src, conn, report.tables, target)
    say(f"Checked: the same row counts in {len(report.tables)} tables, the same values in {report.sampled} sampled"
        " rows")
    return report


async def _copy_table(
    src: sqlite3.Connection, conn: asyncpg.Connection, table: str, types: dict[str, str], batch: int
) -> TableCopy:
    columns = [c for c in source_columns(src, table) if c in types]
    convert = [converter(types[c]) for c in columns]
    cursor = src.execute(f'SELECT {quoted(columns)} FROM "{table}"')
    rows = 0
    while True:
        chunk = await asyncio.to_thread(cursor.fetchmany, batch)
        if not chunk:
            break
        try:
            records = [tuple(f(v) for f, v in zip(convert, row, strict=True)) for row in chunk]
        except (TypeError, ValueError) as error:
            raise CopyMismatch(f"{table}: a value does not fit its PostgreSQL column ({error})") from None
        await conn.copy_records_to_table(table, records=records, columns=columns)
        rows += len(records)
    return TableCopy(table, rows, columns)


async def _reset_sequences(conn: asyncpg.Connection) -> int:
    """Each identity (or serial) column's sequence continues after the largest value copied."""
    rows = await conn.fetch(
        "SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) AS seq"
        " FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')"
    )
    for row in rows:
        if row["seq"] is None:
            continue
        top = await conn.fetchval(f'SELECT MAX("{row["column_name"]}") FROM "{row["table_name"]}"')
        if top is None or top < 1:  # nothing copied (or only 0, the shipped directory's "guild"): start at 1
            await conn.execute("SELECT setval($1::regclass, 1, false)", row["seq"])
        else:
            await conn.execute("SELECT setval($1::regclass, $2)", row["seq"], int(top))
    return len(rows)


async def _verify(
    src: sqlite3.Connection, conn: asyncpg.Connection, tables: list[TableCopy], types: dict[str, dict[str, str]]
) -> int:
    """Row counts of every table, and the values of sampled rows by primary key; CopyMismatch otherwise."""
    sampled = 0
    for table in tables:
        there = await conn.fetchval(f'SELECT COUNT(*) FROM "{table.name}"')
        here = src.execute(f'SELECT COUNT(*) FROM "{table.name}"').fetchone()[0]
        if here != there or here != table.rows:
            raise CopyMismatch(f"{table.name}: {here} rows in SQLite, {there} on PostgreSQL after the copy")
        key = await primary_key(conn, table.name)
        if not key or not set(key) <= set(table.columns):
            continue
        cols, order = quoted(table.columns), quoted(key)
        picks = src.execute(
            f'SELECT {cols} FROM (SELECT * FROM "{table.name}" ORDER BY {order} LIMIT {SAMPLE})'
            f' UNION SELECT {cols} FROM (SELECT * FROM "{table.name}" ORDER BY {order} DESC LIMIT {SAMPLE})'
            f' UNION SELECT {cols} FROM (SELECT * FROM "{table.name}" ORDER BY random() LIMIT {SAMPLE})'
        ).fetchall()
        convert = [converter(types[table.name][c]) for c in table.columns]
        where = " AND ".join(f'"{c}" = ${n}' for n, c in enumerate(key, 1))
        for pick in picks:
            expected = tuple(f(v) for f, v in zip(convert, pick, strict=True))
            key_values = [expected[table.columns.index(c)] for c in key]
            found = await conn.fetchrow(f'SELECT {cols} FROM "{table.name}" WHERE {where}', *key_values)
            if found is None or tuple(found) != expected:
                raise CopyMismatch(f"{table.name}: the row {dict(zip(key, key_values, strict=True))} differs after"
                                   f" the copy: {expected!r} in SQLite, {None if found is None else tuple(found)!r}")
            sampled += 1
    return sampled
