"""Every lookup by name respects the kind of channel wanted: a fresh server's "General" category and voice channel
are not #general."""

from __future__ import annotations

import discord

from bot.client import CommunityBot
from bot.discord_helpers import channel_problem, find_channel
from cogs.onboarding.models import Answers
from cogs.onboarding.rules import start_channels
from cogs.onboarding.settings import OnboardingSettings
from loopback import ChannelType, LoopbackDiscord, payloads


async def test_general_the_category_and_the_voice_channel_are_not_general(
    loopback: LoopbackDiscord, bot: CommunityBot
) -> None:
    world = loopback.guild
    guild = bot.get_guild(world.id)
    assert guild is not None
    assert next(c.type for c in guild.channels if c.name.lower() == "general") is discord.ChannelType.category
    text = find_channel(guild, "general", kinds=("text",))
    assert isinstance(text, discord.TextChannel) and text.id == world.channel("general").id
    assert isinstance(find_channel(guild, "#General", kinds=("text", "forum")), discord.TextChannel)
    assert isinstance(find_channel(guild, "general", kinds=("category",)), discord.CategoryChannel)
    assert isinstance(find_channel(guild, "GENERAL", kinds=("voice",)), discord.VoiceChannel)
    category_id = next(c.id for c in guild.channels if isinstance(c, discord.CategoryChannel))
    assert find_channel(guild, str(category_id), kinds=("text",)) is None  # by ID too, the kind counts
    assert find_channel(guild, f"<#{category_id}>", kinds=("category",)) is not None
    assert find_channel(guild, "welcome", kinds=("text",)) is None
    assert channel_problem(guild, "general", ("text",)) is None


async def test_a_setting_naming_only_a_category_is_told_so(loopback: LoopbackDiscord, bot: CommunityBot) -> None:
    lounge = loopback.add_channel(loopback.guild.id, "lounge", type=ChannelType.CATEGORY)
    await loopback.dispatch("CHANNEL_CREATE", payloads.channel(lounge))
    guild = bot.get_guild(loopback.guild.id)
    assert guild is not None
    await loopback.wait_until(lambda: guild.get_channel(lounge.id) is not None)
    problem = channel_problem(guild, "lounge", ("text",))
    assert problem == f"<#{lounge.id}> is a category channel, but this setting needs a text channel"


async def test_onboarding_points_newcomers_to_general_the_text_channel(
    loopback: LoopbackDiscord, bot: CommunityBot
) -> None:
    guild = bot.get_guild(loopback.guild.id)
    assert guild is not None
    found = start_channels(guild, OnboardingSettings(), Answers(role="data-engineer", interests=("mlops",)))
    assert [c.id for c in found.found] == [loopback.guild.channel("general").id]
    assert found.missing == ["data-engineering", "mlops"]
