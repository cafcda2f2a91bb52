"""What members see: the announcement embed, the preview, reminder and notice texts. Pure functions of values."""

from __future__ import annotations

import discord

from bot.discord_helpers import clip, escape, jump_url
from bot.formatting import duration
from cogs.events.models import Event, NoticeKind, Occurrence, OccurrenceState, Reminder, RsvpCounts

LATE_NOTE = "This reminder is late because the bot was offline when it was due."
COLOUR = discord.Colour.blurple()
CANCELLED_COLOUR = discord.Colour.red()
ENDED_COLOUR = discord.Colour.dark_grey()


def offsets_text(offsets: tuple[int, ...] | list[int]) -> str:
    """Reminder offsets as members read them, "1 d, 1 h 30 min" (an organiser can type it back), or "none"."""
    return ", ".join(duration(s, parts=3) for s in offsets) if offsets else "none"


def when_text(occurrence: Occurrence, duration_s: int) -> str:
    """'<t:…:F> (<t:…:R>) · 1 h 30 min' — every reader sees their own local time."""
    return f"<t:{occurrence.starts_at}:F> (<t:{occurrence.starts_at}:R>) · {duration(duration_s, parts=3)}"


def where_text(location: str) -> str:
    return location if location else "See the description"


def rsvp_line(counts: RsvpCounts) -> str:
    return f"✅ {counts.going} going · 🤔 {counts.maybe} maybe · ❌ {counts.declined} can't go"


def announcement_embed(event: Event, occurrence: Occurrence, counts: RsvpCounts) -> discord.Embed:
    """The announcement in the events channel (kept up to date as RSVPs and edits come in)."""
    cancelled = occurrence.state is OccurrenceState.CANCELLED
    ended = occurrence.state is OccurrenceState.ENDED
    title = clip(event.title, 240)
    if cancelled:
        title = f"Cancelled: {title}"
    colour = CANCELLED_COLOUR if cancelled else ENDED_COLOUR if ended else COLOUR
    embed = discord.Embed(title=title, description=clip(event.description, 4000) or None, colour=colour)
    embed.add_field(name="When", value=when_text(occurrence, event.duration_s), inline=False)
    embed.add_field(name="Where", value=clip(where_text(event.location), 1024), inline=False)
    if event.recurring:
        embed.add_field(name="Repeats", value=event.series(occurrence.start).describe(), inline=False)
    if occurrence.note:
        embed.add_field(name="Note", value=clip(occurrence.note, 1024), inline=False)
    # 0: the organiser asked the bot to forget them (bot/member_data.py)
    embed.add_field(name="Organiser", value=f"<@{event.creator_id}>" if event.creator_id else "a former member")
    embed.add_field(name="RSVPs", value=rsvp_line(counts))
    status = "This event was cancelled." if cancelled else "This event has ended." if ended else None
    footer = f"Event #{event.id}" + (f" · occurrence {occurrence.seq}" if event.recurring else "")
    embed.set_footer(text=f"{status} {footer}" if status else f"{footer} · times show in your own time zone")
    return embed


def preview_embed(event: Event, occurrence: Occurrence, notes: tuple[str, ...], can_make_native: bool) -> discord.Embed:
    """What the organiser checks before confirming (ephemeral)."""
    embed = announcement_embed(event, occurrence, RsvpCounts())
    embed.title = f"Preview: {clip(event.title, 230)}"
    local = occurrence.start.astimezone(event.zone)
    embed.insert_field_at(1, name="In the event's zone", value=f"{local:%a %d %b %Y %H:%M} ({event.tz})")
    reminders = offsets_text(event.reminder_offsets)
    embed.add_field(name="Reminders", value=reminders + (f" · pings <@&{event.ping_role_id}>" if event.ping_role_id
                                                          else ""), inline=False)  # fmt: skip
    extra = [f"⚠️ {n}" for n in notes]
    if not can_make_native:
        extra.append("No Discord scheduled event will be made: I lack **Manage Events** in this server.")
    if extra:
        embed.add_field(name="Check", value=clip("\n".join(extra), 1024), inline=False)
    embed.set_footer(text="Confirm to post it in the events channel; Discard to drop it.")
    return embed


