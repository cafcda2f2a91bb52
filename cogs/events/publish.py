"""Discord-side effects of events: the announcement message and Discord's own scheduled event, kept in step."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord

from bot import i18n, languages, mod_log
from bot.discord_helpers import NO_PINGS, channel_problem, clip, find_channel, jump_url
from bot.errors import UserFacingError
from bot.i18n import _
from cogs.events.models import Event, Occurrence, OccurrenceState
from cogs.events.planner import present
from cogs.events.render import announcement_embed
from cogs.events.store import EventStore
from cogs.events.views import rsvp_view

if TYPE_CHECKING:
    from bot.client import CommunityBot

log = logging.getLogger(__name__)

# Discord's scheduled events: entity type 3 (external, needs a location and an end), privacy 2 (guild only)
EXTERNAL = 3
GUILD_ONLY = 2
STATUS_CANCELED = 4


class Publisher:
    """Posts and edits announcements, and creates/patches Discord's scheduled events."""

    def __init__(self, bot: CommunityBot, store: EventStore) -> None:
        self.bot = bot
        self.store = store
        self._posting: dict[int, asyncio.Lock] = {}

    async def events_channel(self, guild: discord.Guild) -> discord.TextChannel:
        """The configured events channel, or a clear error saying what to fix."""
        settings = await self.bot.guild_config(guild.id)
        problem = channel_problem(guild, settings.channels.events, ("text",))
        channel = find_channel(guild, settings.channels.events, kinds=("text",))
        if problem or not isinstance(channel, discord.TextChannel):  # a text or news channel passes the check
            raise UserFacingError(
                _(
                    "I cannot post in the events channel: {problem}. A moderator can fix it with"
                    " `/config set channels.events`."
                ).format(problem=problem or _("not a text channel"))
            )
        return channel

    def _channel_of(self, guild: discord.Guild, event: Event) -> discord.TextChannel | None:
        channel = guild.get_channel(event.channel_id) if event.channel_id else None
        return channel if isinstance(channel, discord.TextChannel) else None

    async def post_announcement(self, guild: discord.Guild, event: Event, occurrence: Occurrence) -> int:
        """Post an occurrence's announcement unless it is posted already; returns its message id."""
        # The id is stored only once Discord accepted the message; callers in this process take turns per
        # occurrence. The nonce makes a repeat after a crash (between Discord's answer and our write) return the
        # same message instead of posting twice, within Discord's nonce window.
        lock = self._posting.setdefault(occurrence.id, asyncio.Lock())
        try:
            async with lock:
                fresh = present(await self.store.occurrence(occurrence.id))
                if fresh.message_id is not None:
                    return fresh.message_id
                channel = self._channel_of(guild, event) or await self.events_channel(guild)
                counts = await self.store.counts(occurrence.id)
                with i18n.using(await languages.of_server(self.bot, guild.id)):  # a channel post: the server's
                    embed, view = announcement_embed(event, fresh, counts), rsvp_view(event.id, fresh.seq, counts)
                message = await channel.send(
                    embed=embed, view=view, allowed_mentions=NO_PINGS, nonce=f"evo{occurrence.id}"
                )
                await self.store.set_message(occurrence.id, message.id)
                return message.id
        finally:
            if not lock.locked():
                self._posting.pop(occurrence.id, None)

    async def refresh_announcement(self, guild: discord.Guild, event: Event, occurrence: Occurrence) -> bool:
        """Re-render an announcement after an edit, a cancel or the end; buttons go when it is not upcoming."""
        if occurrence.message_id is None or event.channel_id is None:
            return False
        counts = await self.store.counts(occurrence.id)
        upcoming = occurrence.state is OccurrenceState.UPCOMING
        with i18n.using(await languages.of_server(self.bot, guild.id)):  # whoever caused the edit: the server's
            view = rsvp_view(event.id, occurrence.seq, counts) if upcoming else None
            embed = announcement_embed(event, occurrence, counts)
        message = discord.PartialMessage(channel=self._partial_channel(event.channel_id), id=occurrence.message_id)
        try:
            await message.edit(embed=embed, view=view)
        except discord.NotFound:
            log.info("Announcement %s of event %s was deleted", occurrence.message_id, event.id)
            return False
        except discord.HTTPException:
            log.warning("Could not update the announcement of event %s", event.id, exc_info=True)
            return False
        return True

    def _partial_channel(self, channel_id: int) -> discord.TextChannel | discord.Thread | discord.PartialMessageable:
        channel = self.bot.get_channel(channel_id)
        if isinstance(channel, discord.TextChannel | discord.Thread):
            return channel
        return self.bot.get_partial_messageable(channel_id)

    # ------------------------------------------------------------ Discord's scheduled events

    @staticmethod
    def can_make_native(guild: discord.Guild) -> bool:
        return guild.me is not None and guild.me.guild_permissions.manage_events

    def _native_payload(self, event: Event, occurrence: Occurrence) -> dict[str, object]:
        link = jump_url(event.guild_id, event.channel_id or 0, occurrence.message_id) if occurrence.message_id else ""
        description = event.description + ("\n\n" + _("RSVP: {link}").format(link=link) if link else "")
        return {
            "name": clip(event.title, 100),
            "privacy_level": GUILD_ONLY,
            "scheduled_start_time": occurrence.start.isoformat(),
            "scheduled_end_time": occurrence.end.isoformat(),
            "description": clip(description.strip(), 1000),
            "entity_type": EXTERNAL,
            "entity_metadata": {"location": clip(event.location or link or _("See the announcement"), 100)},
        }

    async def create_native(self, guild: discord.Guild, event: Event, occurrence: Occurrence) -> int | None:
        """Discord's own scheduled event for an occurrence, where the bot has Manage Events."""
        if not self.can_make_native(guild) or occurrence.scheduled_event_id is not None:
            return occurrence.scheduled_event_id
        with i18n.using(await languages.of_server(self.bot, guild.id)):  # members read it: the server's language
            payload = self._native_payload(event, occurrence)
        try:
            data = await self.bot.http.create_guild_scheduled_event(guild.id, reason=f"Event #{event.id}", **payload)
        except discord.HTTPException as error:
            await self._report_native_failure(guild, event, "create", error)
            return None
        native_id = int(data["id"])
        await self.store.set_scheduled_event(occurrence.id, native_id)
        return native_id

    async def update_native(self, guild: discord.Guild, event: Event, occurrence: Occurrence) -> None:
        if occurrence.scheduled_event_id is None:
            if occurrence.state is OccurrenceState.UPCOMING:
                await self.create_native(guild, event, occurrence)
            return
        with i18n.using(await languages.of_server(self.bot, guild.id)):
            payload = self._native_payload(event, occurrence)
        if occurrence.state is OccurrenceState.CANCELLED:
            payload = {"status": STATUS_CANCELED}
        try:
            await self.bot.http.edit_scheduled_event(
                guild.id, occurrence.scheduled_event_id, reason=f"Event #{event.id}", **payload
            )
        except discord.NotFound:
            await self.store.set_scheduled_event(occurrence.id, None)  # deleted by hand: leave it deleted
        except discord.HTTPException as error:
            await self._report_native_failure(guild, event, "update", error)

    async def _report_native_failure(
        self, guild: discord.Guild, event: Event, action: str, error: discord.HTTPException
    ) -> None:
        log.warning("Could not %s the Discord event for event %s: %s", action, event.id, error)
        settings = await self.bot.guild_config(guild.id)
        with i18n.using(await languages.of_server(self.bot, guild.id)):  # the mod log: the server's language
            template = (
                _(
                    "Events: I could not create Discord's scheduled event for **{title}** (HTTP {status}: {detail})."
                    " The announcement and reminders still work."
                )
                if action == "create"
                else _(
                    "Events: I could not update Discord's scheduled event for **{title}** (HTTP {status}: {detail})."
                    " The announcement and reminders still work."
                )
            )
            detail = clip(error.text or "", 200)
            text = template.format(title=clip(event.title, 100), status=error.status, detail=detail)
        await mod_log.report(
            self.bot.db, guild, settings.channels.mod_log, text, once_key=f"events:native:{action}:{error.status}"
        )
