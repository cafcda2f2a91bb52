"""What members see: the announcement embed, the preview, reminder and notice texts. Pure functions of values."""

from __future__ import annotations

import discord

from bot import i18n
from bot.discord_helpers import clip, escape, jump_url
from bot.i18n import N_, _
from cogs.events.models import Event, NoticeKind, Occurrence, OccurrenceState, Reminder, RsvpCounts
from cogs.events.timeparse import long_day_text

LATE_NOTE = N_("This reminder is late because the bot was offline when it was due.")
COLOUR = discord.Colour.blurple()
CANCELLED_COLOUR = discord.Colour.red()
ENDED_COLOUR = discord.Colour.dark_grey()
# The units of a written duration ("1 d, 1 h 30 min"); each language's are read back by the time parser.
_UNITS = ((N_("{n} d"), 86400), (N_("{n} h"), 3600), (N_("{n} min"), 60), (N_("{n} s"), 1))


def span_text(seconds: float, *, parts: int = 3) -> str:
    """A duration in its largest units: "45 s", "3 h 5 min", "2 d 4 h" (in the current language)."""
    left = max(0, int(seconds))
    shown: list[tuple[str, int]] = []
    for unit, size in _UNITS:
        count, left = divmod(left, size)
        if count or (shown and len(shown) < parts):
            shown.append((unit, count))
        if len(shown) == parts:
            break
    while len(shown) > 1 and shown[-1][1] == 0:  # trailing zero units say nothing ("3 h 0 min" is "3 h")
        shown.pop()
    return " ".join(_(unit).format(n=count) for unit, count in shown) if shown else _("{n} s").format(n=0)


def offsets_text(offsets: tuple[int, ...] | list[int]) -> str:
    """Reminder offsets as members read them, "1 d, 1 h 30 min" (an organiser can type it back), or "none"."""
    return _(", ").join(span_text(s) for s in offsets) if offsets else _("none")


def when_text(occurrence: Occurrence, duration_s: int) -> str:
    """'<t:…:F> (<t:…:R>) · 1 h 30 min' — every reader sees their own local time."""
    return f"<t:{occurrence.starts_at}:F> (<t:{occurrence.starts_at}:R>) · {span_text(duration_s)}"


def where_text(location: str) -> str:
    return location if location else _("See the description")


def rsvp_line(counts: RsvpCounts) -> str:
    return _("✅ {going} going · 🤔 {maybe} maybe · ❌ {declined} can't go").format(
        going=i18n.number(counts.going), maybe=i18n.number(counts.maybe), declined=i18n.number(counts.declined)
    )


def announcement_embed(event: Event, occurrence: Occurrence, counts: RsvpCounts) -> discord.Embed:
    """The announcement in the events channel (kept up to date as RSVPs and edits come in); rendered each time it
    is sent or edited, in the language of the moment (the server's, for the channel)."""
    cancelled = occurrence.state is OccurrenceState.CANCELLED
    ended = occurrence.state is OccurrenceState.ENDED
    title = clip(event.title, 240)
    if cancelled:
        title = _("Cancelled: {title}").format(title=title)
    colour = CANCELLED_COLOUR if cancelled else ENDED_COLOUR if ended else COLOUR
    embed = discord.Embed(title=title, description=clip(event.description, 4000) or None, colour=colour)
    embed.add_field(name=_("When"), value=when_text(occurrence, event.duration_s), inline=False)
    embed.add_field(name=_("Where"), value=clip(where_text(event.location), 1024), inline=False)
    if event.recurring:
        embed.add_field(name=_("Repeats"), value=event.series(occurrence.start).describe(), inline=False)
    if occurrence.note:
        embed.add_field(name=_("Note"), value=clip(occurrence.note, 1024), inline=False)
    # 0: the organiser asked the bot to forget them (bot/member_data.py)
    organiser = f"<@{event.creator_id}>" if event.creator_id else _("a former member")
    embed.add_field(name=_("Organiser"), value=organiser)
    embed.add_field(name=_("RSVPs"), value=rsvp_line(counts))
    if event.recurring:
        footer = _("Event #{id} · occurrence {seq}").format(id=event.id, seq=occurrence.seq)
    else:
        footer = _("Event #{id}").format(id=event.id)
    if cancelled:
        text = _("This event was cancelled. {footer}").format(footer=footer)
    elif ended:
        text = _("This event has ended. {footer}").format(footer=footer)
    else:
        text = _("{footer} · times show in your own time zone").format(footer=footer)
    embed.set_footer(text=text)
    return embed


