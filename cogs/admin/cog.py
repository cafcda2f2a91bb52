"""`/config show|set|reset` for Manage Server, and `/about` for everyone."""

from __future__ import annotations

import logging
import math
import typing
from typing import Any, Literal
from zoneinfo import available_timezones

import discord
from discord import app_commands

import bot as bot_package
from bot import formatting, i18n
from bot.discord_helpers import channel_problem, clip, find_channel, find_role, guild_of
from bot.errors import UserFacingError
from bot.feature import Feature
from bot.guild_settings import SETTABLE_KEYS, SettingKey, get_value
from bot.i18n import N_, _
from bot.member_data import export_core, forget_core, forget_rows
from bot.settings import ConfigError, settings_model

log = logging.getLogger(__name__)

_ZONES = sorted(available_timezones())
LANGUAGE_KEY = "language"  # core's setting: the language of what the bot writes unasked


def command(path: str) -> str:
    """"`/config set`" with each part named as the member's Discord shows it (the translated command names)."""
    language = i18n.current()
    return "`/" + " ".join(i18n.translate(part, language, i18n.NAME_CONTEXT) for part in path.split()) + "`"


def choices_of(path: str) -> tuple[str, ...]:
    """The values a setting allows when it is a fixed list (`language`: auto, en, fr, zh_CN), else ()."""
    model: Any = settings_model()
    *parents, leaf = path.split(".")
    for part in parents:
        field = model.model_fields.get(part)
        model = field.annotation if field is not None else None
        if not isinstance(model, type) or not hasattr(model, "model_fields"):
            return ()
    found = model.model_fields.get(leaf)
    annotation = found.annotation if found is not None else None
    return tuple(str(a) for a in typing.get_args(annotation)) if typing.get_origin(annotation) is Literal else ()


def language_name(guild: discord.Guild, value: str) -> str:
    """A value of the `language` setting as a moderator reads it: "fr (Français)", "auto: the server's..."."""
    if value == "auto":
        spoken = i18n.negotiate(guild.preferred_locale.value)
        return _("`auto`: the server's Discord language ({language})").format(language=i18n.LANGUAGES[spoken])
    return _("`{value}` ({language})").format(value=value, language=i18n.LANGUAGES.get(value, value))


def describe_value(guild: discord.Guild, key: SettingKey, value: Any) -> str:
    """A setting's value as a moderator wants to read it, with a warning when it cannot be used."""
    if value is None or value == "":
        return _("not set")
    if key.channel is not None:
        problem = channel_problem(guild, str(value), key.channel.kinds)
        channel = find_channel(guild, str(value), kinds=key.channel.kinds)
        if problem or channel is None:
            return _("⚠️ `{value}`: {problem}").format(value=value, problem=problem or _("not found"))
        return channel.mention
    if key.role:
        role = find_role(guild, str(value))
        return role.mention if role else _("⚠️ no role named or with ID `{value}`").format(value=value)
    if key.path == LANGUAGE_KEY:
        return language_name(guild, str(value))
    return f"`{value}`"


def resolve_value(guild: discord.Guild, key: SettingKey, raw: str) -> Any:
    """Turn what a moderator typed into the value to store, checked against the guild."""
    raw = raw.strip()
    if key.channel is not None:
        problem = channel_problem(guild, raw, key.channel.kinds)
        channel = find_channel(guild, raw, kinds=key.channel.kinds)
        if problem or channel is None:
            raise UserFacingError(_("Cannot use that for `{key}`: {problem}.").format(
                key=key.path, problem=problem or _("not found")))
        return str(channel.id)  # stored by ID so a rename does not break it
    if key.role:
        role = find_role(guild, raw)
        if role is None:
            raise UserFacingError(_("Cannot use that for `{key}`: no role named or with ID `{value}`.").format(
                key=key.path, value=raw))
        return str(role.id)
    choices = choices_of(key.path)
    if choices and raw not in choices:
        raise UserFacingError(_("`{value}` is not a choice for `{key}`: pick {choices}.").format(
            value=clip(raw, 50), key=key.path, choices=i18n.join([f"`{c}`" for c in choices], alternatives=True)))
    return raw


