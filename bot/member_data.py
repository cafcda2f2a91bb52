"""What the privacy hooks (`Feature.export_member` / `forget_member`) share: rows as JSON-ready values, a forget as
one transaction, and the core tables that hold a member's ID (closed DMs, who changed a server setting).

A forget deletes a member's rows, or anonymises the rows that are other members' too: an ID column becomes NULL,
or 0 ("a former member") where the column cannot be NULL. Never a hash: a hash of an ID still points at the member.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from bot.database import Database, Params, Row, Statement

FORMER_MEMBER = 0  # what an ID column that cannot be NULL holds once its member was forgotten


def row_dict(row: Row, json_columns: Iterable[str] = ()) -> dict[str, Any]:
    """One row as a JSON-ready dict; the named columns hold JSON text and are decoded."""
    data = {key: row[key] for key in row.keys()}  # noqa: SIM118  (iterating a sqlite3.Row gives its values)
    for column in json_columns:
        if isinstance(data.get(column), str):
            with contextlib.suppress(ValueError):  # not JSON after all: kept as the text it is
                data[column] = json.loads(data[column])
    return data


async def export_rows(
    db: Database, sql: str, params: Params = (), json_columns: Iterable[str] = ()
) -> list[dict[str, Any]]:
    columns = tuple(json_columns)
    return [row_dict(row, columns) for row in await db.fetch(sql, params)]


async def forget_rows(db: Database, statements: Sequence[Statement]) -> int:
    """Run a forget's statements as one transaction (all or nothing); the number of rows they touched."""
    touched = 0
    async with db.transaction() as tx:
        for statement in statements:
            touched += (await tx.execute(statement.sql, statement.params)).rowcount
    return touched


# --- core tables ------------------------------------------------------------------------------------------------------


async def export_core(db: Database, guild_id: int, user_id: int) -> dict[str, Any]:
    """Closed-DM memory (per user: the bot has one DM channel with them) and the settings they changed."""
    return {
        "dm_closed": await export_rows(
            db, "SELECT noted_at, failures FROM dm_closed WHERE user_id = ?", (user_id,)
        ),
        "settings_changed": await export_rows(
            db, "SELECT key, updated_at FROM guild_settings WHERE guild_id = ? AND updated_by = ?", (guild_id, user_id)
        ),
    }


def forget_core(guild_id: int, user_id: int) -> list[Statement]:
    return [
        Statement("DELETE FROM dm_closed WHERE user_id = ?", (user_id,)),
        # the server's setting stays (it is the server's); who changed it goes
        Statement(
            "UPDATE guild_settings SET updated_by = NULL WHERE guild_id = ? AND updated_by = ?", (guild_id, user_id)
        ),
        # problems reported once per member (say "mentor <id> cannot be reached") carry the ID in their key
        Statement("DELETE FROM mod_log_once WHERE guild_id = ? AND key LIKE ?", (guild_id, f"%:{user_id}")),
    ]
