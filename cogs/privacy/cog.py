"""`/privacy show|export|forget` for members, `/privacy forget-member` for moderators, and retention."""

from __future__ import annotations

import gzip
import io
import json
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_helpers import guild_of, permission_name
from bot.errors import UserFacingError
from bot.feature import Feature
from bot.i18n import N_, _
from bot.scheduler import DueWork
from bot.times import unix
from bot.turns import Turns
from cogs.privacy import render
from cogs.privacy.models import ForgetReport, MemberExport
from cogs.privacy.settings import PrivacySettings
from cogs.privacy.store import DepartureStore
from cogs.privacy.views import ForgetMeButton, forget_view

if TYPE_CHECKING:
    from bot.client import CommunityBot

log = logging.getLogger(__name__)

RETENTION = "privacy:retention"
# Discord's smallest upload limit (servers without boosts); a bigger export is sent gzipped.
ATTACHMENT_LIMIT = 10 * 1024 * 1024
RETRY_AFTER = timedelta(hours=1)  # a retention forget that failed somewhere is tried again after this


def parse_user_id(text: str) -> int:
    """A Discord user ID as a moderator types it (digits, or a mention)."""
    digits = text.strip().removeprefix("<@").removeprefix("!").removesuffix(">")
    if not digits.isdigit() or not 15 <= len(digits) <= 21:
        raise UserFacingError(
            _("`{text}` is not a Discord user ID (15-21 digits).").format(text=discord.utils.escape_markdown(text[:40]))
        )
    return int(digits)


def export_file(export: MemberExport) -> discord.File:
    """The export as a JSON file, gzipped if it would not fit in an upload."""
    data = json.dumps(export.as_json(), indent=1, ensure_ascii=False, default=str).encode()
    name = f"member-data-{export.guild_id}-{export.user_id}.json"
    if len(data) > ATTACHMENT_LIMIT:
        data, name = gzip.compress(data), name + ".gz"
        if len(data) > ATTACHMENT_LIMIT:
            raise UserFacingError(_("Your data is too large to send here; please ask a moderator for a copy."))
    return discord.File(io.BytesIO(data), filename=name)


