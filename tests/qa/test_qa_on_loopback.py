"""The whole Q&A path with the real bot on the loopback Discord."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import ManualClock
from bot.database import Database
from bot.database.postgres import POOL_SIZE
from bot.database.sqlite import READERS
from bot.times import unix
from cogs.qa.cog import QACog
from cogs.qa.models import QuestionAction
from cogs.qa.render import nudge_text
from cogs.qa.store import CLAIM_LEASE_SECONDS
from loopback import LoopbackDiscord, payloads
from tests.harness import BotHarness, eventually


def _inputs(modal: dict) -> dict[str, str]:
    """The modal's text inputs by label, mapped to their custom_ids."""
    out = {}
    for row in modal["components"]:
        for c in row.get("components") or [row.get("component")]:
            out[c["label"].split(" ")[0].lower()] = c["custom_id"]
    return out


async def _ask(lb: LoopbackDiscord, user_id: int, title: str, details: str, tags: str = ""):
    """Run /ask in #general and submit the modal; returns the submit interaction."""
    guild = lb.guild
    ix = await lb.invoke_slash(guild.id, guild.channel("general").id, user_id, "ask")
    await ix.wait_response()
    ids = _inputs(ix.modal)
    values = {ids["title"]: title, ids["details"]: details}
    if tags:
        values[ids["tags"]] = tags
    return await lb.submit_modal(ix, values=values)


async def test_ask_creates_the_forum_post_with_tags_and_tracks_it(loopback: LoopbackDiscord, bot) -> None:
    lb = loopback
    asker = lb.add_user("asker")
    lb.add_member(lb.guild.id, asker)
    title = "How do I merge two DataFrames fast?"
    submit = await _ask(lb, asker.id, title, "I have **two** frames.", "python, SQL, nope")
    await submit.wait_followup()
    assert submit.ephemeral
    forum = lb.guild.channel("questions")
    thread = next(t for t in lb.guild.threads if t.parent_id == forum.id)
    assert thread.name == "How do I merge two DataFrames fast?"
    assert sorted(thread.applied_tags) == sorted([forum.tag("python").id, forum.tag("sql").id])
    assert asker.id in thread.member_ids
    starter = lb.channel_messages(thread.id)[0]
    assert f"<@{asker.id}>" in starter.content and "I have **two** frames." in starter.content
    assert starter.allowed_mentions == {"parse": []}
    text = submit.content_text()
    assert f"/channels/{lb.guild.id}/{thread.id}" in text and "nope" in text
    stored = await qa_of(bot).store.get(thread.id)
    assert (stored.asker_id, stored.source, stored.tag_names) == (asker.id, "ask", ["python", "sql"])


# --- helpers -------------------------------------------------------------------------------------


def qa_of(bot) -> QACog:
    """The running Q&A feature."""
    return bot.feature(QACog)


def button(message, verb: str) -> str:
    """The custom_id of the draft button `verb` (post, edit, drop) on a message."""
    return next(
        c["custom_id"] for row in message.components for c in row["components"] if f":{verb}:" in c["custom_id"]
    )


class Cast:
    """The people of a Q&A scenario."""

    def __init__(self, lb: LoopbackDiscord) -> None:
        guild = lb.guild
        self.asker = lb.add_user("asker")
        self.helper = lb.add_user("helper")
        self.other_helper = lb.add_user("other-helper")
        self.bystander = lb.add_user("bystander")
        self.moderator = lb.add_user("moderator")
        for user in (self.asker, self.helper, self.other_helper, self.bystander):
            lb.add_member(guild.id, user)
        lb.add_member(guild.id, self.moderator, roles=[guild.role("Moderators").id])


async def direct_post(lb: LoopbackDiscord, bot, author_id: int, title: str, content: str = "details", tags=()):
    """A member opens a post in the forum without /ask; returns the thread once the bot tracks it."""
    thread = await lb.create_forum_post(lb.guild.channel("questions").id, author_id, title, content, tags)
    store = qa_of(bot).store
    await eventually(lambda: store.get(thread.id))
    return thread


async def mark(lb: LoopbackDiscord, thread_id: int, user_id: int, message_id: int):
    ix = await lb.invoke_message_command(lb.guild.id, thread_id, user_id, "Mark as answer", message_id)
    await ix.wait_response()
    return ix


@asynccontextmanager
async def every_read_connection_busy(db: Database) -> AsyncIterator[None]:
    """Hold every connection a read can use: SQLite's read-only ones, PostgreSQL's whole pool."""
    if db.backend == "sqlite":
        # SQLite reads never wait for a transaction (they have connections of their own): take those, internals
        pool = await db._open_readers()
        held = [await pool.get() for _ in range(READERS)]
        try:
            yield
        finally:
            for reader in held:
                pool.put_nowait(reader)
        return
    async with AsyncExitStack() as stack:  # each open transaction holds one pooled connection until it ends
        for _ in range(POOL_SIZE):
            await stack.enter_async_context(db.transaction(exclusive=False))
        yield


