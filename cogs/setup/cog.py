"""`/setup check` and `/setup create` for Manage Server: what the settings need on this server, and making it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot import i18n, languages
from bot.discord_helpers import NO_PINGS, find_channel, guild_of, member_of
from bot.errors import UserFacingError
from bot.feature import Feature
from bot.guild_settings import SETTABLE_KEYS
from bot.i18n import N_, _
from bot.invite import NEEDED
from bot.settings import ConfigError, Settings
from cogs.setup import render
from cogs.setup.creating import Creation
from cogs.setup.models import ChannelNeed, GuildFacts, Outcome, Plan, RoleNeed
from cogs.setup.needs import hints, references
from cogs.setup.rules import channel_needs, checklist, counts, digest, plan, role_needs, seconds_estimate
from cogs.setup.settings import SetupSettings
from cogs.setup.snapshot import guild_facts
from cogs.setup.views import ConfirmSetupButton, confirm_view
from cogs.setup.words import code, command

if TYPE_CHECKING:
    from bot.client import CommunityBot

log = logging.getLogger(__name__)

MANAGE_SERVER_ONLY = N_("You need the **Manage Server** permission to use this.")


class SetupCog(Feature):
    """Checks a server against the settings and creates what is missing."""

    name = "setup"
    title = N_("Setup")
    settings_section = SetupSettings
    dynamic_items = (ConfirmSetupButton,)

    setup_group = app_commands.Group(
        name="setup",
        description="Check or create the channels and roles the bot's settings need",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: CommunityBot) -> None:
        super().__init__(bot)
        self._running: set[int] = set()  # servers with a /setup create under way in this process

    async def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Setup stores nothing about members (what it creates is stored as server settings)."""
        return {}

    async def forget_member(self, guild_id: int, user_id: int) -> int:
        return 0

    # --- reading the server and the settings ------------------------------------------------------------------------

    async def _state(self, guild: discord.Guild) -> tuple[GuildFacts, list[ChannelNeed], list[RoleNeed], Settings]:
        config = await self.bot.guild_config(guild.id)
        refs = references(config, self.bot.guild_settings.defaults)
        facts = guild_facts(guild, members_intent=self.bot.intents.members)
        return facts, channel_needs(refs, facts, hints(config)), role_needs(refs, facts), config

    async def current_plan(self, guild: discord.Guild) -> Plan:
        facts, channels, roles, config = await self._state(guild)
        return plan(channels, roles, facts, config.section(SetupSettings).category)

    def _preview(self, guild: discord.Guild, planned: Plan, note: str | None = None) -> dict[str, Any]:
        answer: dict[str, Any] = {"content": note, "embed": render.preview_embed(planned, seconds_estimate(planned))}
        answer["view"] = None if planned.blockers or planned.empty else confirm_view(guild.id, digest(planned))
        return answer

    # --- commands ---------------------------------------------------------------------------------------------------

    @setup_group.command(name="check", description="What the settings need here, each OK, missing or a problem")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def setup_check(self, interaction: discord.Interaction) -> None:
        guild = guild_of(interaction)
        facts, channels, roles, _config = await self._state(guild)
        sections = checklist(channels, roles, facts, [(n.flag, n.label, n.why) for n in NEEDED])
        embeds = render.checklist_embeds(guild.name, sections, counts(sections))
        await interaction.response.send_message(embeds=embeds, ephemeral=True)

    @setup_group.command(name="create", description="Create the missing channels, forum tags and roles (preview first)")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def setup_create(self, interaction: discord.Interaction) -> None:
        guild = guild_of(interaction)
        answer = self._preview(guild, await self.current_plan(guild))
        if answer["view"] is None:
            del answer["view"]  # send_message takes no view rather than None
        await interaction.response.send_message(**answer, ephemeral=True)

    # --- Confirm ----------------------------------------------------------------------------------------------------

    async def on_confirm(self, interaction: discord.Interaction, guild_id: int, plan_digest: str) -> None:
        """Carry out the plan the manager saw; a plan that changed since is shown again instead."""
        guild = guild_of(interaction)
        member = member_of(interaction)
        if guild.id != guild_id:
            raise UserFacingError(_("That button belongs to another server."))
        if not member.guild_permissions.manage_guild:
            raise UserFacingError(_(MANAGE_SERVER_ONLY))
        if guild.id in self._running:
            raise UserFacingError(_("{create} is already running on this server; its result will show shortly.").format(
                create=code("setup create")))
        self._running.add(guild.id)
        try:
            planned = await self.current_plan(guild)
            if digest(planned) != plan_digest or planned.blockers or planned.empty:
                note = render.stale_text() if digest(planned) != plan_digest else None
                await interaction.response.edit_message(**self._preview(guild, planned, note))
                return
            seconds = seconds_estimate(planned)
            await interaction.response.edit_message(
                content=render.working_text(planned, seconds), embed=render.preview_embed(planned, seconds), view=None
            )
            with i18n.using(await languages.of_server(self.bot, guild.id)):  # the audit log: for every moderator
                reason = _("{command} by {member} ({id})").format(command=command("setup create"), member=member,
                                                                  id=member.id)
            creation = Creation(guild, planned, reason=reason)
            outcome = await creation.run()
            await self._remember(guild, planned, creation, outcome, member.id)
            await self._post_summary(guild, creation, outcome, member.id)
        finally:
            self._running.discard(guild.id)
        log.info(
            "Guild %s: /setup create by %s made %d channels and %d roles in %.1f s%s", guild.id, member.id,
            len(outcome.created_channels), len(outcome.created_roles), outcome.seconds,
            f"; stopped: {outcome.failure}" if outcome.failure else "",
        )  # fmt: skip
        await interaction.edit_original_response(content=None, embed=render.result_embed(outcome), view=None)

    async def _remember(
        self, guild: discord.Guild, planned: Plan, creation: Creation, outcome: Outcome, user_id: int
    ) -> None:
        """Store per-server keys by ID for what now exists (also after a stop: what was made is kept)."""
        current = await self.bot.guild_settings.overrides(guild.id)
        for item in planned.remember:
            if item.path not in SETTABLE_KEYS:
                continue
            target_id = item.existing_id
            if target_id is None:
                made = (creation.channels if item.target == "channel" else creation.roles).get(item.name.casefold())
                target_id = made.id if made is not None else None
            if target_id is None or current.get(item.path) == str(target_id):
                continue
            try:
                await self.bot.guild_settings.set(guild.id, item.path, str(target_id), by=user_id)
            except ConfigError:
                log.warning("Guild %s: could not store %s=%s", guild.id, item.path, target_id, exc_info=True)
                continue
            outcome.remembered.append((item.path, target_id))

    async def _post_summary(self, guild: discord.Guild, creation: Creation, outcome: Outcome, user_id: int) -> None:
        """What was done, in the moderators' log (just made, perhaps: then the object in hand, not the cache)."""
        if not (outcome.created_channels or outcome.created_roles or outcome.tags_added or outcome.remembered
                or outcome.failure):  # fmt: skip
            return
        ref = (await self.bot.guild_config(guild.id)).channels.mod_log
        made = {str(c.id): c for c in creation.channels.values()}
        channel = made.get(ref) or creation.channels.get(ref.casefold()) or find_channel(guild, ref, kinds=("text",))
        if not isinstance(channel, discord.TextChannel):
            log.warning("Guild %s: no moderators' log for the /setup summary: %s", guild.id, ref)
            return
        with i18n.using(await languages.of_server(self.bot, guild.id)):  # nobody asked: the server's language
            summary = render.mod_log_summary(outcome, user_id)
        try:
            await channel.send(summary, allowed_mentions=NO_PINGS)
        except discord.HTTPException:
            log.warning("Guild %s: could not post the /setup summary", guild.id, exc_info=True)
