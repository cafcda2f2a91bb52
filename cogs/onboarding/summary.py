"""The end of onboarding: where to start, which roles, the mentor, communities beyond the server, where to ask."""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field

import discord

from bot.database import Database
from bot.discord_helpers import clip, escape, find_channel, jump_url
from bot.settings import Settings
from cogs.onboarding.flow import Answers
from cogs.onboarding.settings import OnboardingSettings as Onboarding

log = logging.getLogger(__name__)

MAX_START_CHANNELS = 8


@dataclass(frozen=True)
class CommunityPick:
    """One outside community recommended to the member."""

    name: str
    url: str | None
    why: str


@dataclass(frozen=True)
class MentorNote:
    """What to say about a mentor: matched, asked, or waiting for a free place."""

    state: str  # "matched", "asked", "waiting"
    mentor_id: int | None = None
    hours: int = 48


@dataclass
class StartChannels:
    found: list[discord.abc.GuildChannel] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def channel_link(channel: discord.abc.GuildChannel) -> str:
    """A channel as a link that works in a DM too (a bare <#id> may show as #unknown there)."""
    return f"[#{escape(channel.name)}]({jump_url(channel.guild.id, channel.id)})"


def start_channels(guild: discord.Guild, settings: Onboarding, answers: Answers) -> StartChannels:
    """Channels for everyone, then for the member's role, level and interests; missing ones are listed apart."""
    refs: list[str] = list(settings.start_channels)
    for options, picked in (
        (settings.roles, [answers.role]),
        (settings.levels, [answers.level]),
        (settings.topics, list(answers.interests)),
    ):
        for option in options:
            if option.key in picked:
                refs.extend(option.channels)
    result = StartChannels()
    seen: set[int] = set()
    for ref in dict.fromkeys(refs):
        channel = find_channel(guild, ref)
        if channel is None or isinstance(channel, discord.CategoryChannel):
            result.missing.append(ref)
        elif channel.id not in seen:
            seen.add(channel.id)
            result.found.append(channel)
    result.found = result.found[:MAX_START_CHANNELS]
    return result


def role_labels(settings: Onboarding, answers: Answers) -> tuple[str | None, str | None, list[str]]:
    role = next((o.label for o in settings.roles if o.key == answers.role), answers.role)
    level = next((o.label for o in settings.levels if o.key == answers.level), answers.level)
    topics = [o.label for o in settings.topics if o.key in answers.interests]
    return role, level, topics


def mentor_text(note: MentorNote | None) -> str | None:
    if note is None:
        return None
    if note.state == "matched":
        return f"<@{note.mentor_id}> is your mentor. Say hi in a DM!"
    if note.state == "asked":
        return (
            f"I asked <@{note.mentor_id}> to mentor you. You'll get a message when they answer "
            f"(they have {note.hours} hours; otherwise I ask the next mentor)."
        )
    return (
        "No mentor has a free place for your interests right now. Your request is saved and I'll message you "
        "as soon as one does."
    )


def summary_embed(
    guild: discord.Guild,
    config: Settings,
    answers: Answers,
    channels: StartChannels,
    given_roles: list[str],
    mentor: MentorNote | None,
    communities: list[CommunityPick],
) -> discord.Embed:
    """The summary shown when every question is answered."""
    settings = config.onboarding
    role, level, topics = role_labels(settings, answers)
    about = " · ".join(p for p in (role, level) if p)
    if topics:
        about += f"\nInterested in {', '.join(topics)}"
    embed = discord.Embed(
        title=f"You're all set in {clip(guild.name, 200)}!",
        description=clip(about, 4000),
        colour=discord.Colour.green(),
    )
    if channels.found:
        embed.add_field(
            name="Start here", value=clip(" · ".join(channel_link(c) for c in channels.found), 1024), inline=False
        )
    if given_roles:
        embed.add_field(name="Your roles", value=clip(", ".join(escape(r) for r in given_roles), 1024), inline=False)
    text = mentor_text(mentor)
    if text:
        embed.add_field(name="Your mentor", value=text, inline=False)
    if communities:
        lines = []
        for pick in communities[:3]:
            name = f"[{escape(pick.name)}]({pick.url})" if pick.url else f"**{escape(pick.name)}**"
            lines.append(clip(f"{name}: {pick.why}", 330))
        embed.add_field(name="Communities worth joining too", value=clip("\n".join(lines), 1024), inline=False)
    questions = find_channel(guild, config.channels.questions)
    if questions is not None:
        embed.add_field(name="Questions?", value=f"Ask in {channel_link(questions)}: someone will help.", inline=False)
    events = find_channel(guild, config.channels.events)
    if events is not None:
        embed.add_field(
            name="Events", value=f"Meetups and talks are announced in {channel_link(events)}.", inline=False
        )
    embed.set_footer(text="Change your answers any time with /onboarding start · /onboarding profile shows them")
    return embed


async def recommend_communities(db: Database, guild_id: int, answers: Answers, limit: int = 3) -> list[CommunityPick]:
    """Three outside communities from the community directory; none when that feature is not installed."""
    try:
        service = importlib.import_module("cogs.communities.service")
        store_module = importlib.import_module("cogs.communities.store")
    except ImportError:
        return []
    try:
        entries = await store_module.DirectoryStore(db).active_directory(guild_id)
        prefs = service.Preferences(
            role=answers.role, interests=tuple(answers.interests), region=answers.region, level=answers.level
        )
        picks = []
        for rec in service.recommend(entries, prefs, limit):
            entry = rec.entry
            url = getattr(getattr(entry, "join", None), "url", None) or getattr(entry, "website", None)
            picks.append(CommunityPick(entry.name, url, rec.why_text))
        return picks
    except Exception:
        # The directory is another feature's: a problem there must not break a newcomer's summary.
        log.exception("Recommending communities for guild %s failed", guild_id)
        return []
