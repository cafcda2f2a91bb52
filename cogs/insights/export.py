"""`/insights export`: one CSV file per area, with the columns docs/insights.md describes.

The files are not translated: column names, ISO dates and states ("cancelled") stay English whatever the
moderator's language, a documented machine-readable format that scripts and spreadsheets read the same way
everywhere. Only the message the files come with is in the moderator's language (cog.py).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from cogs.insights.models import Period
from cogs.insights.store import InsightsStore

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """Members' text (an event's title) never runs as a spreadsheet formula: such a cell starts with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue().encode()


def _local(seconds: int | None, zone: ZoneInfo) -> str:
    return "" if seconds is None else datetime.fromtimestamp(int(seconds), zone).isoformat(timespec="seconds")


async def export_csvs(
    store: InsightsStore, guild_id: int, period: Period, channel_name: Callable[[int], str] = str
) -> dict[str, bytes]:
    """File name -> CSV bytes, one per area; days are the server's local dates, instants its local ISO time."""
    zone = ZoneInfo(period.zone)
    dates = period.dates()
    members = await store.member_days(guild_id, period)
    messages = await store.message_days(guild_id, period)
    started = await store.onboarding_days(guild_id, period, "started_at")
    finished = await store.onboarding_days(guild_id, period, "finished_at")
    asked = await store.qa_days(guild_id, period, "created_at")
    solved = await store.qa_days(guild_id, period, "solved_at")
    requests = await store.mentor_days(guild_id, period, "created_at")
    matched = await store.mentor_days(guild_id, period, "matched_at")
    files = {
        "members.csv": _csv(
            ["date", "joins", "leaves", "net", "messages"],
            [[d.isoformat(), *members.get(d, (0, 0)), members.get(d, (0, 0))[0] - members.get(d, (0, 0))[1],
              messages.get(d, 0)] for d in dates],
        ),
        "newcomers.csv": _csv(
            ["joined_at", "left_at", "first_message_at", "finished_onboarding_at"],
            [[_local(j, zone), _local(left, zone), _local(m, zone), _local(f, zone)]
             for j, left, m, f in await store.newcomer_rows(guild_id, period)],
        ),
        "activity.csv": _csv(
            ["date", "channel_id", "channel", "messages"],
            [[d.isoformat(), c, channel_name(c), n] for d, c, n in await store.message_rows(guild_id, period)],
        ),
        "active_weeks.csv": _csv(
            ["week_start", "active_members"],
            [[w.isoformat(), n] for w, n in sorted((await store.active_weeks(guild_id, period)).items())],
        ),
        "onboarding.csv": _csv(
            ["date", "started", "finished"], [[d.isoformat(), started.get(d, 0), finished.get(d, 0)] for d in dates]
        ),
        "qa.csv": _csv(
            ["date", "asked", "solved"], [[d.isoformat(), asked.get(d, 0), solved.get(d, 0)] for d in dates]
        ),
        "events.csv": _csv(
            ["starts_at", "title", "state", "going", "maybe"],
            [[_local(o.starts_at, zone), o.title, o.state, o.going, o.maybe]
             for o in await store.occurrences(guild_id, period)],
        ),
        "mentors.csv": _csv(
            ["date", "requests", "accepted"], [[d.isoformat(), requests.get(d, 0), matched.get(d, 0)] for d in dates]
        ),
    }
    return files