def bot_messages(lb: LoopbackDiscord, thread_id: int) -> list:
    return [m for m in lb.channel_messages(thread_id) if m.author.id == lb.bot_user.id and not m.deleted]


# --- scenarios -----------------------------------------------------------------------------------


async def test_a_post_made_directly_in_the_forum_is_tracked(loopback: LoopbackDiscord, bot) -> None:
    lb, cast = loopback, Cast(loopback)
    thread = await direct_post(lb, bot, cast.asker.id, "Spark job OOM on join", "executor memory?", ["ml"])
    stored = await qa_of(bot).store.get(thread.id)
    assert (stored.asker_id, stored.source, stored.title, stored.tag_names) == (
        cast.asker.id,
        "direct",
        "Spark job OOM on join",
        ["ml"],
    )
    assert stored.body == ""  # no Message Content intent: the starter text is not visible, the title is
    await lb.send_message(thread.id, cast.helper.id, "raise spark.executor.memory")
    await lb.send_message(thread.id, cast.asker.id, "thanks, trying")
    store = qa_of(bot).store
    stored = await eventually(lambda: _with(store, thread.id, lambda q: q.reply_count == 1 and q.first_reply_at))
    assert stored.first_reply_at is not None


async def _with(store, thread_id: int, predicate):
    question = await store.get(thread_id)
    return question if question is not None and predicate(question) else None


async def test_only_the_asker_or_a_moderator_marks_and_moving_moves_the_credit(loopback: LoopbackDiscord, bot) -> None:
    lb, cast = loopback, Cast(loopback)
    guild = lb.guild
    thread = await direct_post(lb, bot, cast.asker.id, "Why is my dbt model slow?")
    first = await lb.send_message(thread.id, cast.helper.id, "add an index")
    second = await lb.send_message(thread.id, cast.other_helper.id, "make it incremental")

    refused = await mark(lb, thread.id, cast.bystander.id, first.id)
    assert refused.ephemeral
    assert "Only the person who asked" in refused.content_text()
    assert not (await qa_of(bot).store.get(thread.id)).solved

    marked = await mark(lb, thread.id, cast.asker.id, first.id)
    await marked.wait_followup()
    assert "Marked the reply" in marked.content_text()
    forum = guild.channel("questions")
    solved_tag = forum.tag("Solved")  # created: the forum had none, the bot has Manage Channels
    post = lb.world.channel(thread.id)
    assert post.name == "[Solved] Why is my dbt model slow?"
    assert solved_tag.id in post.applied_tags
    notice = bot_messages(lb, thread.id)[-1]
    assert f"/{thread.id}/{first.id}" in notice.content
    assert int(notice.message_reference["message_id"]) == first.id
    assert notice.allowed_mentions == {"parse": []} and notice.mention_ids == []  # the reply pings nobody
    assert any(c.get("custom_id") == f"qa:reopen:{thread.id}" for row in notice.components for c in row["components"])

    board = await lb.invoke_slash(guild.id, guild.channel("general").id, cast.bystander.id, "qa", {}, "leaderboard")
    await board.wait_response()
    assert f"<@{cast.helper.id}> · 1 accepted answer" in board.content_text()

    moved = await mark(lb, thread.id, cast.asker.id, second.id)
    await moved.wait_followup()
    assert "the credit moved from" in moved.content_text()
    assert notice.deleted
    board = await lb.invoke_slash(guild.id, guild.channel("general").id, cast.bystander.id, "qa", {}, "leaderboard")
    await board.wait_response()
    text = board.content_text()
    assert f"<@{cast.other_helper.id}> · 1 accepted answer" in text and f"<@{cast.helper.id}>" not in text

    # a moderator may move it too; the tag was applied once, the title prefixed once
    by_mod = await mark(lb, thread.id, cast.moderator.id, first.id)
    await by_mod.wait_followup()
    assert lb.world.channel(thread.id).name == "[Solved] Why is my dbt model slow?"
    assert lb.world.channel(thread.id).applied_tags.count(solved_tag.id) == 1

    reopened = await lb.invoke_slash(guild.id, thread.id, cast.asker.id, "qa", {}, "reopen")
    await reopened.wait_followup()
    assert "Reopened" in reopened.content_text()
    post = lb.world.channel(thread.id)
    assert post.name == "Why is my dbt model slow?" and solved_tag.id not in post.applied_tags
    assert not (await qa_of(bot).reports.leaderboard(guild.id, None))