def role_mention(role_id: int | None) -> str:
    return f"<@&{role_id}> " if role_id else ""


def reminder_channel_text(event: Event, occurrence: Occurrence, guild_id: int, late: bool) -> str:
    """The reminder posted in the channel (a ping of the organiser's role goes first, if set)."""
    link = jump_url(guild_id, event.channel_id or 0, occurrence.message_id) if occurrence.message_id else ""
    parts = [
        f"{role_mention(event.ping_role_id)}⏰ **{escape(clip(event.title, 100))}** starts <t:{occurrence.starts_at}:R>"
        f" (<t:{occurrence.starts_at}:F>).",
        f"📍 {escape(where_text(event.location))}",
    ]
    if link:
        parts.append(f"RSVP: {link}")
    if late:
        parts.append(f"_{LATE_NOTE}_")
    return clip("\n".join(parts), 2000)


def reminder_dm_text(event: Event, occurrence: Occurrence, guild_name: str, late: bool) -> str:
    link = jump_url(event.guild_id, event.channel_id or 0, occurrence.message_id) if occurrence.message_id else ""
    parts = [
        f"⏰ Reminder: **{escape(clip(event.title, 100))}** in {escape(clip(guild_name, 100))} starts"
        f" <t:{occurrence.starts_at}:R> (<t:{occurrence.starts_at}:F>).",
        f"📍 {escape(where_text(event.location))}",
    ]
    if link:
        parts.append(link)
    if late:
        parts.append(f"_{LATE_NOTE}_")
    parts.append("You get this because you said Going. Turn these DMs off with `/event reminders off` in the server.")
    return clip("\n".join(parts), 2000)


def cancelled_dm_text(event: Event, occurrence: Occurrence, guild_name: str, reason: str) -> str:
    text = (
        f"❌ **{escape(clip(event.title, 100))}** on <t:{occurrence.starts_at}:F> in {escape(clip(guild_name, 100))}"
        " has been cancelled."
    )
    if reason:
        text += f"\nReason: {escape(reason)}"
    return clip(text + "\nYou get this because you said Going.", 2000)


def moved_dm_text(event: Event, occurrence: Occurrence, guild_name: str, old_start: int) -> str:
    return clip(
        f"🕒 **{escape(clip(event.title, 100))}** in {escape(clip(guild_name, 100))} has moved from"
        f" <t:{old_start}:F> to <t:{occurrence.starts_at}:F> (<t:{occurrence.starts_at}:R>).\n"
        "You get this because you said Going; your RSVP still stands.",
        2000,
    )


def notice_dm_text(event: Event, occurrence: Occurrence, reminder: Reminder, guild_name: str, late: bool) -> str:
    """The DM of a reminder or notice, by its kind."""
    if reminder.kind is NoticeKind.CANCELLED:
        return cancelled_dm_text(event, occurrence, guild_name, reminder.detail)
    if reminder.kind is NoticeKind.MOVED:
        return moved_dm_text(event, occurrence, guild_name, int(reminder.detail or occurrence.starts_at))
    return reminder_dm_text(event, occurrence, guild_name, late)


def list_line(event: Event, occurrence: Occurrence, counts: RsvpCounts | None = None) -> str:
    link = jump_url(event.guild_id, event.channel_id or 0, occurrence.message_id) if occurrence.message_id else ""
    title = f"[{escape(clip(event.title, 80))}]({link})" if link else f"**{escape(clip(event.title, 80))}**"
    going = f" · ✅ {counts.going}" if counts is not None else ""
    repeat = " · 🔁" if event.recurring else ""
    return f"`#{event.id}` {title} · <t:{occurrence.starts_at}:F> (<t:{occurrence.starts_at}:R>){going}{repeat}"