class PrivacyCog(Feature):
    """Members see, take and erase what the bot stores about them; data of members who left is forgotten later."""

    name = "privacy"
    title = N_("Member data")
    settings_section = PrivacySettings
    dynamic_items = (ForgetMeButton,)

    privacy = app_commands.Group(name="privacy", description="See, export or erase your data", guild_only=True)

    def __init__(self, bot: CommunityBot) -> None:
        super().__init__(bot)
        self.store = DepartureStore(bot.db)
        # A member's join and leave in the order Discord sent them: a leave right after a join (or the reverse)
        # must not have its departure row deleted by the join's statement landing second.
        self._members = Turns()

    def due_work(self) -> list[DueWork]:
        return [DueWork(RETENTION, self.store.next_due, self.forget_departed)]

    async def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        return {"departure": await self.store.export(guild_id, user_id)}

    async def forget_member(self, guild_id: int, user_id: int) -> int:
        return await self.store.forget(guild_id, user_id)

    # --- every feature at once ------------------------------------------------------------------------------------

    async def export_everywhere(self, guild_id: int, user_id: int) -> MemberExport:
        export = MemberExport(guild_id, user_id, unix(self.bot.clock.now()))
        for feature in self.bot.loaded_features():
            try:
                export.features[feature.name] = await feature.export_member(guild_id, user_id)
            except NotImplementedError:
                continue  # stores nothing about members
            except Exception:
                log.exception("Exporting member data from %s failed", feature.name)
                export.unavailable.append(feature.title)
        return export

    async def forget_everywhere(self, guild_id: int, user_id: int) -> ForgetReport:
        """Every loaded feature forgets them, each in its own transaction. This feature's departure row goes last,
        and only when all others succeeded: a departed member whose forget failed somewhere stays due."""
        report = ForgetReport()
        for feature in self.bot.loaded_features():
            if feature is self:
                continue
            try:
                report.touched[feature.name] = await feature.forget_member(guild_id, user_id)
            except NotImplementedError:
                continue  # stores nothing about members
            except Exception:
                log.exception("Forgetting member data in %s failed", feature.name)
                report.failed.append(feature.title)
        if not report.failed:
            report.touched[self.name] = await self.forget_member(guild_id, user_id)
        log.info("Forgot member data in guild %s: %s rows, failed in %s", guild_id, report.total, report.failed)
        return report

    # --- commands -------------------------------------------------------------------------------------------------

    @privacy.command(name="show", description="What this bot stores about you in this server, and why")
    async def privacy_show(self, interaction: discord.Interaction) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        export = await self.export_everywhere(guild.id, interaction.user.id)
        titles = {f.name: f.title for f in self.bot.loaded_features()}
        days = (await self.guild_config(guild.id)).section(PrivacySettings).forget_left_after_days
        await interaction.followup.send(embed=render.show_embed(export, titles, days), ephemeral=True)

    @privacy.command(name="export", description="Get everything this bot stores about you here as a JSON file")
    async def privacy_export(self, interaction: discord.Interaction) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        export = await self.export_everywhere(guild.id, interaction.user.id)
        await interaction.followup.send(render.export_text(), file=export_file(export), ephemeral=True)

    @privacy.command(name="forget", description="Erase everything this bot stores about you in this server")
    async def privacy_forget(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            render.forget_warning(), view=forget_view(interaction.user.id), ephemeral=True
        )

    async def confirm_forget(self, interaction: discord.Interaction, user_id: int) -> None:
        """The member pressed "Yes, forget me"."""
        if interaction.user.id != user_id:
            raise UserFacingError(_("This button is for someone else."))
        guild = guild_of(interaction)
        await interaction.response.edit_message(content=_("Forgetting…"), view=None)
        report = await self.forget_everywhere(guild.id, user_id)
        await interaction.edit_original_response(content=render.forget_done_text(report, yourself=True))

    @privacy.command(name="forget-member", description="Moderators: erase what is stored about a member who left")
    @app_commands.describe(user_id="The member's Discord user ID (Developer Mode: right-click, Copy User ID)")
    @app_commands.default_permissions(manage_guild=True)
    async def privacy_forget_member(self, interaction: discord.Interaction, user_id: str) -> None:
        guild = guild_of(interaction)
        if not interaction.permissions.manage_guild:
            raise UserFacingError(
                _("You need the {permissions} permission to use this.").format(
                    permissions=f"**{permission_name('manage_guild')}**"
                )
            )
        target = parse_user_id(user_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        export = await self.export_everywhere(guild.id, target)
        if export.total == 0:
            await interaction.followup.send(render.nothing_known_text(target), ephemeral=True)
            return
        report = await self.forget_everywhere(guild.id, target)
        await interaction.followup.send(render.forget_done_text(report, yourself=False), ephemeral=True)

    # --- retention ------------------------------------------------------------------------------------------------

    @commands.Cog.listener("on_member_remove")
    async def note_departure(self, member: discord.Member) -> None:
        async with self._members.of((member.guild.id, member.id)):  # the first await: turns follow event order
            days = (await self.guild_config(member.guild.id)).section(PrivacySettings).forget_left_after_days
            if days <= 0 or member.bot:
                return
            due = await self.store.left(member.guild.id, member.id, self.bot.clock.now(), timedelta(days=days))
        self.bot.scheduler.due_at(RETENTION, due)

    @commands.Cog.listener("on_member_join")
    async def note_return(self, member: discord.Member) -> None:
        async with self._members.of((member.guild.id, member.id)):
            await self.store.returned(member.guild.id, member.id)

    async def forget_departed(self) -> None:
        """Forget the members whose retention ran out; each one's departure row goes with their data."""
        now = self.bot.clock.now()
        for guild_id, user_id in await self.store.due(now):
            report = await self.forget_everywhere(guild_id, user_id)
            if report.failed:  # tried again later, not at once in a loop
                await self.store.postpone(guild_id, user_id, now + RETRY_AFTER)