def not_a_setting(key: str) -> UserFacingError:
    return UserFacingError(_("`{key}` is not a setting. Pick one from the list, or see {show}.").format(
        key=clip(key, 50), show=command("config show")))


class AdminCog(Feature):
    """Settings per server and the bot's status."""

    name = "admin"
    title = N_("Administration")

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
        return {N_("server settings"): int(count), N_("members with closed DMs"): await self.bot.dm_closed.count()}

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
            line = _("**{key}** (server): {value}") if key.path in overrides else _("**{key}** (file): {value}")
            lines.append(line.format(key=key.path, value=describe_value(guild, key, get_value(settings, key.path))))
        embed = discord.Embed(title=_("Settings for {server}").format(server=guild.name),
                              description=clip("\n".join(lines), 4096))
        embed.set_footer(text=_("Change one with {set}; {reset} returns it to the file's value.").format(
            set=command("config set").strip("`"), reset=command("config reset").strip("`")))
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
            raise not_a_setting(key)
        stored = resolve_value(guild, setting, value)
        try:
            updated = await self.bot.guild_settings.set(guild.id, key, stored, by=interaction.user.id)
        except ConfigError as error:
            raise UserFacingError(_("Not saved: {reason}").format(
                reason=str(error).removeprefix("server setting: "))) from None
        shown = describe_value(guild, setting, get_value(updated, key))
        log.info("Guild %s: %s set %s=%r", guild.id, interaction.user.id, key, stored)
        await interaction.response.send_message(
            _("Saved: **{key}** is now {value}.").format(key=key, value=shown), ephemeral=True)

    @config.command(name="reset", description="Return one setting to the value in the settings file")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def config_reset(self, interaction: discord.Interaction, key: app_commands.Range[str, 1, 100]) -> None:
        guild = guild_of(interaction)
        setting = SETTABLE_KEYS.get(key)
        if setting is None:
            raise not_a_setting(key)
        settings = await self.bot.guild_settings.reset(guild.id, key)
        shown = describe_value(guild, setting, get_value(settings, key))
        await interaction.response.send_message(
            _("Reset: **{key}** is {value} again.").format(key=key, value=shown), ephemeral=True)

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
        elif choices := choices_of(setting.path):
            return [app_commands.Choice(name=clip(self._choice_name(interaction, setting, c), 100), value=c)
                    for c in choices if current in c.lower()][:25]
        else:
            return []
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names if current in n.lower()][:25]

    @staticmethod
    def _choice_name(interaction: discord.Interaction, setting: SettingKey, value: str) -> str:
        """A fixed choice as the picker shows it: the language's own name for `language`."""
        if setting.path != LANGUAGE_KEY or interaction.guild is None:
            return value
        return language_name(interaction.guild, value).replace("`", "")

    @app_commands.command(name="about", description="Version, uptime, latency and what the bot stores")
    async def about(self, interaction: discord.Interaction) -> None:
        counts: dict[str, int] = {}
        for feature in self.bot.loaded_features():  # a copy: features are removed while the bot shuts down
            counts.update(await feature.about_counts())
        latency = self.bot.latency  # NaN before the first heartbeat, infinite while a shard reconnects
        shown_latency = (
            _("{ms} ms").format(ms=i18n.number(round(latency * 1000))) if math.isfinite(latency) else _("n/a")
        )
        embed = discord.Embed(title=_("Community bot"), colour=discord.Colour.blurple())
        embed.add_field(name=_("Version"), value=bot_package.__version__)
        embed.add_field(name=_("Uptime"), value=formatting.duration(self.bot.uptime_seconds(), parts=3))
        embed.add_field(name=_("Gateway latency"), value=shown_latency)
        embed.add_field(name=_("Database"), value=formatting.size(await self.bot.db.size_bytes()))
        embed.add_field(name=_("Servers"), value=i18n.number(len(self.bot.guilds)))
        # Each feature's names of what it stores are marked N_() where it declares them, and translated here.
        stored = "\n".join(_("{name}: {count}").format(name=_(name), count=i18n.number(count))
                           for name, count in sorted(counts.items())) or _("nothing yet")
        embed.add_field(name=_("Stored"), value=clip(stored, 1024), inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)
