"""Bursts of 429, 500 and 503 on the routes features write to (event announcements and reminders, reminder and
welcome DMs, welcome-channel greetings, forum posts for /ask), while members keep using the bot: it keeps
serving, every write lands exactly once, nothing is lost.

Three kinds of failure, as discord.py meets them: a 429 (retried after `retry_after`), a 500 (retried after a
1 s back-off; `after=True` when Discord did the work and only the answer was lost, so the repeat must not post
twice), and a 503 (not retried by discord.py: the feature's own retry or the member's second try must recover).
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.clock import ManualClock
from loopback import InteractionRecord, LoopbackDiscord, RecordedCall
from loopback.world import Message
from tests.harness import BotHarness

MESSAGES = r"/channels/\d+/messages$"


async def _about_traffic(lb: LoopbackDiscord, stop: asyncio.Event) -> list[InteractionRecord]:
    """Members keep running /about until told to stop."""
    guild, sent = lb.guild, []
    while not stop.is_set():
        sent.append(await lb.invoke_slash(guild.id, guild.channel("general").id, guild.owner_id, "about"))
        await asyncio.sleep(0.02)
    return sent


async def _all_answered(sent: list[InteractionRecord]) -> None:
    await asyncio.gather(*(ix.wait_response(timeout=20) for ix in sent))
    assert sent and all("Gateway latency" in ix.content_text() for ix in sent)


def _accepted(calls: list[RecordedCall]) -> dict[int, str]:
    """Message id -> nonce, for message creates Discord accepted (a repeat with the same nonce maps to the same)."""
    return {int(c.response["id"]): str(c.body.get("nonce")) for c in calls if c.status == 200}


def _nonce_calls(lb: LoopbackDiscord, prefix: str) -> list[RecordedCall]:
    return [c for c in lb.calls_to("POST", MESSAGES) if str(c.body.get("nonce") or "").startswith(prefix)]


def _confirm_id(preview: InteractionRecord) -> str:
    return next(c["custom_id"] for row in preview.original.components for c in row["components"]
                if c["custom_id"].startswith("ev:confirm:"))  # fmt: skip


async def _preview(lb: LoopbackDiscord, title: str) -> InteractionRecord:
    guild = lb.guild
    options = {"title": title, "when": "in 3 hours", "reminders": "1h"}
    ix = await lb.invoke_slash(guild.id, guild.channel("general").id, guild.owner_id, "event", options, "create")
    await ix.wait_response(timeout=20)
    assert ix.ephemeral and "Preview" in ix.content_text()
    return ix


async def _confirm(lb: LoopbackDiscord, preview: InteractionRecord) -> InteractionRecord:
    click = await lb.click_button(preview.original.id, _confirm_id(preview), lb.guild.owner_id)
    await click.wait_response(timeout=20)
    await lb.wait_until(lambda: "Posted" in preview.original.text() or click.followups, timeout=20)
    return click


def _going(lb: LoopbackDiscord, announcement: Message) -> str:
    return next(c["custom_id"] for row in announcement.components for c in row["components"]
                if c["custom_id"].endswith(":g"))  # fmt: skip


async def test_event_announcements_and_reminders_land_once_through_429_500_503(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    lb = loopback
    lb.interaction_deadline = None  # a 500 costs discord.py a 1 s back-off; the answers still arrive
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    bot = await harness.start(clock=clock)
    events = lb.guild.channel("events").id
    members = [m.user.id for m in lb.add_members(lb.guild.id, 12, prefix="going")]

    # Announcements: a 429 burst, a post whose answer was lost (Discord posted it, discord.py sends it again and
    # the nonce returns the same message), then a 503 that discord.py does not retry: the organiser is told and
    # presses Confirm again. (Faults on one request stay under discord.py's five tries: after four failures a
    # 500 would cost it a 9 s back-off before giving up.)
    previews = [await _preview(lb, f"Meetup {n}") for n in range(3)]
    lb.inject("POST", rf"/channels/{events}/messages$", 429, times=3, retry_after=0.01)
    await _confirm(lb, previews[0])
    lb.inject("POST", rf"/channels/{events}/messages$", 500, after=True)
    await _confirm(lb, previews[1])
    lb.inject("POST", rf"/channels/{events}/messages$", 503)
    refused = await _confirm(lb, previews[2])
    assert refused.ephemeral and "HTTP 503" in refused.content_text() and "Confirm again" in refused.content_text()
    await _confirm(lb, previews[2])
    assert all("Posted" in p.original.text() for p in previews)
    announcements = _accepted(_nonce_calls(lb, "evo"))
    assert len(announcements) == 3 and len(set(announcements.values())) == 3
    assert sorted(m.id for m in lb.channel_messages(events)) == sorted(announcements)

    for announcement in lb.channel_messages(events):
        clicks = [await lb.click_button(announcement.id, _going(lb, announcement), u) for u in members]
        await asyncio.gather(*(c.wait_response(timeout=20) for c in clicks))

    # Reminders: 3 channel posts and 36 DMs under a mixed burst, while /about traffic runs.
    lb.inject("POST", r"/users/@me/channels$", 429, times=5, retry_after=0.01)
    lb.inject("POST", MESSAGES, 500, times=2, after=True)  # first, so a request meets it on its first try
    lb.inject("POST", MESSAGES, 429, times=8, retry_after=0.01)
    lb.inject("POST", MESSAGES, 503, times=4)
    stop = asyncio.Event()
    traffic = asyncio.create_task(_about_traffic(lb, stop))
    clock.advance(timedelta(hours=2))
    await bot.scheduler.run_now("events:reminders")
    left = await bot.db.fetchval("SELECT COUNT(*) FROM event_deliveries WHERE state = 'pending' AND attempts > 0")
    assert left >= 4  # each 503 (and any 429 that outlasted discord.py's tries) waits for the reminder work's retry
    clock.advance(timedelta(seconds=61))
    await bot.scheduler.run_now("events:reminders")
    stop.set()
    await _all_answered(await traffic)

    sends = _nonce_calls(lb, "evd")
    statuses = Counter(c.status for c in sends)
    assert statuses[429] == 8 and statuses[500] == 2 and statuses[503] == 4
    delivered = _accepted(sends)
    dm_channels = {lb.world.dm_channel_by_user[u] for u in members}
    shown = [m.id for m in lb.world.messages.values() if m.channel_id in {events, *dm_channels}
             and m.author.id == lb.bot_user.id and m.webhook_id is None and m.id not in announcements]  # fmt: skip
    assert sorted(shown) == sorted(delivered) and len(set(delivered.values())) == len(shown) == 3 + 3 * len(members)
    for user_id in members:
        assert len(lb.dm_messages(user_id)) == 3
    rows = await bot.db.fetch("SELECT state, COUNT(*) AS n FROM event_reminders GROUP BY state")
    assert {r["state"]: r["n"] for r in rows} == {"sent": 3}
    assert not lb.handler_errors


def _ask_ids(modal: dict[str, Any]) -> dict[str, str]:
    out = {}
    for row in modal["components"]:
        for c in row.get("components") or [row.get("component")]:
            out[c["label"].split(" ")[0].lower()] = c["custom_id"]
    return out


async def _ask(lb: LoopbackDiscord, user_id: int, title: str) -> InteractionRecord:
    guild = lb.guild
    ix = await lb.invoke_slash(guild.id, guild.channel("general").id, user_id, "ask")
    await ix.wait_response(timeout=20)
    ids = _ask_ids(ix.modal)
    submit = await lb.submit_modal(ix, values={ids["title"]: title, ids["details"]: f"Details of {title}."})
    await submit.wait_followup(timeout=20)
    return submit


async def test_questions_are_posted_once_through_429_500_503_on_thread_creation(
    loopback: LoopbackDiscord, bot
) -> None:
    lb = loopback
    lb.interaction_deadline = None
    forum = lb.guild.channel("questions")
    askers = [m.user.id for m in lb.add_members(lb.guild.id, 8, prefix="asker")]
    lb.inject("POST", rf"/channels/{forum.id}/threads$", 429, times=6, retry_after=0.01)
    lb.inject("POST", rf"/channels/{forum.id}/threads$", 500, times=1)
    lb.inject("POST", rf"/channels/{forum.id}/threads$", 503, times=2)
    stop = asyncio.Event()
    traffic = asyncio.create_task(_about_traffic(lb, stop))
    submits = await asyncio.gather(*(_ask(lb, u, f"How do I tune query number {n}?") for n, u in enumerate(askers)))
    # Askers whose post Discord refused (the two 503s, and a 429 that outlasted discord.py's five tries) were
    # told so; their text is kept and Post sends it.
    refused = [s for s in submits if "Posted:" not in s.content_text()]
    assert sum("503" in s.content_text() for s in refused) == 2
    assert all(s.ephemeral and "Your text is kept" in s.content_text() for s in refused)
    for submit in refused:
        post = next(c["custom_id"] for row in submit.followups[0].components for c in row["components"]
                    if c["custom_id"].startswith("qa:draft:post:"))  # fmt: skip
        click = await lb.click_button(submit.followups[0].id, post, submit.user_id)
        await click.wait_response(timeout=20)
        await lb.wait_until(lambda click=click: "Posted:" in click.original.text(), timeout=20)
    stop.set()
    await _all_answered(await traffic)

    threads = [t for t in lb.guild.threads if t.parent_id == forum.id]
    assert sorted(t.name for t in threads) == sorted(f"How do I tune query number {n}?" for n in range(len(askers)))
    statuses = Counter(c.status for c in lb.calls_to("POST", rf"/channels/{forum.id}/threads$"))
    assert statuses == {429: 6, 500: 1, 503: 2, 201: len(askers)}  # one post each, none repeated
    assert await bot.db.fetchval("SELECT COUNT(*) FROM qa_questions") == len(askers)
    assert not lb.handler_errors


async def test_welcome_dms_and_greetings_land_once_through_429_500_503(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    lb = loopback
    lb.interaction_deadline = None
    guild = lb.guild
    await harness.start()
    joiners = [lb.add_user(f"joiner{n}") for n in range(60)]
    closed = {u.id for u in joiners[40:45]}
    for user_id in closed:
        lb.close_dms(user_id)
    lb.inject("POST", r"^/users/@me/channels$", 429, times=5, retry_after=0.01)
    lb.inject("POST", MESSAGES, 500, times=2, after=True)
    lb.inject("POST", MESSAGES, 429, times=8, retry_after=0.01)
    lb.inject("POST", MESSAGES, 503, times=1)  # not retried by discord.py: the welcome queue tries again in 10 s
    stop = asyncio.Event()
    traffic = asyncio.create_task(_about_traffic(lb, stop))
    for user in joiners:
        await lb.join_member(guild.id, user)

    async def states() -> Counter[str]:
        return Counter(r["state"] for r in await harness.bot.db.fetch("SELECT state FROM onboarding_welcomes"))

    for _ in range(1000):
        if await states() == Counter({"sent": 55, "dm_closed": 5}):
            break
        await asyncio.sleep(0.02)
    stop.set()
    await _all_answered(await traffic)
    assert await states() == Counter({"sent": 55, "dm_closed": 5})
    retried = await harness.bot.db.fetchval("SELECT COUNT(*) FROM onboarding_welcomes WHERE attempts > 1")
    assert retried >= 1  # the 503's welcome went back to the queue and out on a later attempt
    statuses = Counter(c.status for c in lb.calls_to("POST", MESSAGES))
    assert statuses[500] == 2 and statuses[503] == 1 and statuses[429] == 8
    for user in joiners:
        expected = 0 if user.id in closed else 1
        assert len(lb.dm_messages(user.id)) == expected, user.username
    greetings = lb.channel_messages(guild.channel("welcome").id)
    mentioned = Counter(int(u) for m in greetings for u in re.findall(r"<@!?(\d+)>", m.content))
    assert mentioned == Counter(closed)
    assert not lb.handler_errors


LOST_POST = ("known limit: Discord takes no nonce for a new forum post and discord.py repeats a request answered"
             " 5xx, so a post whose answer was lost is made twice (docs/faults.md)")


@pytest.mark.xfail(strict=True, reason=LOST_POST)
async def test_a_forum_post_whose_answer_was_lost_is_not_posted_twice(loopback: LoopbackDiscord, bot) -> None:
    lb = loopback
    lb.interaction_deadline = None
    forum = lb.guild.channel("questions")
    asker = lb.add_member(lb.guild.id, lb.add_user("asker")).user.id
    lb.inject("POST", rf"/channels/{forum.id}/threads$", 500, after=True)
    submit = await _ask(lb, asker, "How do I read a parquet file lazily?")
    assert "Posted:" in submit.content_text()
    assert len([t for t in lb.guild.threads if t.parent_id == forum.id]) == 1
