"""The real bot on the loopback Discord: login, command sync, /about, /config permissions and persistence."""

from __future__ import annotations

import logging
import re

import discord
from discord import app_commands

from loopback import LoopbackDiscord
from tests.harness import BotHarness


async def test_bot_logs_in_and_syncs_its_commands_to_the_guild(loopback: LoopbackDiscord, bot) -> None:
    names = {c["name"] for c in loopback.commands_registered(loopback.guild.id)}
    assert {"about", "config"} <= names
    config = next(c for c in loopback.commands_registered(loopback.guild.id) if c["name"] == "config")
    assert int(config["default_member_permissions"]) == 1 << 5  # Manage Server
    assert bot.get_guild(loopback.guild.id) is not None


async def test_about_answers_ephemerally_with_version_and_counts(loopback: LoopbackDiscord, bot) -> None:
    user = loopback.add_user("alice")
    loopback.add_member(loopback.guild.id, user)
    ix = await loopback.invoke_slash(loopback.guild.id, loopback.guild.channel("general").id, user.id, "about")
    await ix.wait_response()
    assert ix.ephemeral
    text = ix.content_text()
    assert "0.1.0" in text
    assert "server settings: 0" in text
    assert "Gateway latency" in text


async def test_config_set_is_refused_for_members_without_manage_server(loopback: LoopbackDiscord, bot) -> None:
    user = loopback.add_user("mallory")
    loopback.add_member(loopback.guild.id, user)
    general = loopback.guild.channel("general")
    ix = await loopback.invoke_slash(
        loopback.guild.id, general.id, user.id, "config", {"key": "channels.welcome", "value": "general"}, "set"
    )
    await ix.wait_response()
    assert ix.ephemeral
    assert "You need the **Manage Server** permission" in ix.content_text()
    assert await bot.guild_settings.overrides(loopback.guild.id) == {}


async def test_config_set_by_an_admin_persists_across_a_restart(loopback: LoopbackDiscord, harness: BotHarness) -> None:
    await harness.start()
    guild = loopback.guild
    general = guild.channel("general")
    ix = await loopback.invoke_slash(
        guild.id, general.id, guild.owner_id, "config", {"key": "channels.welcome", "value": "#general"}, "set"
    )
    await ix.wait_response()
    assert ix.ephemeral
    assert f"<#{general.id}>" in ix.content_text()

    bot = await harness.restart()
    assert (await bot.guild_config(guild.id)).channels.welcome == str(general.id)
    shown = await loopback.invoke_slash(guild.id, general.id, guild.owner_id, "config", subcommand="show")
    await shown.wait_response()
    assert f"**channels.welcome** (server): <#{general.id}>" in shown.content_text()
    assert "**channels.events** (file): <#" in shown.content_text()


async def test_config_set_checks_the_value_against_the_server(loopback: LoopbackDiscord, bot) -> None:
    guild = loopback.guild
    general = guild.channel("general")
    cases = {
        ("channels.welcome", "questions"): "is a forum channel, but this setting needs a text channel",
        ("channels.events", "no-such-channel"): "no channel named or with ID `no-such-channel`",
        ("roles.moderator", "Nobody"): "no role named or with ID `Nobody`",
        ("timezone", "Mars/Olympus"): "is not an IANA time zone name",
        ("channels.nope", "x"): "`channels.nope` is not a setting",
    }
    for (key, value), expected in cases.items():
        options = {"key": key, "value": value}
        ix = await loopback.invoke_slash(guild.id, general.id, guild.owner_id, "config", options, "set")
        await ix.wait_response()
        assert ix.ephemeral
        assert expected in ix.content_text(), (key, ix.content_text())
    assert await bot.guild_settings.overrides(guild.id) == {}


async def test_config_key_autocomplete_offers_settable_keys(loopback: LoopbackDiscord, bot) -> None:
    guild = loopback.guild
    ix = await loopback.autocomplete(
        guild.id, guild.channel("general").id, guild.owner_id, "config", {"key": "chan"}, "key", subcommand="set"
    )
    await ix.wait_response()
    assert [c["value"] for c in ix.choices] == [
        "channels.welcome", "channels.questions", "channels.events", "channels.mod_log"
    ]


async def test_a_500_and_a_429_on_the_reply_are_survived(loopback: LoopbackDiscord, bot) -> None:
    guild = loopback.guild
    loopback.inject("POST", r"/interactions/\d+/[^/]+/callback", 500, times=1)
    ix = await loopback.invoke_slash(guild.id, guild.channel("general").id, guild.owner_id, "about")
    await ix.wait_response()
    assert "Gateway latency" in ix.content_text()
    loopback.inject("POST", r"/interactions/\d+/[^/]+/callback", 429, times=1, retry_after=0.05)
    ix = await loopback.invoke_slash(guild.id, guild.channel("general").id, guild.owner_id, "about")
    await ix.wait_response()
    assert "Gateway latency" in ix.content_text()
    statuses = [c.status for c in loopback.calls_to("POST", r"/interactions/\d+/[^/]+/callback")]
    assert statuses == [500, 200, 429, 200]


async def test_an_unexpected_error_gives_a_ref_that_is_in_the_log(loopback: LoopbackDiscord, bot, caplog) -> None:
    @app_commands.command(name="boom", description="fails on purpose")
    async def boom(interaction: discord.Interaction) -> None:
        raise RuntimeError("kaput")

    bot.tree.add_command(boom)
    await bot.sync_commands(bot.get_guild(loopback.guild.id))
    guild = loopback.guild
    ix = await loopback.invoke_slash(guild.id, guild.channel("general").id, guild.owner_id, "boom")
    await ix.wait_response()
    assert ix.ephemeral
    match = re.search(r"ref `([A-Z0-9]{6})`", ix.content_text())
    assert match, ix.content_text()
    logged = [r for r in caplog.records if r.levelno == logging.ERROR and match.group(1) in r.getMessage()]
    assert logged and "kaput" in str(logged[0].exc_info[1])


async def test_a_missing_channel_is_named_in_the_log_at_start(
    loopback: LoopbackDiscord, harness: BotHarness, caplog
) -> None:
    loopback.world.guild(loopback.guild.id).channels.pop(loopback.guild.channel("events").id)
    expected = "channels.events: no channel named or with ID `events`"
    with caplog.at_level(logging.WARNING, logger="bot.client"):
        await harness.start()
        await loopback.wait_until(lambda: any(expected in r.getMessage() for r in caplog.records))
    assert not any("channels.welcome" in r.getMessage() for r in caplog.records)
