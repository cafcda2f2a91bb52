"""Creating channels (text, category, forum with tags, private ones) and roles, and editing a forum's tags: the
payloads discord.py reads, the gateway events that keep its cache in step, and Discord's limits and permissions."""

from __future__ import annotations

import discord
import pytest

from loopback import ChannelType, LoopbackDiscord, Perm
from loopback.world import DEFAULT_BOT_PERMISSIONS, MAX_CATEGORY_CHANNELS, Overwrite

from .conftest import BotRunner, World, collect


async def test_a_category_a_text_channel_and_a_forum_with_tags(
    lb: LoopbackDiscord, world: World, runner: BotRunner
) -> None:
    bot = await runner.start()
    guild = bot.get_guild(world.guild.id)
    category = await guild.create_category("Community")
    text = await guild.create_text_channel("Data Science", category=category, topic="models and statistics")
    forum = await guild.create_forum(
        "Ask Here", category=category,
        available_tags=[discord.ForumTag(name="Solved", emoji="✅", moderated=True), discord.ForumTag(name="SQL")],
    )
    assert isinstance(category, discord.CategoryChannel) and category.name == "Community"  # categories keep case
    assert text.name == "data-science" and text.category_id == category.id and text.topic == "models and statistics"
    assert forum.name == "ask-here" and forum.category_id == category.id
    solved = forum.get_tag(next(t.id for t in forum.available_tags if t.name == "Solved"))
    assert solved is not None and solved.moderated and str(solved.emoji) == "✅"
    # CHANNEL_CREATE reached the cache (the objects above come from the REST answers).
    await lb.wait_until(lambda: guild.get_channel(forum.id) is not None)
    assert {c.name for c in guild.get_channel(category.id).channels} == {"data-science", "ask-here"}
    assert [t.name for t in guild.get_channel(forum.id).available_tags] == ["Solved", "SQL"]
    stored = lb.world.channel(forum.id)
    assert stored.type == ChannelType.FORUM and [t.moderated for t in stored.available_tags] == [True, False]


async def test_a_private_channel_with_overwrites_and_a_bot_that_forgot_itself(
    lb: LoopbackDiscord, world: World, runner: BotRunner
) -> None:
    bot = await runner.start()
    guild = bot.get_guild(world.guild.id)
    moderators = guild.get_role(world.guild.role("Moderators").id)
    hidden = discord.PermissionOverwrite(view_channel=False)
    seen = discord.PermissionOverwrite(view_channel=True, send_messages=True, read_message_history=True)
    private = await guild.create_text_channel(
        "mod-log-2", overwrites={guild.default_role: hidden, moderators: seen, guild.me: seen}
    )
    locked_out = await guild.create_text_channel("mod-log-3", overwrites={guild.default_role: hidden, moderators: seen})
    await lb.wait_until(lambda: guild.get_channel(locked_out.id) is not None)
    cached = guild.get_channel(private.id)
    assert cached.overwrites_for(guild.default_role).view_channel is False
    assert cached.permissions_for(guild.me).send_messages
    assert not guild.get_channel(locked_out.id).permissions_for(guild.me).view_channel
    assert not cached.permissions_for(guild.get_member(world.alice.id)).view_channel
    assert cached.permissions_for(guild.get_member(world.bob.id)).view_channel

    await private.send("only moderators read this")
    with pytest.raises(discord.Forbidden) as refused:
        await locked_out.send("nobody reads this")
    assert refused.value.code == 50001  # Missing Access: the bot cannot even see it
    stored = lb.world.channel(private.id)
    assert {(o.type, o.id) for o in stored.overwrites} == {
        (Overwrite.ROLE, world.guild.id), (Overwrite.ROLE, moderators.id), (Overwrite.MEMBER, lb.bot_user.id)}


async def test_overwrites_may_only_grant_what_the_bot_has(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    lb.set_bot_permissions(world.guild.id, DEFAULT_BOT_PERMISSIONS & ~Perm.MENTION_EVERYONE)
    bot = await runner.start()
    guild = bot.get_guild(world.guild.id)
    with pytest.raises(discord.Forbidden):
        await guild.create_text_channel(
            "pings", overwrites={guild.default_role: discord.PermissionOverwrite(mention_everyone=True)})
    assert "pings" not in {c.name for c in lb.world.guild(world.guild.id).channels.values()}


async def test_channel_limits_and_permissions(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start()
    guild = bot.get_guild(world.guild.id)
    full = lb.add_channel(world.guild.id, "full", type=ChannelType.CATEGORY)
    for number in range(MAX_CATEGORY_CHANNELS):
        lb.add_channel(world.guild.id, f"room-{number}", parent_id=full.id)
    with pytest.raises(discord.HTTPException) as caught:
        await guild.create_text_channel("one-too-many", category=discord.Object(full.id))
    assert caught.value.status == 400 and "CHANNEL_PARENT_MAX_CHANNELS" in str(lb.calls[-1].response)
    while len([c for c in lb.world.guild(world.guild.id).channels.values() if not c.is_thread]) < 500:
        lb.add_channel(world.guild.id, "filler")
    with pytest.raises(discord.HTTPException) as caught:
        await guild.create_text_channel("five-hundred-and-one")
    assert caught.value.code == 30013
    with pytest.raises(discord.HTTPException) as caught:
        await guild.create_forum("tags", available_tags=[discord.ForumTag(name=f"t{n}") for n in range(21)])
    assert caught.value.status == 400

    lb.set_bot_permissions(world.guild.id, DEFAULT_BOT_PERMISSIONS & ~Perm.MANAGE_CHANNELS)
    with pytest.raises(discord.Forbidden):
        await guild.create_text_channel("not-allowed")


async def test_roles_are_created_at_the_bottom(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start()
    guild = bot.get_guild(world.guild.id)
    moderators = world.guild.role("Moderators")
    before = moderators.position
    first = await guild.create_role(name="Data Engineer", mentionable=False)
    second = await guild.create_role(name="New to data")
    assert (first.position, second.position) == (1, 1)
    await lb.wait_until(lambda: guild.get_role(second.id) is not None)
    # Each create moved every other role up one, and the cache was told.
    await lb.wait_until(lambda: guild.get_role(moderators.id).position == before + 2)
    assert guild.get_role(first.id).position == 2 and guild.get_role(second.id).position == 1
    assert guild.get_role(second.id) < guild.me.top_role
    with pytest.raises(discord.Forbidden):
        await guild.create_role(name="Admins", permissions=discord.Permissions(administrator=True))
    while len(lb.world.guild(world.guild.id).roles) < 250:
        lb.add_role(world.guild.id, "filler")
    with pytest.raises(discord.HTTPException) as caught:
        await guild.create_role(name="one too many")
    assert caught.value.code == 30005


async def test_editing_a_forums_tags_sends_channel_update(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start()
    guild = bot.get_guild(world.guild.id)
    forum = guild.get_channel(world.guild.channel("questions").id)
    updated = collect(bot, "on_guild_channel_update")
    await forum.edit(available_tags=[*forum.available_tags, discord.ForumTag(name="Solved", moderated=True)])
    await lb.wait_until(lambda: updated)
    assert [t.name for t in updated[0][1].available_tags] == ["python", "sql", "ml", "career", "Solved"]
    kept = {t.name: t.id for t in lb.world.channel(forum.id).available_tags}
    assert kept["python"] == world.guild.channel("questions").tag("python").id  # existing tags keep their IDs
