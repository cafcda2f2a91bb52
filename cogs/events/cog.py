"""`/event ...`: create with a preview, RSVP buttons, edit, cancel, list, export; members' reminder DMs."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands

from bot import i18n
from bot.client import CommunityBot
from bot.database import ALL
from bot.discord_helpers import clip, escape, find_role, guild_of, member_of
from bot.errors import UserFacingError
from bot.feature import Feature
from bot.i18n import N_, _, ngettext
from bot.scheduler import DueWork, Periodic
from bot.times import utc
from cogs.events.cache import TOPIC
from cogs.events.due import REMINDERS, EventReminders
from cogs.events.ics import build_calendar
from cogs.events.models import (
    Event,
    EventDefaults,
    EventInput,
    EventState,
    Occurrence,
    OccurrenceState,
    Rsvp,
    RsvpResult,
)
from cogs.events.planner import EventPlanner, present
from cogs.events.publish import Publisher
from cogs.events.recurrence import Recurrence
from cogs.events.render import announcement_embed, list_line, offsets_text, preview_embed
from cogs.events.rsvp_counts import CountSettler
from cogs.events.rules import CHANGED_WORDS
from cogs.events.settings import EventsSettings
from cogs.events.store import EventStore
from cogs.events.store_member import EventsMemberData
from cogs.events.timeparse import long_day_text, zone_choices
from cogs.events.views import EventDraftButton, RsvpButton, preview_view

log = logging.getLogger(__name__)

RECURRENCE_CHOICES = [
    app_commands.Choice(name="Once (no repeat)", value=Recurrence.NONE.value),
    app_commands.Choice(name="Every week", value=Recurrence.WEEKLY.value),
    app_commands.Choice(name="Every two weeks", value=Recurrence.BIWEEKLY.value),
    app_commands.Choice(name="Monthly on the same nth weekday", value=Recurrence.MONTHLY.value),
]
LIST_LIMIT = 15
# Words of /event info's reminder lines and the autocomplete, translated where shown.
_KIND_WORDS = {"reminder": N_("reminder"), "cancelled": N_("cancelled"), "moved": N_("moved")}
_STATE_WORDS = {"pending": N_("pending"), "sending": N_("sending"), "sent": N_("sent"), "missed": N_("missed"),
                "cancelled": N_("cancelled")}  # fmt: skip
_EVENT_STATE_WORDS = {"draft": N_("draft"), "active": N_("active"), "cancelled": N_("cancelled"), "ended": N_("ended")}


class EventsCog(Feature):
    """Meetups with RSVPs, announcements, reminders and calendar export."""

    name = "events"
    title = N_("Events")
    settings_section = EventsSettings
    dynamic_items = (RsvpButton, EventDraftButton)

    event = app_commands.Group(
        name="event", description="Meetups: create, RSVP, reminders and calendar export", guild_only=True
    )
    reminders_group = app_commands.Group(name="reminders", description="Your reminder DMs", parent=event)

    def __init__(self, bot: CommunityBot) -> None:
        super().__init__(bot)
        lease = bot.settings.section(EventsSettings).claim_lease_seconds
        self.store = EventStore(bot.db, bot.dm_closed, lease_s=lease if bot.db.backend == "postgresql" else 0)
        # event_reminders.claimed_by names this process: the line tells an operator (and the fault tests) whose it is
        log.info("Events: this process claims reminders as %s", self.store.worker)
        self.planner = EventPlanner(self.store, bot.clock)
        self.publisher = Publisher(bot, self.store)
        self.reminders = EventReminders(bot, self.planner, self.publisher)
        self.counts = CountSettler(self._settle_counts)
        self.member_data = EventsMemberData(bot.db)

    def due_work(self) -> Sequence[DueWork | Periodic]:
        return self.reminders.work()

    async def on_unload(self) -> None:
        await self.counts.close()
        await self.store.close()

    async def about_counts(self) -> dict[str, int]:
        """What this feature stores, for /about."""
        return await self.store.stats()

    async def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        return await self.member_data.export(guild_id, user_id)

    async def forget_member(self, guild_id: int, user_id: int) -> int:
        """Forget them, then re-render the announcements that named them as organiser or counted their RSVP."""
        announced = await self.member_data.announced_occurrences(guild_id, user_id)
        touched = await self.member_data.forget(guild_id, user_id)
        await self.store.db.publish(TOPIC, ALL)  # cached event rows may hold their ID as organiser
        guild = self.bot.get_guild(guild_id)
        if guild is not None:
            for event, occurrence in (await self.store.contexts(announced)).values():
                await self.publisher.refresh_announcement(guild, event, occurrence)
        return touched

    # ------------------------------------------------------------ helpers

    def _due(self, *times: int) -> None:
        """Something newly stored falls due at these times: the reminder work runs by the earliest."""
        if times:
            self.bot.scheduler.due_at(REMINDERS, utc(min(times)))

    async def _events_settings(self, guild_id: int) -> EventsSettings:
        return (await self.guild_config(guild_id)).section(EventsSettings)

    async def _require_organiser(self, interaction: discord.Interaction, event: Event | None = None) -> None:
        """Manage Events, Manage Server, the organiser or moderator role, or (for an event) its creator."""
        member = interaction.user
        if not isinstance(member, discord.Member):
            raise UserFacingError(_("This command only works in a server."))
        perms = member.guild_permissions
        if perms.manage_events or perms.manage_guild:
            return
        if event is not None and event.creator_id == member.id:
            return
        settings = await self.guild_config(member.guild.id)
        allowed = [find_role(member.guild, settings.section(EventsSettings).organiser_role),
                   find_role(member.guild, settings.roles.moderator)]  # fmt: skip
        if any(role is not None and role in member.roles for role in allowed):
            return
        role = allowed[0]
        if role is None:
            raise UserFacingError(_("Organising events needs the **Manage Events** permission."))
        raise UserFacingError(
            _("Organising events needs the **Manage Events** permission or the {role} role.").format(role=role.mention)
        )

    async def _defaults(self, guild_id: int) -> EventDefaults:
        settings = await self.guild_config(guild_id)
        events = settings.section(EventsSettings)
        return EventDefaults(settings.timezone, events.default_reminders, events.default_duration_minutes)

    async def _resolve(self, guild: discord.Guild, text: str) -> Event:
        """An event of this server from the autocomplete value (its id) or its exact title."""
        cleaned = text.strip().lstrip("#")
        event = None
        if cleaned.isascii() and cleaned.isdigit() and len(cleaned) < 19:
            event = await self.store.event(int(cleaned))
        else:
            matches = await self.store.find_by_title(guild.id, cleaned)
            event = matches[0] if matches else None
        if event is None or event.guild_id != guild.id or event.state is EventState.DRAFT:
            raise UserFacingError(
                _("No event here matches `{text}`; pick one from the list.").format(text=clip(text, 60))
            )
        return event

    async def _latest(self, event: Event) -> Occurrence:
        return present(await self.store.latest_occurrence(event.id))

    @staticmethod
    def _ping_role_id(role: discord.Role | None) -> int | None:
        if role is None:
            return None
        if role.is_default():
            raise UserFacingError(_("Pinging @everyone is not offered; pick a role members can join for events."))
        return role.id

    # ------------------------------------------------------------ create, confirm, discard

    @event.command(name="create", description="Announce a meetup: you see a preview first")
    @app_commands.describe(
        title="What it is called",
        when="e.g. 2025-12-03 18:00, next thursday 18:00, dec 3 6pm, in 2 hours",
        timezone="IANA zone such as Europe/Berlin (default: the server's)",
        duration="How long, e.g. 90m or 2h (default from the settings)",
        location="A place or a link",
        description="What to expect",
        recurrence="Repeat the event",
        reminders="Offsets before the start, e.g. 1d,1h,10m, or none",
        ping_role="A role to ping with each reminder in the channel",
    )
    @app_commands.choices(recurrence=RECURRENCE_CHOICES)
    async def event_create(
        self,
        interaction: discord.Interaction,
        title: app_commands.Range[str, 1, 100],
        when: app_commands.Range[str, 1, 100],
        timezone: app_commands.Range[str, 1, 64] | None = None,
        duration: app_commands.Range[str, 1, 40] | None = None,
        location: app_commands.Range[str, 1, 100] | None = None,
        description: app_commands.Range[str, 1, 1000] | None = None,
        recurrence: app_commands.Choice[str] | None = None,
        reminders: app_commands.Range[str, 1, 100] | None = None,
        ping_role: discord.Role | None = None,
    ) -> None:
        guild = guild_of(interaction)
        await self._require_organiser(interaction)
        await self.publisher.events_channel(guild)  # refuse early if it cannot be posted
        typed = EventInput(
            title=title, when=when, timezone=timezone, duration=duration, location=location, description=description,
            recurrence=recurrence.value if recurrence else None, reminders=reminders,
            ping_role_id=self._ping_role_id(ping_role),
        )  # fmt: skip
        draft = await self.planner.create_draft(guild.id, interaction.user.id, typed, await self._defaults(guild.id))
        notes = draft.notes
        if ping_role is not None and not ping_role.mentionable and not self._can_ping_all(guild):
            notes += (
                _("{role} is not mentionable and I lack Mention Everyone, so it will not be pinged.").format(
                    role=ping_role.name
                ),
            )
        embed = preview_embed(draft.event, draft.occurrence, notes, self.publisher.can_make_native(guild))
        await interaction.response.send_message(embed=embed, view=preview_view(draft.event.id), ephemeral=True)

    @staticmethod
    def _can_ping_all(guild: discord.Guild) -> bool:
        return guild.me is not None and guild.me.guild_permissions.mention_everyone

    async def on_confirm_click(self, interaction: discord.Interaction, event_id: int) -> None:
        """Confirm on a preview: post the announcement, schedule reminders, make Discord's event."""
        guild = guild_of(interaction)
        await interaction.response.defer()
        channel = await self.publisher.events_channel(guild)
        event, occurrence, due = await self.planner.confirm(event_id, interaction.user.id, channel.id)
        try:
            await self.publisher.post_announcement(guild, event, occurrence)
        except discord.HTTPException as error:
            await self.store.back_to_draft(event_id, self.planner.now())
            raise UserFacingError(
                _(
                    "Discord refused the announcement (HTTP {status}); the draft is kept, so press Confirm again."
                ).format(status=error.status)
            ) from None
        self._due(*due, occurrence.ends_at)
        occurrence = present(await self.store.occurrence(occurrence.id))
        native = await self.publisher.create_native(guild, event, occurrence)
        link = f"https://discord.com/channels/{guild.id}/{channel.id}/{occurrence.message_id}"
        text = _("Posted **{title}** in {channel}: {link}").format(
            title=escape(event.title), channel=channel.mention, link=link
        )
        if native:
            text += "\n" + _("Discord's own scheduled event was created too.")
        log.info("Event %s confirmed by %s in guild %s", event.id, interaction.user.id, guild.id)
        await interaction.edit_original_response(content=text, embed=None, view=None)

    async def on_discard_click(self, interaction: discord.Interaction, event_id: int) -> None:
        event = await self.store.event(event_id)
        if event is not None and event.creator_id != interaction.user.id:
            raise UserFacingError(_("Only the organiser who made this draft can discard it."))
        await self.store.delete_draft(event_id)
        await interaction.response.edit_message(content=_("Discarded; nothing was posted."), embed=None, view=None)

    # ------------------------------------------------------------ RSVP

    async def on_rsvp_click(self, interaction: discord.Interaction, event_id: int, seq: int, choice: Rsvp) -> None:
        """Record the answer and confirm it privately; the announcement shows the new counts within a second."""
        # One request per click, whatever the traffic: the ephemeral confirmation. The announcement's counts are
        # the bot's own edit (`CountSettler`): at once after a lone click, about once a second during a burst.
        # One database round trip: the event and occurrence come from the store's cache, and the answer, the
        # counts and (for Going) the member's reminder DM state are one batch (tests/events/test_round_trips.py).
        dm_reminders = (await self._events_settings(guild_of(interaction).id)).dm_reminders
        result = await self.planner.rsvp(event_id, seq, interaction.user.id, choice, interaction.id,
                                         dm_reminders=dm_reminders)  # fmt: skip
        self.counts.settle((event_id, seq))  # after the write, so the edit reads it; not awaited by the click
        await interaction.response.send_message(self._rsvp_text(result, choice), ephemeral=True)

    async def _settle_counts(self, key: tuple[int, int]) -> None:
        """Re-render one announcement with the counts in the database (after clicks), in the server's language."""
        found = await self.store.clicked(*key)
        if found is None:
            return
        event, occurrence = found
        guild = self.bot.get_guild(event.guild_id)
        if guild is not None and occurrence.state is OccurrenceState.UPCOMING:
            await self.publisher.refresh_announcement(guild, event, occurrence)

    @staticmethod
    def _rsvp_text(result: RsvpResult, choice: Rsvp) -> str:
        when = f"<t:{result.occurrence.starts_at}:F>"
        title = escape(clip(result.event.title, 100))
        if choice is Rsvp.MAYBE:
            return _("Marked as **maybe** for **{title}** ({when}).").format(title=title, when=when)
        if choice is Rsvp.DECLINED:
            return _("Marked as **can't go** for **{title}**. Thanks for letting the organiser know.").format(
                title=title
            )
        # Whole sentences, so each language joins them its own way.
        if result.dm_closed is None:  # no reminders, or this server sends no reminder DMs: nothing was asked
            return _("You're **going** to **{title}** on {when}.").format(title=title, when=when)
        if result.dm_closed:
            return _(
                "You're **going** to **{title}** on {when}. Your DMs were closed to me last time, so reminders"
                " appear only in {channel}. If you have opened them, run `/event reminders on`."
            ).format(title=title, when=when, channel=f"<#{result.event.channel_id}>")
        if not result.dm_reminders:
            return _(
                "You're **going** to **{title}** on {when}. Reminder DMs are off for you"
                " (`/event reminders on` to turn them on)."
            ).format(title=title, when=when)
        return _(
            "You're **going** to **{title}** on {when}. I'll DM you a reminder ({offsets} before);"
            " `/event reminders off` stops them."
        ).format(title=title, when=when, offsets=offsets_text(result.event.reminder_offsets))

    # ------------------------------------------------------------ list, info, rsvps, export

    @event.command(name="list", description="Upcoming events in this server")
    async def event_list(self, interaction: discord.Interaction) -> None:
        guild = guild_of(interaction)
        now = self.planner.now()
        rows = await self.store.upcoming(guild.id, now, LIST_LIMIT)
        if not rows:
            await interaction.response.send_message(_("No upcoming events."), ephemeral=True)
            return
        total = await self.store.count_upcoming(guild.id, now)
        lines = [list_line(e, o, await self.store.counts(o.id)) for e, o in rows]
        if total > len(rows):
            more = total - len(rows)
            lines.append(
                ngettext(
                    "…and {n} more. `/event export` gives them all as a calendar file.",
                    "…and {n} more. `/event export` gives them all as a calendar file.",
                    more,
                ).format(n=i18n.number(more))
            )
        embed = discord.Embed(title=_("Upcoming events"), description=clip("\n".join(lines), 4096))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @event.command(name="info", description="Details of one event")
    @app_commands.describe(event="The event")
    async def event_info(self, interaction: discord.Interaction, event: app_commands.Range[str, 1, 100]) -> None:
        found = await self._resolve(guild_of(interaction), event)
        occurrence = await self._latest(found)
        embed = announcement_embed(found, occurrence, await self.store.counts(occurrence.id))
        reminders = await self.store.reminders_of(occurrence.id)
        states = _(", ").join(
            f"{_(_KIND_WORDS[r.kind.value])} {offsets_text([r.offset_s]) if r.offset_s else ''}"
            f" {_(_STATE_WORDS[r.state.value])}"
            for r in reminders[:10]
        )  # fmt: skip
        embed.add_field(name=_("Reminders"), value=clip(states or _("none"), 1024), inline=False)
        if occurrence.scheduled_event_id:
            url = f"https://discord.com/events/{found.guild_id}/{occurrence.scheduled_event_id}"
            embed.add_field(name=_("Discord event"), value=url, inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @event.command(name="rsvps", description="Who is going, maybe going, or can't go")
    @app_commands.describe(event="The event")
    async def event_rsvps(self, interaction: discord.Interaction, event: app_commands.Range[str, 1, 100]) -> None:
        found = await self._resolve(guild_of(interaction), event)
        occurrence = await self._latest(found)
        counts = await self.store.counts(occurrence.id)
        embed = discord.Embed(
            title=_("RSVPs: {title}").format(title=clip(found.title, 200)), description=f"<t:{occurrence.starts_at}:F>"
        )
        for choice in Rsvp:
            members = await self.store.members(occurrence.id, choice, limit=200)
            shown: list[str] = []
            used = 0
            for user_id in members:
                mention = f"<@{user_id}>"
                if used + len(mention) + 1 > 1000:
                    break
                shown.append(mention)
                used += len(mention) + 1
            rest = counts.of(choice) - len(shown)
            more = ""
            if rest > 0:
                more = " " + ngettext("…and {n} more", "…and {n} more", rest).format(n=i18n.number(rest))
            value = " ".join(shown) + more or _("nobody yet")
            embed.add_field(name=f"{choice.label} ({i18n.number(counts.of(choice))})", value=value, inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @event.command(name="export", description="A calendar file (.ics) of one event or all upcoming ones")
    @app_commands.describe(event="One event (default: all upcoming events here)")
    async def event_export(
        self, interaction: discord.Interaction, event: app_commands.Range[str, 1, 100] | None = None
    ) -> None:
        guild = guild_of(interaction)
        if event:
            found = await self._resolve(guild, event)
            entries = [(found, await self.store.occurrences(found.id))]
            filename = f"event-{found.id}.ics"
        else:
            rows = await self.store.upcoming(guild.id, self.planner.now(), 500)
            entries = [(e, await self.store.occurrences(e.id)) for e, _ in rows]
            filename = "events.ics"
        if not entries:
            raise UserFacingError(_("No upcoming events to export."))
        data = build_calendar(entries, _("{server} events").format(server=guild.name), self.bot.clock.now())
        await interaction.response.send_message(
            ngettext(
                "{n} event(s); open the file with your calendar app.",
                "{n} event(s); open the file with your calendar app.",
                len(entries),
            ).format(n=i18n.number(len(entries))),
            file=discord.File(io.BytesIO(data), filename=filename),
            ephemeral=True,
        )

    # ------------------------------------------------------------ edit, cancel

    @event.command(name="edit", description="Change an event; those going are told if the time moves")
    @app_commands.describe(
        event="The event",
        when="A new start, e.g. next friday 18:00",
        timezone="A new IANA zone (keeps the wall-clock time unless 'when' is given)",
        clear_ping_role="Stop pinging a role with reminders",
    )
    @app_commands.choices(recurrence=RECURRENCE_CHOICES)
    async def event_edit(
        self,
        interaction: discord.Interaction,
        event: app_commands.Range[str, 1, 100],
        title: app_commands.Range[str, 1, 100] | None = None,
        when: app_commands.Range[str, 1, 100] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        duration: app_commands.Range[str, 1, 40] | None = None,
        location: app_commands.Range[str, 0, 100] | None = None,
        description: app_commands.Range[str, 0, 1000] | None = None,
        recurrence: app_commands.Choice[str] | None = None,
        reminders: app_commands.Range[str, 1, 100] | None = None,
        ping_role: discord.Role | None = None,
        clear_ping_role: bool = False,
    ) -> None:
        guild = guild_of(interaction)
        found = await self._resolve(guild, event)
        await self._require_organiser(interaction, found)
        typed = EventInput(
            title=title, when=when, timezone=timezone, duration=duration, location=location, description=description,
            recurrence=recurrence.value if recurrence else None, reminders=reminders,
            ping_role_id=self._ping_role_id(ping_role), clear_ping_role=clear_ping_role,
        )  # fmt: skip
        result = await self.planner.edit(found, typed)
        await interaction.response.defer(ephemeral=True)
        await self.publisher.refresh_announcement(guild, result.event, result.occurrence)
        await self.publisher.update_native(guild, result.event, result.occurrence)
        self._due(*result.due_times, result.occurrence.ends_at)
        changed = _(", ").join(_(CHANGED_WORDS.get(c, c.replace("_", " "))) for c in result.changed)
        text = _("Updated **{title}**: {changes}.").format(title=escape(result.event.title), changes=changed)
        if result.moved_from is not None:
            text += "\n" + _("Now <t:{start}:F>; those going get a DM about the new time.").format(
                start=result.occurrence.starts_at
            )
        text += "".join(f"\n⚠️ {n}" for n in result.notes)
        await interaction.followup.send(clip(text, 2000), ephemeral=True)

    @event.command(name="cancel", description="Cancel an event; those who said Going get a DM")
    @app_commands.describe(event="The event", scope="For a series: only the next date, or the whole series")
    @app_commands.choices(
        scope=[
            app_commands.Choice(name="The whole event or series", value="series"),
            app_commands.Choice(name="Only the next date of a series", value="occurrence"),
        ]
    )
    async def event_cancel(
        self,
        interaction: discord.Interaction,
        event: app_commands.Range[str, 1, 100],
        scope: app_commands.Choice[str] | None = None,
        reason: app_commands.Range[str, 1, 300] | None = None,
    ) -> None:
        guild = guild_of(interaction)
        found = await self._resolve(guild, event)
        await self._require_organiser(interaction, found)
        whole = scope is None or scope.value == "series"
        result = await self.planner.cancel(found, whole_series=whole, reason=reason or "")
        await interaction.response.defer(ephemeral=True)
        going = len(await self.store.members(result.cancelled.id, Rsvp.GOING, limit=100000))
        await self.publisher.refresh_announcement(guild, result.event, result.cancelled)
        await self.publisher.update_native(guild, result.event, result.cancelled)
        following = result.next_occurrence
        self._due(*result.due_times, *([following.ends_at] if following else []))
        if result.whole_series and found.recurring:
            what = _("the whole series")
        else:
            what = f"<t:{result.cancelled.starts_at}:F>"
        text = ngettext(
            "Cancelled **{title}** ({what}). {n} member(s) who said Going will get a DM.",
            "Cancelled **{title}** ({what}). {n} member(s) who said Going will get a DM.",
            going,
        ).format(title=escape(found.title), what=what, n=i18n.number(going))
        if following is not None:
            text += "\n" + _("The series continues on <t:{start}:F>.").format(start=following.starts_at)
        await interaction.followup.send(text, ephemeral=True)

    # ------------------------------------------------------------ members' reminders

    @reminders_group.command(name="off", description="Stop reminder DMs for events you said Going to")
    async def reminders_off(self, interaction: discord.Interaction) -> None:
        member = member_of(interaction)
        await self.store.set_dm_reminders(member.guild.id, member.id, False, self.planner.now())
        await interaction.response.send_message(
            _("Reminder DMs are **off** for you here. Reminders still appear in the events channel."), ephemeral=True
        )

    @reminders_group.command(name="on", description="Get reminder DMs for events you said Going to")
    async def reminders_on(self, interaction: discord.Interaction) -> None:
        member = member_of(interaction)
        await self.store.set_dm_reminders(member.guild.id, member.id, True, self.planner.now())
        # The member says their DMs are open: this clears the bot's shared mark, so every feature (onboarding and
        # mentoring too) tries their DMs again. Right, since the refusal was about the bot's one DM channel with them.
        reopened = await self.store.forget_dm_closed(member.id)
        text = _("Reminder DMs are **on** for you here.")
        if reopened:
            text = _(
                "Reminder DMs are **on** for you here. I'll try your DMs again (they were closed last time);"
                " make sure server members may DM you."
            )
        await interaction.response.send_message(text, ephemeral=True)

    # ------------------------------------------------------------ autocomplete

    @event_create.autocomplete("timezone")
    @event_edit.autocomplete("timezone")
    async def _zone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in zone_choices(current)]

    @event_info.autocomplete("event")
    @event_rsvps.autocomplete("event")
    @event_export.autocomplete("event")
    @event_edit.autocomplete("event")
    @event_cancel.autocomplete("event")
    async def _event_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild is None:
            return []
        active_only = interaction.command is not None and interaction.command.name in ("edit", "cancel")
        found = await self.store.search(interaction.guild.id, current.strip(), 25, active_only=active_only)
        choices = []
        for item in found:
            occurrence = await self.store.latest_occurrence(item.id)
            local = occurrence.start.astimezone(item.zone) if occurrence else None
            when = f"{long_day_text(local.date())} {local:%H:%M}" if local else ""
            state = "" if item.state is EventState.ACTIVE else f" ({_(_EVENT_STATE_WORDS[item.state.value])})"
            name = f"#{item.id} {clip(item.title, 60)} · {when}{state}"
            choices.append(app_commands.Choice(name=name[:100], value=str(item.id)))
        return choices
