"""Gateway events that follow user actions and the bot's REST writes, and their effect on the cache."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta

import discord
import pytest

from loopback import LoopbackDiscord

from .conftest import BotRunner, World, collect, default_intents


async def test_member_join_reaches_on_member_join(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start()
    joined = collect(bot, "on_member_join")
    carol = lb.add_user("carol")
    await lb.join_member(world.guild.id, carol)
    await lb.wait_until(lambda: joined)
    assert joined[0].id == carol.id and joined[0].guild.id == world.guild.id
    assert bot.get_guild(world.guild.id).member_count == 5


async def test_member_events_need_the_members_intent(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    intents = default_intents()
    intents.members = False
    bot = await runner.start(intents=intents)
    assert not await lb.gateway.dispatch("GUILD_MEMBER_ADD", {"guild_id": str(world.guild.id)})
    assert bot.get_guild(world.guild.id).get_member(world.alice.id) is None  # GUILD_CREATE carried only the bot


async def test_message_content_needs_its_intent(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    intents = default_intents()
    intents.message_content = False
    bot = await runner.start(intents=intents)
    seen = collect(bot, "on_message")
    general = world.guild.channel("general").id
    await lb.send_message(general, world.alice.id, "plain text")
    await lb.send_message(general, world.alice.id, f"hey {lb.bot_user.mention}")
    await lb.wait_until(lambda: len(seen) == 2)
    assert [m.content for m in seen] == ["", f"hey {lb.bot_user.mention}"]


async def test_bot_forum_post_with_tags_updates_cache(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start()
    forum = bot.get_channel(world.guild.channel("questions").id)
    python = next(t for t in forum.available_tags if t.name == "python")
    created = await forum.create_thread(name="How do I pivot?", content="pandas pivot question",
                                        applied_tags=[python])
    call = lb.calls_to("POST", rf"^/channels/{forum.id}/threads$")[0]
    assert call.body["applied_tags"] == [str(python.id)] and call.body["message"]["content"]
    thread = await lb.wait_until(lambda: bot.get_guild(world.guild.id).get_thread(created.thread.id))
    assert [t.name for t in thread.applied_tags] == ["python"]
    assert created.message.id == thread.id == lb.channel_messages(thread.id)[0].id
    with pytest.raises(discord.HTTPException) as caught:
        await forum.create_thread(name="too many", content="x", applied_tags=[python] * 6)
    assert caught.value.code == 50035


async def test_user_forum_post_dispatches_thread_create(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start()
    created = collect(bot, "on_thread_create")
    thread = await lb.create_forum_post(world.guild.channel("questions").id, world.alice.id, "Which DB?",
                                        "Postgres or DuckDB?", applied_tags=["sql"])
    await lb.wait_until(lambda: created)
    assert created[0].id == thread.id and [t.name for t in created[0].applied_tags] == ["sql"]
    starter = await lb.wait_until(lambda: bot.get_guild(world.guild.id).get_thread(thread.id).starter_message)
    assert starter.content == "Postgres or DuckDB?"


async def test_thread_and_forum_tag_edits(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start()
    guild = bot.get_guild(world.guild.id)
    forum = guild.get_channel(world.guild.channel("questions").id)
    await forum.edit(available_tags=[*forum.available_tags, discord.ForumTag(name="solved")])
    await lb.wait_until(lambda: "solved" in {t.name for t in guild.get_channel(forum.id).available_tags})
    post = await lb.create_forum_post(forum.id, world.alice.id, "Q", "question?")
    thread = await lb.wait_until(lambda: guild.get_thread(post.id))
    solved = next(t for t in guild.get_channel(forum.id).available_tags if t.name == "solved")
    await thread.edit(applied_tags=[solved], locked=True)
    await lb.wait_until(lambda: guild.get_thread(post.id).locked)
    assert [t.name for t in guild.get_thread(post.id).applied_tags] == ["solved"]
    await thread.edit(archived=True)
    await lb.wait_until(lambda: guild.get_thread(post.id) is None)  # archived threads leave the cache
    archived = [t async for t in forum.archived_threads()]
    assert [t.id for t in archived] == [post.id]


async def test_role_add_updates_member_roles(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start()
    guild = bot.get_guild(world.guild.id)
    role = await guild.create_role(name="Data Engineer")
    assert await lb.wait_until(lambda: guild.get_role(role.id))
    member = guild.get_member(world.alice.id)
    await member.add_roles(role)
    await lb.wait_until(lambda: role in guild.get_member(world.alice.id).roles)
    assert role.id in lb.member(world.guild.id, world.alice.id).roles
    await member.remove_roles(role)
    await lb.wait_until(lambda: role not in guild.get_member(world.alice.id).roles)
    with pytest.raises(discord.Forbidden):
        await member.add_roles(guild.get_role(world.guild.bot_role_id))  # not below the bot's top role


async def test_scheduled_event_lifecycle(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start()
    guild = bot.get_guild(world.guild.id)
    start = datetime.now(UTC) + timedelta(days=2)
    event = await guild.create_scheduled_event(
        name="SQL meetup", start_time=start, end_time=start + timedelta(hours=2),
        entity_type=discord.EntityType.external, location="Berlin", privacy_level=discord.PrivacyLevel.guild_only,
    )
    await lb.wait_until(lambda: guild.get_scheduled_event(event.id))
    await event.edit(name="SQL meetup (moved)")
    await lb.wait_until(lambda: guild.get_scheduled_event(event.id).name == "SQL meetup (moved)")
    await event.delete()
    await lb.wait_until(lambda: guild.get_scheduled_event(event.id) is None)
    with pytest.raises(discord.HTTPException):
        await guild.create_scheduled_event(
            name="past", start_time=datetime.now(UTC) - timedelta(hours=1), end_time=datetime.now(UTC),
            entity_type=discord.EntityType.external, location="x", privacy_level=discord.PrivacyLevel.guild_only,
        )


async def test_message_edit_delete_and_mentions(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start()
    channel = bot.get_channel(world.guild.channel("general").id)
    text = f"hi {world.alice.mention} @everyone"
    quiet = await channel.send(text, allowed_mentions=discord.AllowedMentions.none())
    loud = await channel.send(text)
    assert lb.message(quiet.id).mention_ids == [] and not lb.message(quiet.id).mention_everyone
    assert lb.message(loud.id).mention_ids == [world.alice.id] and lb.message(loud.id).mention_everyone
    await loud.edit(content="edited")
    await loud.delete()
    await asyncio.sleep(0)
    assert [m.content for m in lb.channel_messages(channel.id)] == [text]
    assert lb.message(loud.id).content == "edited" and lb.message(loud.id).deleted


async def test_uploads_threads_from_messages_and_recorded_queries(
    lb: LoopbackDiscord, world: World, runner: BotRunner
) -> None:
    bot = await runner.start()
    channel = bot.get_channel(world.guild.channel("events").id)
    sent = await channel.send("calendar", file=discord.File(io.BytesIO(b"BEGIN:VCALENDAR"), filename="meetup.ics"))
    call = (await lb.wait_for_call("POST", rf"^/channels/{channel.id}/messages$"))[0]
    assert call.body["content"] == "calendar" and call.files[0]["filename"] == "meetup.ics"
    assert sent.attachments[0].filename == "meetup.ics" and sent.attachments[0].size == 15
    thread = await sent.create_thread(name="Meetup chat")
    assert thread.id == sent.id
    cached = await lb.wait_until(lambda: bot.get_guild(world.guild.id).get_thread(thread.id))
    assert cached.parent_id == channel.id
    history = [m async for m in channel.history(limit=10)]
    assert [m.id for m in history] == [sent.id]
    assert lb.calls_to("GET", rf"^/channels/{channel.id}/messages$")[0].query == {"limit": "10"}


async def test_guild_added_while_running(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start()
    joined = collect(bot, "on_guild_join")
    second = lb.add_guild("MLOps Community")
    assert await lb.announce_guild(second.id)
    await lb.wait_until(lambda: joined)
    assert joined[0].id == second.id and joined[0].chunked
