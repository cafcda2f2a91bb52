"""Benchmark: `/insights overview` for 365 days over a year of a 100,000-member server, through the real bot.

    python -m bench.insights            # 100,000 joins, 1,000,000 questions, 2,000 events, 20M messages (~3 min)
    python -m bench.insights --quick    # a tenth of that

The year is seeded straight into a SQLite file (every migration applied; seeding is not what is measured):
insights' own daily aggregates (joins and leaves per day, 20 million messages as messages per channel per day over
20 channels, 35 days of activity marks, a year of weekly distinct posters, 100,000 newcomers), onboarding profiles
and events for the 100,000 joins, 1,000,000 questions with a tag each, 2,000 events with RSVPs, reminders and
deliveries, 200 mentors and 3,000 mentor requests. Every question is archived, as Q&A leaves them after a quiet
week: Q&A's own due work would otherwise go through them all on the loopback while the commands are timed. Then
the real bot starts on the loopback Discord over that file and a moderator runs `/insights overview` (and each
other area) with days=365: time to answer is the loopback's `answer_latency` (from the interaction to the
follow-up with the charts), RSS is this process's (the bot and the loopback) before and after.

Baseline, in the same run: a bare matplotlib render of the same series (the overview's three charts drawn with
pyplot's defaults, no database, no Discord) in a fresh process, its wall time and its RSS. Also the render time of
each chart of every area through the bot's renderer (drawing.render_png), best of 3.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import write_results
from bot.client import all_migrations
from bot.clock import ManualClock
from bot.database import Database
from bot.discovery import feature_packages
from bot.settings import load_settings
from loopback import LoopbackDiscord
from tests.harness import SHIPPED_CONFIG, BotHarness

SEED = 20261203
DAY = 86400
CHANNELS = 20
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def spread(total: int, days: int, rng: random.Random) -> list[int]:
    """`total` split over `days` with a weekly rhythm and noise; sums to total exactly."""
    weights = [(1.3 if (i % 7) < 5 else 0.7) * rng.uniform(0.6, 1.4) for i in range(days)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % days] += 1
    return counts


def seed(path: Path, guild: int, channels: list[int], size: dict[str, int]) -> None:
    """A year of one server, written with plain sqlite3 in large transactions."""
    rng = random.Random(SEED)
    end = int(NOW.timestamp())
    start = end - 365 * DAY
    first_day = NOW.date() - timedelta(days=364)
    days = [first_day + timedelta(days=i) for i in range(365)]
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    with con:
        joins = spread(size["joins"], 365, rng)
        leaves = [int(j * rng.uniform(0.2, 0.4)) for j in joins]
        con.executemany("INSERT INTO insights_member_days VALUES (?, ?, ?, ?)",
                        [(guild, d.isoformat(), j, v) for d, j, v in zip(days, joins, leaves, strict=True)])
        per_day = spread(size["messages"], 365, rng)
        rows = []
        for d, n in zip(days, per_day, strict=True):
            shares = spread(n, CHANNELS, rng)
            rows += [(guild, d.isoformat(), c, s) for c, s in zip(channels, shares, strict=True)]
        con.executemany("INSERT INTO insights_message_days VALUES (?, ?, ?, ?)", rows)
        active = max(50, size["joins"] // 30)
        con.executemany("INSERT INTO insights_active_marks VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                        [(guild, d.isoformat(), rng.randrange(active * 3)) for d in days[-35:] for _ in range(active)]
                        )
        # the random posters repeat within a day: one mark each
        con.executemany("INSERT INTO insights_active_weeks VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                        [(guild, (first_day + timedelta(days=7 * w - first_day.weekday())).isoformat(),
                          int(active * rng.uniform(2, 3))) for w in range(52)])
        newcomers, profiles, events = [], [], []
        roles = ["data-engineer", "data-scientist", "analyst", "ml-engineer", "student", "researcher"]
        steps = ["role", "level", "interests", "region", "timezone"]
        user = 10**17
        for d, j in zip(days, joins, strict=True):
            base = int(datetime.combine(d, datetime.min.time(), UTC).timestamp())
            for _ in range(j):
                user += 1
                at = base + rng.randrange(DAY)
                left = at + rng.randrange(60 * DAY) if rng.random() < 0.3 else None
                posted = at + rng.randrange(10 * DAY) if rng.random() < 0.6 else None
                newcomers.append((guild, user, at, left, posted))
                events.append((guild, user, "welcomed", at + 5))
                r = rng.random()
                if r < 0.8:
                    finished = at + rng.randrange(3600) if r < 0.55 else None
                    status, step = ("finished", "done") if finished else ("started", rng.choice(steps))
                    profiles.append((guild, user, rng.choice(roles), status, step, at, at + 60, finished, at))
                    events.append((guild, user, "started", at + 60))
                    if finished:
                        events.append((guild, user, "finished", finished))
                elif r < 0.85:
                    events.append((guild, user, "dm_closed", at + 5))
        con.executemany("INSERT INTO insights_newcomers VALUES (?, ?, ?, ?, ?)", newcomers)
        con.executemany("INSERT INTO onboarding_profiles (guild_id, user_id, role, status, step, created_at,"
                        " started_at, finished_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", profiles)
        con.executemany("INSERT INTO onboarding_events VALUES (?, ?, ?, ?)", events)
    with con:
        tags = ["Python", "SQL", "Machine learning", "Data engineering", "Analytics", "Career"]
        batch, tag_rows = [], []
        for i in range(size["questions"]):
            created = start + rng.randrange(365 * DAY)
            reply = created + int(rng.expovariate(1 / 20000)) if rng.random() < 0.85 else None
            solved = (reply or created) + int(rng.expovariate(1 / 80000)) if reply and rng.random() < 0.6 else None
            solved = solved if solved is None or solved < end else None
            reply = reply if reply is None or reply < end else None
            helper = 10**17 + rng.randrange(1, 5000) if solved else None
            thread = 10**18 + i
            batch.append((thread, guild, channels[0], 10**17 + rng.randrange(1, 100000), f"q{i}",
                          "solved" if solved else "open", created, created, reply, solved, helper, solved,
                          end))
            tag_rows.append((thread, guild, rng.choice(tags)))
            if len(batch) == 50_000:
                _questions(con, batch, tag_rows)
                batch, tag_rows = [], []
        _questions(con, batch, tag_rows)
    with con:
        for e in range(size["events"]):
            starts = start + rng.randrange(365 * DAY)
            state = "cancelled" if rng.random() < 0.05 else ("ended" if starts < end else "upcoming")
            con.execute("INSERT INTO events (id, guild_id, creator_id, title, tz, local_time, duration_s, state,"
                        " created_at, updated_at) VALUES (?, ?, 1, ?, 'UTC', '18:00', 3600, 'active', 0, 0)",
                        (e + 1, guild, f"Meetup {e + 1}"))
            con.execute("INSERT INTO event_occurrences (id, event_id, seq, starts_at, ends_at, state)"
                        " VALUES (?, ?, 1, ?, ?, ?)", (e + 1, e + 1, starts, starts + 3600, state))
            rsvps = [(e + 1, 10**17 + u, rng.choice(("going", "going", "maybe", "declined")), starts)
                     for u in rng.sample(range(1, 100000), rng.randrange(5, 40))]
            con.executemany("INSERT INTO event_rsvps (occurrence_id, user_id, status, updated_at)"
                            " VALUES (?, ?, ?, ?)", rsvps)
            con.execute("INSERT INTO event_reminders (id, occurrence_id, kind, due_at, state)"
                        " VALUES (?, ?, 'reminder', ?, 'sent')", (e + 1, e + 1, starts - 3600))
            con.executemany("INSERT INTO event_deliveries (reminder_id, user_id, state, sent_at) VALUES (?, ?, ?, ?)",
                            [(e + 1, r[1], "sent", starts - 3600) for r in rsvps if r[2] == "going"])
        con.executemany("INSERT INTO mentors (guild_id, user_id, topics, capacity, status, joined_at, updated_at)"
                        " VALUES (?, ?, '[]', ?, 'active', 0, 0)",
                        [(guild, 10**17 + m, rng.randint(1, 4)) for m in range(1, size["mentors"] + 1)])
        requests = []
        for r in range(size["requests"]):
            created = start + rng.randrange(365 * DAY)
            matched = created + int(rng.expovariate(1 / 40000)) if rng.random() < 0.7 else None
            status = "ended" if matched else rng.choice(("cancelled", "waiting"))
            requests.append((guild, 2 * 10**17 + r, "[]", status, 10**17 + 1 if matched else None, "command",
                             created, matched if matched and matched < end else None))
        con.executemany("INSERT INTO mentor_requests (guild_id, mentee_id, topics, status, mentor_id, source,"
                        " created_at, matched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", requests)
    con.execute("ANALYZE")
    con.close()


def _questions(con: sqlite3.Connection, batch: list[tuple[Any, ...]], tags: list[tuple[Any, ...]]) -> None:
    con.executemany(
        "INSERT INTO qa_questions (thread_id, guild_id, channel_id, asker_id, title, source, state, created_at,"
        " last_activity_at, first_reply_at, solved_at, answer_author_id, answer_marked_at, archived_at)"
        " VALUES (?, ?, ?, ?, ?, 'direct', ?, ?, ?, ?, ?, ?, ?, ?)", batch)
    con.executemany("INSERT INTO qa_question_tags (thread_id, guild_id, tag) VALUES (?, ?, ?)", tags)


def bare_render(series_file: str) -> None:
    """The baseline, in its own process: the overview's three series drawn with pyplot's defaults."""
    started = time.perf_counter()
    import matplotlib

    matplotlib.use("Agg")
    import io

    import matplotlib.pyplot as plt

    imported = time.perf_counter()
    data = json.loads(Path(series_file).read_text())
    days = [date.fromisoformat(d) for d in data["days"]]
    weeks = [date.fromisoformat(d) for d in data["weeks"]]
    sizes = []
    for draw in (
        lambda ax: (ax.bar(days, data["joins"]), ax.bar(days, [-v for v in data["leaves"]])),
        lambda ax: ax.plot(days, data["messages"]),
        lambda ax: ax.bar(weeks, data["active"], width=5),
    ):
        fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
        draw(ax)
        out = io.BytesIO()
        fig.savefig(out, format="png")
        plt.close(fig)
        sizes.append(len(out.getvalue()))
    import psutil

    print(json.dumps({"seconds": time.perf_counter() - started, "render_seconds": time.perf_counter() - imported,
                      "rss_mib": psutil.Process().memory_info().rss / 2**20, "bytes": sizes}))


async def run(size: dict[str, int]) -> dict[str, Any]:
    from cogs.insights.drawing import render_png
    from cogs.insights.models import Area
    from cogs.insights.reports import InsightsReports
    from cogs.insights.rules import period_of
    from cogs.insights.store import InsightsStore
    from tests.insights.helpers import insights, png_size, uploaded

    results: dict[str, Any] = {"size": size}
    lb = LoopbackDiscord(token="bench-token")
    await lb.start()
    lb.guild = lb.add_guild("Data Community")
    channels = [lb.add_channel(lb.guild.id, f"channel-{i}").id for i in range(CHANNELS)]
    mod = lb.add_user("mod")
    lb.add_member(lb.guild.id, mod, roles=[lb.guild.role("Moderators").id])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        db = await Database.open(path)
        await db.migrate(all_migrations(feature_packages()))
        await db.close()
        started = time.perf_counter()
        seed(path, lb.guild.id, channels, size)
        results["seed_seconds"] = time.perf_counter() - started
        results["db_mib"] = path.stat().st_size / 2**20
        harness = BotHarness(lb, path, load_settings(SHIPPED_CONFIG))
        try:
            bot = await harness.start(clock=ManualClock(NOW))
            rss_before = rss_split(path)
            answers: dict[str, Any] = {}
            for area in ("overview", "onboarding", "qa", "events", "mentors"):
                ix = await insights(lb, mod.id, area, days=365)
                files = uploaded(lb, ix)
                assert files and all(png_size(d) == (800, 450) for d in files.values()), area
                answers[area] = {"seconds": ix.answer_latency, "charts": sorted(files),
                                 "text": ix.content_text()}
            rss_after = rss_split(path)
            results["rss_before_mib"], results["mapped_db_before_mib"] = rss_before
            results["rss_after_mib"], results["mapped_db_after_mib"] = rss_after
            overview_again = await insights(lb, mod.id, "overview", days=365)
            answers["overview (again)"] = {"seconds": overview_again.answer_latency}
            results["answers"] = answers
            # the series of the overview, for the bare baseline, and every chart's render time
            store = InsightsStore(bot.db)
            period = period_of(365, NOW, "UTC")
            render_times: dict[str, float] = {}
            overview = None
            for area in Area:
                report = await InsightsReports(store).build(area, lb.guild.id, period)
                overview = overview or report
                for spec in report.charts:
                    best = min(_timed(render_png, spec) for _ in range(3))
                    render_times[f"{area.value}/{spec.filename}"] = best
            results["render_seconds"] = render_times
        finally:
            await harness.stop()
            await lb.stop()
        assert overview is not None
        members, messages, active = overview.charts
        series = {"days": [d.isoformat() for d in members.x], "joins": list(members.series[0].values),
                  "leaves": list(members.series[1].values), "messages": list(messages.series[0].values),
                  "weeks": [d.isoformat() for d in active.x], "active": list(active.series[0].values)}
        series_file = Path(folder) / "series.json"
        series_file.write_text(json.dumps(series))
        bare = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.insights", "--bare", str(series_file),
            stdout=asyncio.subprocess.PIPE, cwd=Path(__file__).parents[1],
        )
        out, _ = await bare.communicate()
        if bare.returncode != 0:
            raise RuntimeError(f"the bare render failed ({bare.returncode})")
        results["bare"] = json.loads(out)
    return results


def rss_split(database: Path) -> tuple[float, float]:
    """This process's RSS, and the part of it that is the database file's memory map (SQLite's mmap_size: pages
    of the file, shared and given back under pressure, not the bot's own memory)."""
    import psutil

    process = psutil.Process()
    mapped = sum(m.rss for m in process.memory_maps() if m.path == str(database))
    return process.memory_info().rss / 2**20, mapped / 2**20


def _timed(fn: Any, *args: Any) -> float:
    started = time.perf_counter()
    fn(*args)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    parser.add_argument("--bare", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        bare_render(args.bare)
        return
    scale = 10 if args.quick else 1
    size = {"joins": 100_000 // scale, "questions": 1_000_000 // scale, "events": 2_000 // scale,
            "messages": 20_000_000 // scale, "mentors": 200 // scale, "requests": 3_000 // scale}
    import logging

    logging.basicConfig(level=logging.ERROR)
    r = asyncio.run(run(size))
    overview, bare = r["answers"]["overview"], r["bare"]
    table = [("what", "seconds", "RSS (MiB)", "note")]
    for area, answer in r["answers"].items():
        table.append((f"/insights {area} 365", f"{answer['seconds']:.2f}", "",
                      ", ".join(answer.get("charts", []))))
    own_before = r["rss_before_mib"] - r["mapped_db_before_mib"]
    own_after = r["rss_after_mib"] - r["mapped_db_after_mib"]
    table.append(("bot process RSS, before -> after the five commands", "",
                  f"{r['rss_before_mib']:.0f} -> {r['rss_after_mib']:.0f}",
                  f"of which the database file's memory map {r['mapped_db_before_mib']:.0f} -> "
                  f"{r['mapped_db_after_mib']:.0f}; bot and loopback in one process"))
    table.append(("bot process RSS without the mapped database", "", f"{own_before:.0f} -> {own_after:.0f}",
                  f"growth {own_after - own_before:.0f} MiB"))
    table.append(("bare matplotlib render of the overview's 3 charts (fresh process)", f"{bare['seconds']:.2f}",
                  f"{bare['rss_mib']:.0f}", f"pyplot defaults, no database, no Discord; {bare['render_seconds']:.2f} s "
                  "after the imports"))
    for chart, seconds in r["render_seconds"].items():
        table.append((f"render {chart}", f"{seconds:.3f}", "", "best of 3, drawing.render_png"))
    table.append(("seeding (not measured against anything)", f"{r['seed_seconds']:.0f}", "",
                  f"database {r['db_mib']:.0f} MiB"))
    r["headline"] = [
        {"figure": "insights: /insights overview 365 days, time to answer",
         "value": f"{overview['seconds']:.2f} s",
         "baseline": f"{bare['render_seconds']:.2f} s, bare matplotlib render of the same series (imports excluded)",
         "ratio": overview["seconds"] / bare["render_seconds"]},
        {"figure": "insights: RSS growth over five 365-day reports (without the mapped database)",
         "value": f"{own_after - own_before:.0f} MiB",
         "baseline": f"{bare['rss_mib']:.0f} MiB, the bare render's whole process",
         "ratio": (own_after - own_before) / bare["rss_mib"]},
    ]
    for answer in r["answers"].values():
        answer.pop("text", None)
    write_results("insights", r, table, quick=args.quick)


if __name__ == "__main__":
    main()
