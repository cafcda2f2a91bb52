"""`community-bot migrate-db --to postgresql://...`: a SQLite database the real bot filled (every feature) is copied
into an empty PostgreSQL database, and the bot started on the copy sees the same data; a target that is not empty,
unreachable or not PostgreSQL is refused with one `error:` line; a copy that fails leaves the target empty."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from bot.client import all_migrations
from bot.database import Database
from bot.discovery import feature_packages
from bot.settings import Settings
from loopback import LoopbackDiscord
from loopback.interactions import InteractionRecord
from tests.communities.test_additions_commands import _suggest
from tests.core.test_entrypoint import ROOT
from tests.events.test_on_the_wire import create_and_confirm, member, rsvp
from tests.harness import BotHarness
from tests.onboarding.helpers import join, pick, wait_dms
from tests.qa.test_qa_on_loopback import _ask, mark

QUESTION = "How do I merge two DataFrames fast?"


def migrate(tmp_path: Path, source: Path, to: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot migrate-db --to URL` with BOT_DATABASE=source, from an empty folder."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path), "BOT_DATABASE": str(source)}
    return subprocess.run([sys.executable, "-m", "bot", "migrate-db", "--to", to], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)


async def about(lb: LoopbackDiscord) -> dict[str, str]:
    ix = await lb.invoke_slash(lb.guild.id, lb.guild.channel("general").id, lb.guild.owner_id, "about")
    await ix.wait_response()
    [embed] = ix.responses[0]["data"]["embeds"]
    return {f["name"]: f["value"] for f in embed["fields"]}


async def slash(lb: LoopbackDiscord, user_id: int, name: str, options: dict[str, str], sub: str) -> InteractionRecord:
    ix = await lb.invoke_slash(lb.guild.id, lb.guild.channel("general").id, user_id, name, options, sub)
    first = await ix.wait_response(timeout=10)
    if first["type"] == 5:
        await ix.wait_original(timeout=10)
    return ix


async def scenario(lb: LoopbackDiscord) -> None:
    """What a community does in its first days, through the real bot: every feature writes."""
    owner = lb.guild.owner_id
    newcomer = await join(lb, "newcomer")  # onboarding: the welcome DM, then answers
    [welcome] = await wait_dms(lb, newcomer.id)
    await pick(lb, welcome.id, newcomer.id, "role", ["data-analyst"])
    await pick(lb, welcome.id, newcomer.id, "level", ["early-career"])

    asker, helper = lb.add_user("asker"), lb.add_user("helper")  # Q&A: /ask, a reply, Mark as answer
    for user in (asker, helper):
        lb.add_member(lb.guild.id, user)
    submit = await _ask(lb, asker.id, QUESTION, "Two frames, one key column.", "python")
    await submit.wait_followup()
    thread = next(t for t in lb.guild.threads if t.name == QUESTION)
    reply = await lb.send_message(thread.id, helper.id, "Use pandas.merge with on='key'.")
    await mark(lb, thread.id, asker.id, reply.id)

    event_id, announcement = await create_and_confirm(lb)  # events: create, confirm, RSVP
    await rsvp(lb, announcement.id, event_id, member(lb, "goer"), "g")

    await _suggest(lb, asker.id)  # communities: a suggestion to the moderators
    ix = await slash(lb, owner, "config", {"key": "timezone", "value": "Europe/Berlin"}, "set")  # admin
    assert "Europe/Berlin" in ix.content_text()


async def test_every_features_data_moves_to_postgresql_and_the_bot_sees_it_there(
    loopback: LoopbackDiscord, settings: Settings, tmp_path: Path, shared_postgres: str
) -> None:
    lb = loopback
    source = tmp_path / "community.db"
    on_sqlite = BotHarness(lb, source, settings)
    await on_sqlite.start()
    try:
        await scenario(lb)
        before = await about(lb)
    finally:
        await on_sqlite.stop()
    with sqlite3.connect(source) as conn:
        counts = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for (t,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
            " AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'qa_search_%'")}
    assert all(counts[t] for t in ("onboarding_profiles", "qa_questions", "qa_marks", "events", "event_rsvps",
                                   "community_suggestions", "guild_settings", "command_sync")), counts

    result = await asyncio.to_thread(migrate, tmp_path, source, shared_postgres)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"^Applied \d+ migrations on PostgreSQL", out, re.M), out
    assert re.search(r"^Copied 1 rows of qa_questions$", out, re.M), out
    assert re.search(r"^qa_search: 1 rows, filled on PostgreSQL by its own triggers$", out, re.M), out
    assert "Skipped (SQLite only): qa_search, qa_search_config" in out, out
    assert re.search(r"^Checked: the same row counts in \d+ tables, the same values in \d+ sampled rows$", out, re.M)
    assert re.search(r"^Analysed the copied tables for PostgreSQL's query planner$", out, re.M), out

    conn = await asyncpg.connect(shared_postgres)
    try:
        for table, rows in counts.items():
            assert await conn.fetchval(f'SELECT COUNT(*) FROM "{table}"') == rows, table
        applied = {(r[0], r[1]) for r in await conn.fetch("SELECT namespace, version FROM schema_migrations")}
        analysed = await conn.fetch("SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL")
        assert {"qa_questions", "qa_search", "onboarding_profiles"} <= {r[0] for r in analysed}
        assert applied == {(m.namespace, m.version) for m in all_migrations(feature_packages())}
        # the identity sequences go on after the copied rows
        top = await conn.fetchval("SELECT MAX(id) FROM qa_marks")
        new = await conn.fetchval("INSERT INTO qa_marks (thread_id, guild_id, action, by_id, at)"
                                  " VALUES (1, 1, 'mark', 1, 0) RETURNING id")
        assert new == top + 1
        await conn.execute("DELETE FROM qa_marks WHERE id = $1", new)
    finally:
        await conn.close()

    on_postgres = BotHarness(lb, shared_postgres, settings)
    puts = len(lb.calls_to("PUT", r"/commands$"))
    await on_postgres.start()
    try:
        after = await about(lb)
        assert after["Stored"] == before["Stored"], (before, after)
        assert len(lb.calls_to("PUT", r"/commands$")) == puts  # the stored hash came along: nothing re-sent
        found = await slash(lb, lb.guild.owner_id, "qa", {"query": "merge DataFrames"}, "search")
        assert QUESTION in found.content_text(), found.content_text()
        shown = await slash(lb, lb.guild.owner_id, "config", {}, "show")
        assert "Europe/Berlin" in shown.content_text()
    finally:
        await on_postgres.stop()


async def test_a_target_that_is_not_empty_is_refused_by_name(tmp_path: Path, shared_postgres: str) -> None:
    source = await sqlite_with_every_migration(tmp_path)
    conn = await asyncpg.connect(shared_postgres)
    try:
        await conn.execute("CREATE TABLE earlier_app (id BIGINT)")
        database = await conn.fetchval("SELECT current_database()")
    finally:
        await conn.close()
    result = await asyncio.to_thread(migrate, tmp_path, source, shared_postgres)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: --to {shared_postgres}: the database {database} is not empty (it holds earlier_app): migrate-db"
        " copies into an empty database only; create a new one (createdb ...) and give its URL"
    ]


async def test_an_unreachable_target_is_exit_3_and_its_password_is_not_shown(tmp_path: Path, closed_port: int) -> None:
    source = await sqlite_with_every_migration(tmp_path)
    url = f"postgresql://bot:hunter2@127.0.0.1:{closed_port}/community"
    result = await asyncio.to_thread(migrate, tmp_path, source, url)
    assert result.returncode == 3
    assert result.stderr.splitlines() == [
        f"error: PostgreSQL could not be reached at postgresql://bot:***@127.0.0.1:{closed_port}/community:"
        " connection refused"
    ]


@pytest.mark.parametrize(
    ("to", "line"),
    [
        ("mysql://root@localhost/bot", "error: --to: mysql:// databases are not supported: give a file path for"
                                       " SQLite, or a postgresql:// URL"),
        ("other.db", "error: --to: 'other.db' is not a postgresql:// URL"),
    ],
)
async def test_a_target_that_is_not_postgresql_is_refused(tmp_path: Path, to: str, line: str) -> None:
    source = await sqlite_with_every_migration(tmp_path)
    result = await asyncio.to_thread(migrate, tmp_path, source, to)
    assert (result.returncode, result.stderr.splitlines()) == (2, [line])


async def test_a_missing_source_is_exit_2(tmp_path: Path) -> None:
    result = await asyncio.to_thread(migrate, tmp_path, tmp_path / "nothing.db", "postgresql://127.0.0.1/x")
    assert (result.returncode, result.stderr.splitlines()) == (2, [
        f"error: BOT_DATABASE: {tmp_path / 'nothing.db'}: no such file (migrate-db copies an existing SQLite"
        " database)"
    ])


async def test_a_copy_that_fails_leaves_the_target_empty(tmp_path: Path, shared_postgres: str) -> None:
    source = await sqlite_with_every_migration(tmp_path)
    with sqlite3.connect(source) as conn:  # SQLite keeps any type in any column; PostgreSQL will not take it
        conn.execute("INSERT INTO dm_closed (user_id, guild_id, noted_at) VALUES (1, 2, 'yesterday')")
    result = await asyncio.to_thread(migrate, tmp_path, source, shared_postgres)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: dm_closed: a value does not fit its PostgreSQL column (invalid literal for int() with base 10:"
        " 'yesterday')",
        "error: Nothing was copied: the PostgreSQL database is as empty as before.",
    ]
    conn = await asyncpg.connect(shared_postgres)
    try:
        assert await conn.fetchval("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'") == 0
    finally:
        await conn.close()
    with sqlite3.connect(source) as conn:
        conn.execute("DELETE FROM dm_closed")
    result = await asyncio.to_thread(migrate, tmp_path, source, shared_postgres)  # fixed: it can be run again
    assert result.returncode == 0, result.stderr


async def sqlite_with_every_migration(folder: Path) -> Path:
    path = folder / "community.db"
    db = await Database.open(path)
    try:
        await db.migrate(all_migrations(feature_packages()))
    finally:
        await db.close()
    return path


@pytest.fixture
def closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