async def test_the_reopen_button_and_no_button_on_a_locked_post(loopback: LoopbackDiscord, bot) -> None:
    lb, cast = loopback, Cast(loopback)
    thread = await direct_post(lb, bot, cast.asker.id, "Kafka consumer lag")
    reply = await lb.send_message(thread.id, cast.helper.id, "increase partitions")
    await (await mark(lb, thread.id, cast.asker.id, reply.id)).wait_followup()
    notice = bot_messages(lb, thread.id)[-1]
    refused = await lb.click_button(notice.id, f"qa:reopen:{thread.id}", cast.bystander.id)
    await refused.wait_response()
    assert "Only the person who asked" in refused.content_text()
    clicked = await lb.click_button(notice.id, f"qa:reopen:{thread.id}", cast.asker.id)
    await clicked.wait_followup()
    assert not (await qa_of(bot).store.get(thread.id)).solved

    # marked again, then locked by a moderator: the button goes, since a locked post takes no clicks
    await (await mark(lb, thread.id, cast.asker.id, reply.id)).wait_followup()
    notice = bot_messages(lb, thread.id)[-1]
    assert notice.components
    await lb.update_thread(thread.id, locked=True)
    await lb.wait_until(lambda: lb.message(notice.id).components == [])
    await lb.update_thread(thread.id, locked=False)
    await (await lb.invoke_slash(lb.guild.id, thread.id, cast.moderator.id, "qa", {}, "reopen")).wait_followup()

    await lb.update_thread(thread.id, locked=True)
    marked = await mark(lb, thread.id, cast.moderator.id, reply.id)
    await marked.wait_followup()
    notice = bot_messages(lb, thread.id)[-1]
    assert notice.content.startswith("✅") and notice.components == []


async def test_ask_shows_similar_solved_questions_first(loopback: LoopbackDiscord, bot) -> None:
    lb, cast = loopback, Cast(loopback)
    old = await direct_post(lb, bot, cast.helper.id, "Pandas merge runs out of memory")
    answer = await lb.send_message(old.id, cast.other_helper.id, "merge in chunks")
    await (await mark(lb, old.id, cast.helper.id, answer.id)).wait_followup()

    submit = await _ask(lb, cast.asker.id, "pandas merge memory error", "My merge of two large frames crashes.")
    shown = await submit.wait_followup()
    assert "look similar" in shown.content and f"/{old.id}" in shown.content
    threads_before = len(lb.guild.threads)
    dropped = await lb.click_button(shown.id, button(shown, "drop"), cast.asker.id)
    await dropped.wait_response()
    assert len(lb.guild.threads) == threads_before
    assert await bot.db.fetchval("SELECT COUNT(*) FROM qa_drafts") == 0

    submit = await _ask(lb, cast.asker.id, "pandas merge memory error", "Still crashing with chunks.")
    shown = await submit.wait_followup()
    posted = await lb.click_button(shown.id, button(shown, "post"), cast.asker.id)
    await posted.wait_response()
    await lb.wait_until(lambda: len(lb.guild.threads) == threads_before + 1)
    await lb.wait_until(lambda: "Posted:" in (lb.message(shown.id).content or ""))
    assert lb.message(shown.id).components == []  # the buttons are gone once posted


async def test_a_refused_post_keeps_the_text_and_posts_on_retry(loopback: LoopbackDiscord, bot) -> None:
    lb, cast = loopback, Cast(loopback)
    forum = lb.guild.channel("questions")
    lb.inject("POST", rf"/channels/{forum.id}/threads$", 403, code=50013)
    submit = await _ask(lb, cast.asker.id, "Airflow sensor never fires", "The FileSensor waits forever.")
    reply = await submit.wait_followup()
    assert "could not create the post" in reply.content and "Your text is kept" in reply.content
    retry = await lb.click_button(reply.id, button(reply, "post"), cast.asker.id)
    await retry.wait_response()
    await lb.wait_until(lambda: any(t.name == "Airflow sensor never fires" for t in lb.guild.threads))
    thread = next(t for t in lb.guild.threads if t.name == "Airflow sensor never fires")
    assert "The FileSensor waits forever." in lb.channel_messages(thread.id)[0].content


