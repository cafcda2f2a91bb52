"""Slash commands, context menus, autocomplete and modals, answered by a bare bot."""

from __future__ import annotations

import asyncio
import io

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from loopback import LoopbackDiscord

from .conftest import BotRunner, World


def sync_to(guild_id: int):
    """A setup that copies global commands to the guild and syncs them there."""

    async def setup(bot: commands.Bot) -> None:
        bot.tree.copy_global_to(guild=discord.Object(guild_id))
        await bot.tree.sync(guild=discord.Object(guild_id))

    return setup


def add_commands(bot: commands.Bot) -> None:
    """The commands these tests invoke."""
    tree = bot.tree

    @tree.command(name="echo", description="Echo typed options")
    async def echo(
        ix: discord.Interaction, text: str, count: int, loud: bool, who: discord.Member,
        where: discord.TextChannel, role: discord.Role,
    ) -> None:
        msg = f"{text}x{count} loud={loud} who={who.name}:{type(who).__name__} where={where.name} role={role.name}"
        await ix.response.send_message(msg)

    @tree.command(name="secret", description="Ephemeral answer")
    async def secret(ix: discord.Interaction) -> None:
        await ix.response.send_message("only you", ephemeral=True)

    @tree.command(name="export", description="A file in the response")
    async def export(ix: discord.Interaction) -> None:
        ics = discord.File(io.BytesIO(b"BEGIN:VCALENDAR"), filename="events.ics")
        await ix.response.send_message("your calendar", file=ics, ephemeral=True)

    @tree.command(name="slow", description="Deferred answer")
    async def slow(ix: discord.Interaction) -> None:
        await ix.response.defer(thinking=True)
        await ix.edit_original_response(content="done thinking")
        await ix.followup.send("and a follow-up", embed=discord.Embed(title="Extra", description="details"))

    config = app_commands.Group(name="config", description="Settings")
    channels = app_commands.Group(name="channels", description="Channel settings", parent=config)

    @config.command(name="set", description="Set a value")
    @app_commands.describe(key="Setting")
    async def config_set(ix: discord.Interaction, key: str, value: str) -> None:
        await ix.response.send_message(f"set {key}={value}", ephemeral=True)

    @config_set.autocomplete("key")
    async def key_complete(ix: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        keys = ["timezone", "welcome_channel", "welcome_text"]
        return [app_commands.Choice(name=k, value=k) for k in keys if k.startswith(current)]

    @channels.command(name="welcome", description="Pick the welcome channel")
    async def channels_welcome(ix: discord.Interaction, channel: discord.TextChannel) -> None:
        await ix.response.send_message(f"welcome -> {channel.mention}")

    tree.add_command(config)

    @tree.context_menu(name="Mark as answer")
    async def mark_answer(ix: discord.Interaction, message: discord.Message) -> None:
        await ix.response.send_message(f"marked {message.id}: {message.content}", ephemeral=True)

    @tree.context_menu(name="Profile")
    async def profile(ix: discord.Interaction, member: discord.Member) -> None:
        await ix.response.send_message(f"profile of {member.display_name}")

    class Feedback(discord.ui.Modal, title="Feedback"):
        topic = discord.ui.TextInput(label="Topic", custom_id="topic", max_length=50)
        body = discord.ui.TextInput(label="Body", custom_id="body", style=discord.TextStyle.paragraph,
                                    required=False)
        level = discord.ui.Label(text="Level", component=discord.ui.Select(
            custom_id="level", options=[discord.SelectOption(label=v, value=v) for v in ("junior", "senior")]))

        async def on_submit(self, ix: discord.Interaction) -> None:
            level = self.level.component.values[0]
            await ix.response.send_message(f"thanks: {self.topic.value} / {self.body.value} / {level}")

    @tree.command(name="feedback", description="Open a modal")
    async def feedback(ix: discord.Interaction) -> None:
        await ix.response.send_modal(Feedback(custom_id="feedback-modal"))


async def start(runner: BotRunner, world: World) -> commands.Bot:
    sync = sync_to(world.guild.id)

    async def setup(bot: commands.Bot) -> None:
        add_commands(bot)
        await sync(bot)

    return await runner.start(setup)


async def test_slash_command_with_typed_options(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    await start(runner, world)
    g = world.guild
    ix = await lb.invoke_slash(g.id, g.channel("general").id, world.alice.id, "echo", {
        "text": "hi", "count": 3, "loud": True, "who": world.bob, "where": g.channel("events"),
        "role": g.role("Moderators"),
    })
    reply = await ix.wait_response()
    assert reply["type"] == 4
    assert ix.content_text() == "hix3 loud=True who=bob:Member where=events role=Moderators"
    assert not ix.ephemeral
    assert [m.content for m in lb.channel_messages(g.channel("general").id)] == [ix.content_text()]


async def test_ephemeral_reply_is_not_in_channel_history(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    await start(runner, world)
    ix = await lb.invoke_slash(world.guild.id, world.guild.channel("general").id, world.alice.id, "secret")
    await ix.wait_response()
    assert ix.ephemeral and ix.content_text() == "only you"
    assert lb.channel_messages(world.guild.channel("general").id) == []


async def test_file_in_interaction_response(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    await start(runner, world)
    ix = await lb.invoke_slash(world.guild.id, world.guild.channel("general").id, world.alice.id, "export")
    await ix.wait_response()
    assert ix.ephemeral and ix.original.attachments[0]["filename"] == "events.ics"
    call = lb.calls_to("POST", r"^/interactions/")[0]
    assert call.query == {"with_response": "1"} and call.files[0]["data"] == b"BEGIN:VCALENDAR"


async def test_deferred_reply_then_edit_and_followup(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    await start(runner, world)
    ix = await lb.invoke_slash(world.guild.id, world.guild.channel("general").id, world.alice.id, "slow")
    assert (await ix.wait_response())["type"] == 5
    followup = await ix.wait_followup(1)
    assert followup.embeds[0]["title"] == "Extra"
    assert (await ix.wait_original()).content == "done thinking"
    assert ix.content_text().splitlines() == ["done thinking", "and a follow-up", "Extra", "details"]


async def test_subcommand_group_and_autocomplete(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    await start(runner, world)
    g, general = world.guild, world.guild.channel("general").id
    ac = await lb.autocomplete(g.id, general, world.bob.id, "config", {"key": "wel"}, focused="key",
                               subcommand="set")
    assert (await ac.wait_response())["type"] == 8
    assert [c["value"] for c in ac.choices] == ["welcome_channel", "welcome_text"]
    ix = await lb.invoke_slash(g.id, general, world.bob.id, "config", {"key": "timezone", "value": "UTC"},
                               subcommand="set")
    await ix.wait_response()
    assert ix.content_text() == "set timezone=UTC" and ix.ephemeral
    nested = await lb.invoke_slash(g.id, general, world.bob.id, "config", {"channel": g.channel("welcome")},
                                   group="channels", subcommand="welcome")
    await nested.wait_response()
    assert nested.content_text() == f"welcome -> <#{g.channel('welcome').id}>"


async def test_context_menus(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    await start(runner, world)
    g, general = world.guild, world.guild.channel("general").id
    msg = await lb.send_message(general, world.alice.id, "use a LEFT JOIN")
    ix = await lb.invoke_message_command(g.id, general, world.bob.id, "Mark as answer", msg.id)
    await ix.wait_response()
    assert ix.content_text() == f"marked {msg.id}: use a LEFT JOIN"
    ux = await lb.invoke_user_command(g.id, general, world.bob.id, "Profile", world.alice.id)
    await ux.wait_response()
    assert ux.content_text() == "profile of Alice"


async def test_modal_shown_and_submitted(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    await start(runner, world)
    ix = await lb.invoke_slash(world.guild.id, world.guild.channel("general").id, world.alice.id, "feedback")
    assert (await ix.wait_response())["type"] == 9
    assert ix.modal["custom_id"] == "feedback-modal" and ix.modal["title"] == "Feedback"
    with pytest.raises(ValueError, match="takes 0-50 characters"):
        await lb.submit_modal(ix, "feedback-modal", {"topic": "x" * 51, "level": ["junior"]})
    sub = await lb.submit_modal(ix, "feedback-modal", {"topic": "SQL", "body": "more joins", "level": ["senior"]})
    await sub.wait_response()
    assert sub.content_text() == "thanks: SQL / more joins / senior"


async def test_unknown_option_and_unregistered_command_fail_fast(lb: LoopbackDiscord, world: World,
                                                                 runner: BotRunner) -> None:
    await start(runner, world)
    g = world.guild
    with pytest.raises(ValueError, match="unknown options"):
        await lb.invoke_slash(g.id, g.channel("general").id, world.alice.id, "secret", {"nope": 1})
    with pytest.raises(ValueError, match="not registered"):
        await lb.invoke_slash(g.id, g.channel("general").id, world.alice.id, "missing")


async def test_late_answer_gets_unknown_interaction(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    errors: list[Exception] = []

    async def setup(bot: commands.Bot) -> None:
        @bot.tree.command(name="late", description="Too slow")
        async def late(ix: discord.Interaction) -> None:
            await asyncio.sleep(0.3)
            try:
                await ix.response.send_message("too late")
            except discord.NotFound as exc:
                errors.append(exc)

        await sync_to(world.guild.id)(bot)

    lb.interaction_deadline = 0.1
    await runner.start(setup)
    ix = await lb.invoke_slash(world.guild.id, world.guild.channel("general").id, world.alice.id, "late")
    await lb.wait_until(lambda: errors)
    assert ix.expired and errors[0].code == 10062 and not ix.responses


async def test_limits_reject_oversized_message(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start()
    channel = bot.get_channel(world.guild.channel("general").id)
    with pytest.raises(discord.HTTPException) as caught:
        await channel.send("x" * 2001)
    assert caught.value.status == 400 and caught.value.code == 50035
    with pytest.raises(discord.HTTPException):
        await channel.send(embed=discord.Embed(description="y" * 4097))
