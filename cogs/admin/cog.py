"""`/config show|set|reset` for Manage Server, and `/about` for everyone."""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import available_timezones

import discord
from discord import app_commands

import bot as bot_package
from bot import formatting
from bot.discord_helpers import channel_problem, clip, find_channel, find_role, guild_of
from bot.errors import UserFacingError
from bot.feature import Feature
from bot.guild_settings import SETTABLE_KEYS, SettingKey, get_value
from bot.member_data import export_core, forget_core, forget_rows
from bot.settings import ConfigError

log = logging.getLogger(__name__)

_ZONES = sorted(available_timezones())


def describe_value(guild: discord.Guild, key: SettingKey, value: Any) -> str:
    """A setting's value as a moderator wants to read it, with a warning when it cannot be used."""
    if key.channel is not None:
        problem = channel_problem(guild, str(value), key.channel.kinds)
        channel = find_channel(guild, str(value), kinds=key.channel.kinds)
        return f"⚠️ `{value}`: {problem or 'not found'}" if problem or channel is None else channel.mention
    if key.role:
        role = find_role(guild, str(value))
        return role.mention if role else f"⚠️ no role named or with ID `{value}`"
    return f"`{value}`"


def resolve_value(guild: discord.Guild, key: SettingKey, raw: str) -> Any:
    """Turn what a moderator typed into the value to store, checked against the guild."""
    raw = raw.strip()
    if key.channel is not None:
        problem = channel_problem(guild, raw, key.channel.kinds)
        channel = find_channel(guild, raw, kinds=key.channel.kinds)
        if problem or channel is None:
            raise UserFacingError(f"Cannot use that for `{key.path}`: {problem or 'not found'}.")
        return str(channel.id)  # stored by ID so a rename does not break it
    if key.role:
        role = find_role(guild, raw)
        if role is None:
            raise UserFacingError(f"Cannot use that for `{key.path}`: no role named or with ID `{raw}`.")
        return str(role.id)
    return raw


class AdminCog(Feature):
    """Settings per server and the bot's status."""

    name = "admin"
    title = "Administration"

    config = app_commands.Group(
        name="config",
        description="Show or change this server's bot settings",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    async def about_counts(self) -> dict[str, int]:
        """What this feature stores, for /about."""
        count = await self.bot.db.fetchval("SELECT COUNT(*) FROM guild_settings")
        # Closed DMs are the bot's shared memory (bot/dm_closed.py), counted once here rather than per feature.
        return {"server settings": int(count), "members with closed DMs": await self.bot.dm_closed.count()}

    async def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Core's own memory of a member: closed DMs, the server settings they changed."""
        return await export_core(self.bot.db, guild_id, user_id)

    async def forget_member(self, guild_id: int, user_id: int) -> int:
        return await forget_rows(self.bot.db, forget_core(guild_id, user_id))

    @config.command(name="show", description="Show this server's settings and where each comes from")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def config_show(self, interaction: discord.Interaction) -> None:
        guild = guild_of(interaction)
        settings = await self.bot.guild_config(guild.id)
        overrides = await self.bot.guild_settings.overrides(guild.id)
        lines = []
        for key in SETTABLE_KEYS.values():
            source = "server" if key.path in overrides else "file"
            lines.append(f"**{key.path}** ({source}): {describe_value(guild, key, get_value(settings, key.path))}")
        embed = discord.Embed(title=f"Settings for {guild.name}", description=clip("\n".join(lines), 4096))
        embed.set_footer(text="Change one with /config set; /config reset returns it to the file's value.")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @config.command(name="set", description="Change one setting for this server")
    @app_commands.describe(key="Which setting", value="A channel, role, or value (name, mention or ID)")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def config_set(
        self,
        interaction: discord.Interaction,
        key: app_commands.Range[str, 1, 100],
        value: app_commands.Range[str, 1, 200],
    ) -> None:
        guild = guild_of(interaction)
        setting = SETTABLE_KEYS.get(key)
        if setting is None:
            raise UserFacingError(f"`{clip(key, 50)}` is not a setting. Pick one from the list, or see /config show.")
        stored = resolve_value(guild, setting, value)
        try:
            updated = await self.bot.guild_settings.set(guild.id, key, stored, by=interaction.user.id)
        except ConfigError as error:
            raise UserFacingError(f"Not saved: {str(error).removeprefix('server setting: ')}") from None
        shown = describe_value(guild, setting, get_value(updated, key))
        log.info("Guild %s: %s set %s=%r", guild.id, interaction.user.id, key, stored)
        await interaction.response.send_message(f"Saved: **{key}** is now {shown}.", ephemeral=True)

    @config.command(name="reset", description="Return one setting to the value in the settings file")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def config_reset(self, interaction: discord.Interaction, key: app_commands.Range[str, 1, 100]) -> None:
        guild = guild_of(interaction)
        setting = SETTABLE_KEYS.get(key)
        if setting is None:
            raise UserFacingError(f"`{clip(key, 50)}` is not a setting. Pick one from the list, or see /config show.")
        settings = await self.bot.guild_settings.reset(guild.id, key)
        shown = describe_value(guild, setting, get_value(settings, key))
        await interaction.response.send_message(f"Reset: **{key}** is {shown} again.", ephemeral=True)

    @config_set.autocomplete("key")
    @config_reset.autocomplete("key")
    async def _key_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        current = current.lower()
        return [app_commands.Choice(name=k, value=k) for k in SETTABLE_KEYS if current in k][:25]

    @config_set.autocomplete("value")
    async def _value_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        setting = SETTABLE_KEYS.get(getattr(interaction.namespace, "key", None) or "")
        current = current.lower().lstrip("#@")
        if setting is None or interaction.guild is None:
            return []
        if setting.channel is not None:
            names = [c.name for c in interaction.guild.channels if not isinstance(c, discord.CategoryChannel)]
        elif setting.role:
            names = [r.name for r in interaction.guild.roles if not r.is_default()]
        elif setting.path == "timezone":
            names = _ZONES
        else:
            return []
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names if current in n.lower()][:25]

    @app_commands.command(name="about", description="Version, uptime, latency and what the bot stores")
    async def about(self, interaction: discord.Interaction) -> None:
        counts: dict[str, int] = {}
        for feature in self.bot.loaded_features():  # a copy: features are removed while the bot shuts down
            counts.update(await feature.about_counts())
        latency = self.bot.latency
        embed = discord.Embed(title="Community bot", colour=discord.Colour.blurple())
        embed.add_field(name="Version", value=bot_package.__version__)
        embed.add_field(name="Uptime", value=formatting.duration(self.bot.uptime_seconds(), parts=3))
        embed.add_field(name="Gateway latency", value="n/a" if latency != latency else f"{latency * 1000:.0f} ms")
        embed.add_field(name="Database", value=formatting.size(await self.bot.db.size_bytes()))
        embed.add_field(name="Servers", value=str(len(self.bot.guilds)))
        stored = "\n".join(f"{name}: {count:,}" for name, count in sorted(counts.items())) or "nothing yet"
        embed.add_field(name="Stored", value=clip(stored, 1024), inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)