async def test_a_restart_between_question_and_nudge_gives_exactly_one_nudge(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    lb, cast = loopback, Cast(loopback)
    clock = ManualClock(datetime.now(UTC))
    bot = await harness.start(clock=clock)
    thread = await direct_post(lb, bot, cast.asker.id, "How to test a dbt macro?")
    await lb.send_message(thread.id, cast.helper.id, "use dbt-unit-testing")
    store = qa_of(bot).store
    await eventually(lambda: _with(store, thread.id, lambda q: q.reply_count == 1))
    await harness.stop()

    clock.advance(timedelta(hours=25))  # the nudge fell due while the bot was down
    bot = await harness.start(clock=clock)
    nudge = await lb.wait_until(lambda: [m for m in bot_messages(lb, thread.id) if m.content.startswith("🔔")])
    assert nudge[0].mention_ids == [cast.asker.id]  # the asker, and only the asker, is pinged
    assert nudge[0].allowed_mentions == {"parse": [], "users": [cast.asker.id]}
    store = qa_of(bot).store
    await eventually(lambda: _with(store, thread.id, lambda q: q.nudged_at is not None))

    bot = await harness.restart(clock=clock)
    clock.advance(timedelta(hours=30))
    await bot.scheduler.run_now("qa:actions")
    assert len([m for m in bot_messages(lb, thread.id) if m.content.startswith("🔔")]) == 1


async def test_a_nudge_sent_just_before_a_crash_is_not_sent_again(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    """Discord accepted the nudge, the bot died before noting it: the next start finds it in the thread."""
    lb, cast = loopback, Cast(loopback)
    clock = ManualClock(datetime.now(UTC))
    bot = await harness.start(clock=clock)
    thread = await direct_post(lb, bot, cast.asker.id, "Postgres vacuum question")
    await lb.send_message(thread.id, cast.helper.id, "autovacuum settings?")
    cog = qa_of(bot)
    await eventually(lambda: _with(cog.store, thread.id, lambda q: q.reply_count == 1))
    clock.advance(timedelta(hours=25))
    now = unix(clock.now())
    assert [q.thread_id for q in await cog.store.take_due(now)] == [thread.id]
    assert await cog.store.sending(thread.id, QuestionAction.NUDGE, now)
    await lb.post_message(lb.world.channel(thread.id), lb.bot_user, {"content": nudge_text(cast.asker.id)})
    await harness.stop()

    bot = await harness.start(clock=clock)
    store = qa_of(bot).store
    assert (await store.get(thread.id)).claimed_by is not None  # the dead run's claim holds until its lease ends
    clock.advance(timedelta(seconds=CLAIM_LEASE_SECONDS))
    await bot.scheduler.run_now("qa:actions")
    done = await eventually(lambda: _with(store, thread.id, lambda q: q.nudged_at is not None))
    assert done.pending_action is None and done.claimed_by is None
    assert len([m for m in bot_messages(lb, thread.id) if m.content.startswith("🔔")]) == 1


async def test_unanswered_questions_reach_helpers_and_quiet_posts_are_archived(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    lb, cast = loopback, Cast(loopback)
    helpers = lb.add_role(lb.guild.id, "Helpers")
    clock = ManualClock(datetime.now(UTC))
    bot = await harness.start(clock=clock)
    await bot.guild_settings.set(lb.guild.id, "qa.helper_role", str(helpers.id))
    lonely = await direct_post(lb, bot, cast.asker.id, "Career switch to data engineering?")
    answered = await direct_post(lb, bot, cast.asker.id, "Is DuckDB good for ETL?")
    reply = await lb.send_message(answered.id, cast.helper.id, "yes for local ETL")
    await (await mark(lb, answered.id, cast.asker.id, reply.id)).wait_followup()

    clock.advance(timedelta(hours=24, minutes=1))
    await bot.scheduler.run_now("qa:actions")
    surfaced = [m for m in bot_messages(lb, lonely.id) if m.content.startswith("🙋")]
    assert len(surfaced) == 1 and surfaced[0].mention_roles == [helpers.id]
    assert lb.world.channel(answered.id).archived  # solved and quiet for a day
    assert not lb.world.channel(lonely.id).archived

    clock.advance(timedelta(days=7))
    await bot.scheduler.run_now("qa:actions")
    assert lb.world.channel(lonely.id).archived  # a week of quiet after the surfacing message
    assert len([m for m in bot_messages(lb, lonely.id) if m.content.startswith("🙋")]) == 1
    # a member wakes the post up: it stays open (not archived straight back), then a message, then a week of quiet
    store = qa_of(bot).store
    await lb.update_thread(lonely.id, archived=False)
    await eventually(lambda: _with(store, lonely.id, lambda q: q.archived_at is None))
    await bot.scheduler.run_now("qa:actions")
    assert not lb.world.channel(lonely.id).archived
    await lb.send_message(lonely.id, cast.helper.id, "late answer")
    await eventually(lambda: _with(store, lonely.id, lambda q: q.reply_count == 1))
    clock.advance(timedelta(hours=24, minutes=1))  # the late answer went unacknowledged: the asker is nudged
    await bot.scheduler.run_now("qa:actions")
    assert [m for m in bot_messages(lb, lonely.id) if m.content.startswith("🔔")]
    assert not lb.world.channel(lonely.id).archived
    clock.advance(timedelta(days=7, minutes=1))
    await bot.scheduler.run_now("qa:actions")
    assert lb.world.channel(lonely.id).archived


HOSTILE_TITLE = "@everyone **URGENT** <@&1> [click](https://evil.example) # x"


def _hostile_details(lb: LoopbackDiscord, victim_id: int) -> str:
    role = lb.guild.role("Moderators").id
    line = f"@everyone @here <@{victim_id}> <@&{role}> **bold** __u__ ||spoiler|| > quote [l](https://x.y)\n"
    code = "```python\n" + "\n".join(f"print({i})  # @everyone" for i in range(60)) + "\n```\n"
    text = (line * 20 + code) * 4
    return text[:4000]


async def test_hostile_text_stays_inert_everywhere(loopback: LoopbackDiscord, bot) -> None:
    lb, cast = loopback, Cast(loopback)
    guild = lb.guild
    details = _hostile_details(lb, cast.bystander.id)
    assert len(details) == 4000
    submit = await _ask(lb, cast.asker.id, HOSTILE_TITLE, details)
    await submit.wait_followup()
    thread = next(t for t in guild.threads if t.parent_id == guild.channel("questions").id)
    assert thread.name == HOSTILE_TITLE  # a thread name renders no markdown and pings nobody
    posted = lb.channel_messages(thread.id)
    assert len(posted) == 3 and all(len(m.content) <= 2000 for m in posted)
    for message in posted:
        assert message.allowed_mentions == {"parse": []}
        assert (message.mention_ids, message.mention_roles, message.mention_everyone) == ([], [], False)
        assert message.content.count("```") % 2 == 0  # the code block is closed and reopened across parts
    joined = "".join(m.content for m in posted)
    assert "@everyone @here" in joined  # the asker's text is posted as written, just inert

    answer = await lb.send_message(thread.id, cast.helper.id, "@everyone try **this**")
    await (await mark(lb, thread.id, cast.asker.id, answer.id)).wait_followup()
    general = guild.channel("general").id
    for name, options in (("search", {"query": "urgent click"}), ("unanswered", {}), ("leaderboard", {})):
        ix = await lb.invoke_slash(guild.id, general, cast.bystander.id, "qa", options, name)
        await ix.wait_response()
        text = ix.content_text()
        assert "@everyone" not in text.replace("@\u200beveryone", "")
        if name == "search":
            assert "\\*\\*URGENT\\*\\*" in text and "\\[click\\]" in text and "\\<@&1\\>" in text
    # every message the bot sent on its own carried allowed_mentions without parse
    for call in lb.calls_to("POST", r"/channels/\d+/messages$|/channels/\d+/threads$"):
        body = call.json.get("message", call.json) if isinstance(call.json, dict) else {}
        assert body.get("allowed_mentions", {}).get("parse") == [], call.path


@pytest.mark.parametrize(
    ("subcommand", "options", "expected"),
    [("search", {"query": "parquet"}, "/{post}"), ("unanswered", {}, "/{post}"), ("stats", {"period": "all"}, "asked")],
)
async def test_a_report_that_has_to_wait_defers_in_time_and_then_answers(
    loopback: LoopbackDiscord, bot, subcommand: str, options: dict, expected: str
) -> None:
    """Every connection reads use busy (as in a burst of searches over a big server): the member sees
    "thinking…" within Discord's 3 s instead of "The application did not respond", then the answer."""
    lb, cast = loopback, Cast(loopback)
    post = await direct_post(lb, bot, cast.asker.id, "Parquet partitions are slow")
    async with every_read_connection_busy(bot.db):  # what the other searches would hold
        ix = await lb.invoke_slash(lb.guild.id, lb.guild.channel("general").id, cast.moderator.id, "qa",
                                   options, subcommand)
        first = await ix.wait_response(timeout=3)
        assert first["type"] == 5 and ix.ephemeral  # deferred, privately
        assert 1.5 <= ix.response_latency < 3.0
        await asyncio.sleep(0.3)
        assert ix.answer_latency is None  # still waiting for a connection
    await lb.wait_until(lambda: ix.answer_latency is not None)
    assert expected.format(post=post.id) in ix.content_text()
    assert ix.ephemeral


async def test_search_unanswered_stats_and_the_leaderboard_switch(loopback: LoopbackDiscord, bot) -> None:
    lb, cast = loopback, Cast(loopback)
    guild = lb.guild
    general = guild.channel("general").id
    solved = await direct_post(lb, bot, cast.asker.id, "Snowflake warehouse too expensive", tags=["sql"])
    answer = await lb.send_message(solved.id, cast.helper.id, "set auto suspend to 60 seconds")
    await (await mark(lb, solved.id, cast.asker.id, answer.id)).wait_followup()
    open_q = await direct_post(lb, bot, cast.bystander.id, "Snowflake streams and tasks", tags=["sql"])
    await direct_post(lb, bot, cast.bystander.id, "Learning path for ML", tags=["ml"])

    found = await lb.invoke_slash(guild.id, general, cast.other_helper.id, "qa", {"query": "suspend"}, "search")
    await found.wait_response()
    assert found.ephemeral
    text = found.content_text()
    assert f"/{solved.id}/{answer.id}" in text and "✅" in text  # the accepted answer is found and linked
    options = {"query": "snowflake", "share": True}
    shared = await lb.invoke_slash(guild.id, general, cast.helper.id, "qa", options, "search")
    await shared.wait_response()
    assert not shared.ephemeral
    assert f"/{solved.id}" in shared.content_text() and f"/{open_q.id}" in shared.content_text()
    nothing = await lb.invoke_slash(guild.id, general, cast.helper.id, "qa", {"query": "kubernetes"}, "search")
    await nothing.wait_response()
    assert "No question matches" in nothing.content_text()

    listed = await lb.invoke_slash(guild.id, general, cast.helper.id, "qa", {"tag": "sql"}, "unanswered")
    await listed.wait_response()
    text = listed.content_text()
    assert f"/{open_q.id}" in text and f"/{solved.id}" not in text and "no reply yet" in text
    choices = await lb.autocomplete(
        guild.id, general, cast.helper.id, "qa", {"tag": "s"}, "tag", subcommand="unanswered"
    )
    await choices.wait_response()
    assert [c["value"] for c in choices.choices] == ["sql"]

    refused = await lb.invoke_slash(guild.id, general, cast.helper.id, "qa", {}, "stats")
    await refused.wait_response()
    assert "Only moderators" in refused.content_text()
    stats = await lb.invoke_slash(guild.id, general, cast.moderator.id, "qa", {"period": "all"}, "stats")
    await stats.wait_response()
    text = stats.content_text()
    assert "all questions" in text and "33%" in text and "sql" in text and "ml" in text

    await bot.guild_settings.set(guild.id, "qa.leaderboard", "false")
    off = await lb.invoke_slash(guild.id, general, cast.helper.id, "qa", {}, "leaderboard")
    await off.wait_response()
    assert "turned off" in off.content_text()


async def test_mark_as_answer_refuses_what_cannot_be_an_answer(loopback: LoopbackDiscord, bot) -> None:
    lb, cast = loopback, Cast(loopback)
    guild = lb.guild
    outside = await lb.send_message(guild.channel("general").id, cast.helper.id, "not in a question")
    ix = await mark(lb, guild.channel("general").id, cast.asker.id, outside.id)
    assert "inside a question's thread" in ix.content_text()
    thread = await direct_post(lb, bot, cast.asker.id, "Question about Polars")
    ix = await mark(lb, thread.id, cast.asker.id, thread.id)
    assert "the question itself" in ix.content_text()
    bot_note = await lb.post_message(lb.world.channel(thread.id), lb.bot_user, {"content": "a bot note"})
    ix = await mark(lb, thread.id, cast.asker.id, bot_note.id)
    assert "from a bot" in ix.content_text()
    assert not (await qa_of(bot).store.get(thread.id)).solved


async def test_a_text_channel_with_threads_works_as_the_questions_channel(loopback: LoopbackDiscord, bot) -> None:
    lb, cast = loopback, Cast(loopback)
    guild = lb.guild
    help_channel = lb.add_channel(guild.id, "help", type=0)
    await lb.dispatch("CHANNEL_CREATE", payloads.channel(help_channel, lb.world))
    await lb.wait_until(lambda: bot.get_channel(help_channel.id) is not None)
    await bot.guild_settings.set(guild.id, "channels.questions", str(help_channel.id))
    submit = await _ask(lb, cast.asker.id, "Best book on statistics?", "For a data analyst.", "books")
    await submit.wait_followup()
    thread = next(t for t in guild.threads if t.parent_id == help_channel.id)
    starter = lb.channel_messages(help_channel.id)[0]
    assert thread.id == starter.id and "Best book on statistics?" in starter.content
    assert lb.channel_messages(thread.id)[0].content == "For a data analyst."
    reply = await lb.send_message(thread.id, cast.helper.id, "Think Stats")
    await (await mark(lb, thread.id, cast.asker.id, reply.id)).wait_followup()
    assert lb.world.channel(thread.id).name == "[Solved] Best book on statistics?"
    stored = await qa_of(bot).store.get(thread.id)
    assert stored.solved and stored.tag_names == ["books"]


async def test_buttons_and_drafts_work_after_a_restart(loopback: LoopbackDiscord, harness: BotHarness) -> None:
    lb, cast = loopback, Cast(loopback)
    bot = await harness.start()
    thread = await direct_post(lb, bot, cast.asker.id, "Great Expectations vs Soda")
    reply = await lb.send_message(thread.id, cast.helper.id, "Soda is lighter")
    await (await mark(lb, thread.id, cast.asker.id, reply.id)).wait_followup()
    notice = bot_messages(lb, thread.id)[-1]
    lb.inject("POST", rf"/channels/{lb.guild.channel('questions').id}/threads$", 403, code=50013)
    submit = await _ask(lb, cast.asker.id, "Data contracts in practice", "How do teams enforce them?")
    kept = await submit.wait_followup()
    assert "Your text is kept" in kept.content

    await harness.restart()
    reopened = await lb.click_button(notice.id, f"qa:reopen:{thread.id}", cast.asker.id)
    await reopened.wait_followup()
    assert "Reopened" in reopened.content_text()
    posted = await lb.click_button(kept.id, button(kept, "post"), cast.asker.id)
    await posted.wait_response()
    await lb.wait_until(lambda: any(t.name == "Data contracts in practice" for t in lb.guild.threads))


async def test_missing_permissions_are_reported_and_the_answer_still_counts(loopback: LoopbackDiscord, bot) -> None:
    from loopback.world import DEFAULT_BOT_PERMISSIONS, Perm

    lb, cast = loopback, Cast(loopback)
    thread = await direct_post(lb, bot, cast.asker.id, "Looker PDT keeps rebuilding")
    reply = await lb.send_message(thread.id, cast.helper.id, "check the datagroup trigger")
    role = lb.set_bot_permissions(lb.guild.id, DEFAULT_BOT_PERMISSIONS & ~Perm.MANAGE_THREADS & ~Perm.MANAGE_CHANNELS)
    await lb.update_role(lb.guild.id, role.id, permissions=role.permissions)
    await lb.wait_until(lambda: not bot.get_guild(lb.guild.id).me.guild_permissions.manage_threads)
    marked = await mark(lb, thread.id, cast.asker.id, reply.id)
    await marked.wait_followup()
    assert "Manage Threads" in marked.content_text()
    assert (await qa_of(bot).store.get(thread.id)).answer_author_id == cast.helper.id
    assert lb.world.channel(thread.id).name == "Looker PDT keeps rebuilding"  # could not retitle: reported
    mod_log = await lb.wait_until(lambda: lb.channel_messages(lb.guild.channel("mod-log").id))
    assert "Manage Threads" in mod_log[0].content
    other = await direct_post(lb, bot, cast.asker.id, "Another question")
    reply = await lb.send_message(other.id, cast.helper.id, "answer")
    await (await mark(lb, other.id, cast.asker.id, reply.id)).wait_followup()
    assert len(lb.channel_messages(lb.guild.channel("mod-log").id)) == 1  # reported once, not per post


async def test_posts_made_while_the_bot_was_down_are_tracked_without_old_pings(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    lb, cast = loopback, Cast(loopback)
    clock = ManualClock(datetime.now(UTC))
    await harness.start(clock=clock)
    await harness.stop()
    forum = lb.guild.channel("questions").id
    missed = await lb.create_forum_post(forum, cast.asker.id, "Posted during the outage", "details")
    old = await lb.create_forum_post(forum, cast.asker.id, "Posted long ago", "details")
    lb.world.channel(old.id).created_at = datetime.now(UTC) - timedelta(days=3)

    bot = await harness.start(clock=clock)
    store = qa_of(bot).store
    recent = await eventually(lambda: store.get(missed.id))
    ancient = await eventually(lambda: store.get(old.id))
    assert recent.surfaced_at is None  # still gets its reminder when due
    assert ancient.surfaced_at is not None and ancient.nudged_at is not None  # overdue: skipped, not sent
    clock.advance(timedelta(hours=25))
    await bot.scheduler.run_now("qa:actions")
    assert [m for m in bot_messages(lb, missed.id) if m.content.startswith("🙋")]
    assert not bot_messages(lb, old.id)


_PIECES = st.sampled_from(
    [
        "@everyone",
        "@here",
        "<@1>",
        "<@&2>",
        "**",
        "__",
        "~~",
        "||",
        "`",
        "```",
        "```py\n",
        "\n",
        "> ",
        "# ",
        "-# ",
        "[a](https://e.x)",
        "https://e.x",
        "word ",
        "ünïcødé ",
        "🙂",
        " ",
    ]
)
_HOSTILE_TEXT = st.lists(_PIECES, min_size=1, max_size=400).map("".join)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=_HOSTILE_TEXT.map(lambda t: t[:100]), details=_HOSTILE_TEXT.map(lambda t: (t * 10)[:4000]))
async def test_any_asked_text_is_posted_inert_and_within_limits(loopback: LoopbackDiscord, bot, title, details) -> None:
    lb = loopback
    user = lb.add_user(f"asker{len(lb.world.users)}")
    lb.add_member(lb.guild.id, user)
    title = title if len(title) >= 5 else title + "?????"
    details = details if len(details) >= 10 else details + "." * 10
    before = {t.id for t in lb.guild.threads}
    submit = await _ask(lb, user.id, title, details)
    await submit.wait_response()
    if not submit.ephemeral or "Not posted" not in submit.content_text():
        await submit.wait_followup()
        new = [t for t in lb.guild.threads if t.id not in before]
        assert len(new) == 1 and 1 <= len(new[0].name) <= 100
        for message in lb.channel_messages(new[0].id):
            assert 0 < len(message.content) <= 2000
            assert message.allowed_mentions == {"parse": []}
            assert (message.mention_ids, message.mention_roles, message.mention_everyone) == ([], [], False)
    assert submit.ephemeral


async def test_a_forum_that_requires_a_tag_keeps_the_draft_for_editing(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    lb, cast = loopback, Cast(loopback)
    lb.guild.channel("questions").flags = 1 << 4  # REQUIRE_TAG
    await harness.start()
    submit = await _ask(lb, cast.asker.id, "Which orchestrator for a small team?", "Airflow feels heavy.")
    kept = await submit.wait_followup()
    assert "needs at least one tag" in kept.content and "python" in kept.content
    assert not [t for t in lb.guild.threads if t.parent_id == lb.guild.channel("questions").id]

    edit = await lb.click_button(kept.id, button(kept, "edit"), cast.asker.id)
    modal = (await edit.wait_response())["data"]
    prefilled = {c["custom_id"]: c.get("value") for row in modal["components"] for c in row["components"]}
    assert "Which orchestrator for a small team?" in prefilled.values()
    ids = _inputs(modal)
    submitted = await lb.submit_modal(edit, values={ids["tags"]: "python"})
    await submitted.wait_followup()
    thread = await lb.wait_until(
        lambda: [t for t in lb.guild.threads if t.parent_id == lb.guild.channel("questions").id]
    )
    assert thread[0].name == "Which orchestrator for a small team?"
    assert thread[0].applied_tags == [lb.guild.channel("questions").tag("python").id]
    assert "Airflow feels heavy." in lb.channel_messages(thread[0].id)[0].content


async def test_a_forum_with_twenty_tags_gets_no_solved_tag_but_the_answer_counts(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    from loopback.world import ForumTag

    lb, cast = loopback, Cast(loopback)
    forum = lb.guild.channel("questions")
    forum.available_tags += [ForumTag(id=lb.world.ids.next(), name=f"topic{i}") for i in range(16)]
    bot = await harness.start()
    thread = await direct_post(lb, bot, cast.asker.id, "Tag limit question", tags=["python", "sql", "ml", "career"])
    reply = await lb.send_message(thread.id, cast.helper.id, "answer")
    marked = await mark(lb, thread.id, cast.asker.id, reply.id)
    await marked.wait_followup()
    assert "has 20 tags already" in marked.content_text()
    assert len(forum.available_tags) == 20 and not lb.calls_to("PATCH", rf"/channels/{forum.id}$")
    assert lb.world.channel(thread.id).name == "[Solved] Tag limit question"  # the title still says so
    assert (await qa_of(bot).store.get(thread.id)).solved


async def test_the_solved_tag_takes_the_last_slot_of_a_post_with_five_tags(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    from loopback.world import ForumTag

    lb, cast = loopback, Cast(loopback)
    forum = lb.guild.channel("questions")
    forum.available_tags.append(ForumTag(id=lb.world.ids.next(), name="dbt"))
    bot = await harness.start()
    five = ["python", "sql", "ml", "career", "dbt"]
    thread = await direct_post(lb, bot, cast.asker.id, "Five tags", tags=five)
    reply = await lb.send_message(thread.id, cast.helper.id, "answer")
    await (await mark(lb, thread.id, cast.asker.id, reply.id)).wait_followup()
    applied = lb.world.channel(thread.id).applied_tags
    assert applied == [forum.tag(n).id for n in five[:4]] + [forum.tag("Solved").id]
    # the question's own tags follow the post (from its update event, a moment later); Solved is not one of them
    async def own_tags() -> bool:
        return (await qa_of(bot).store.get(thread.id)).tag_names == five[:4]

    await eventually(own_tags)