def preview_embed(event: Event, occurrence: Occurrence, notes: tuple[str, ...], can_make_native: bool) -> discord.Embed:
    """What the organiser checks before confirming (ephemeral)."""
    embed = announcement_embed(event, occurrence, RsvpCounts())
    embed.title = _("Preview: {title}").format(title=clip(event.title, 230))
    local = occurrence.start.astimezone(event.zone)
    embed.insert_field_at(
        1, name=_("In the event's zone"), value=f"{long_day_text(local.date())} {local:%H:%M} ({event.tz})"
    )
    reminders = offsets_text(event.reminder_offsets)
    if event.ping_role_id:
        reminders = _("{reminders} · pings {role}").format(reminders=reminders, role=f"<@&{event.ping_role_id}>")
    embed.add_field(name=_("Reminders"), value=reminders, inline=False)
    extra = [f"⚠️ {n}" for n in notes]
    if not can_make_native:
        extra.append(_("No Discord scheduled event will be made: I lack **Manage Events** in this server."))
    if extra:
        embed.add_field(name=_("Check"), value=clip("\n".join(extra), 1024), inline=False)
    embed.set_footer(text=_("Confirm to post it in the events channel; Discard to drop it."))
    return embed


def role_mention(role_id: int | None) -> str:
    return f"<@&{role_id}> " if role_id else ""


def reminder_channel_text(event: Event, occurrence: Occurrence, guild_id: int, late: bool) -> str:
    """The reminder posted in the channel (a ping of the organiser's role goes first, if set)."""
    link = jump_url(guild_id, event.channel_id or 0, occurrence.message_id) if occurrence.message_id else ""
    starts = _("⏰ **{title}** starts <t:{start}:R> (<t:{start}:F>).").format(
        title=escape(clip(event.title, 100)), start=occurrence.starts_at
    )
    parts = [f"{role_mention(event.ping_role_id)}{starts}", f"📍 {escape(where_text(event.location))}"]
    if link:
        parts.append(_("RSVP: {link}").format(link=link))
    if late:
        parts.append(f"_{_(LATE_NOTE)}_")
    return clip("\n".join(parts), 2000)


def reminder_dm_text(event: Event, occurrence: Occurrence, guild_name: str, late: bool) -> str:
    link = jump_url(event.guild_id, event.channel_id or 0, occurrence.message_id) if occurrence.message_id else ""
    parts = [
        _("⏰ Reminder: **{title}** in {server} starts <t:{start}:R> (<t:{start}:F>).").format(
            title=escape(clip(event.title, 100)), server=escape(clip(guild_name, 100)), start=occurrence.starts_at
        ),
        f"📍 {escape(where_text(event.location))}",
    ]
    if link:
        parts.append(link)
    if late:
        parts.append(f"_{_(LATE_NOTE)}_")
    parts.append(
        _("You get this because you said Going. Turn these DMs off with `/event reminders off` in the server.")
    )
    return clip("\n".join(parts), 2000)


def cancelled_dm_text(event: Event, occurrence: Occurrence, guild_name: str, reason: str) -> str:
    text = _("❌ **{title}** on <t:{start}:F> in {server} has been cancelled.").format(
        title=escape(clip(event.title, 100)), start=occurrence.starts_at, server=escape(clip(guild_name, 100))
    )
    if reason:
        text += "\n" + _("Reason: {reason}").format(reason=escape(reason))
    return clip(text + "\n" + _("You get this because you said Going."), 2000)


def moved_dm_text(event: Event, occurrence: Occurrence, guild_name: str, old_start: int) -> str:
    return clip(
        _(
            "🕒 **{title}** in {server} has moved from <t:{old}:F> to <t:{start}:F> (<t:{start}:R>).\n"
            "You get this because you said Going; your RSVP still stands."
        ).format(
            title=escape(clip(event.title, 100)),
            server=escape(clip(guild_name, 100)),
            old=old_start,
            start=occurrence.starts_at,
        ),
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
    going = f" · ✅ {i18n.number(counts.going)}" if counts is not None else ""
    repeat = " · 🔁" if event.recurring else ""
    return f"`#{event.id}` {title} · <t:{occurrence.starts_at}:F> (<t:{occurrence.starts_at}:R>){going}{repeat}"
