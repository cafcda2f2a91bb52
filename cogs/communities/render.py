"""What members see: entries, recommendations and suggestions as embeds within Discord's limits, and answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import discord
from discord import app_commands

from bot.discord_helpers import clip
from bot.formatting import plural, timestamp
from cogs.communities.models import (
    CommunityEntry,
    CommunitySuggestion,
    JoinWay,
    Preferences,
    Recommendation,
    SuggestionStatus,
)
from cogs.communities.vocabulary import COSTS, LEVELS, PLATFORMS, REGIONS, ROLES, TOPICS, Vocabulary

EMBED_TOTAL = 6000
FIELD_VALUE = 1024
FIELD_NAME = 256
DESCRIPTION = 4096
MAX_FIELDS = 25
# Room kept for the title, description and footer of a list page when packing entries into it.
PAGE_BUDGET = 5000

COLOUR = discord.Colour.teal()


def safe(text: str) -> str:
    """Directory text as inert markdown: no formatting tricks, no mention look-alikes."""
    return discord.utils.escape_markdown(discord.utils.escape_mentions(text))


def link(label: str, url: str) -> str:
    """A masked link whose label and address cannot break out of the markdown."""
    escaped = url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    text = safe(label).replace("[", "\\[").replace("]", "\\]")
    return f"[{text}]({escaped})"


def describe_way(way: JoinWay) -> str:
    """'Slack (open): link · note' for one way to join."""
    platform = PLATFORMS.label(way.platform)
    text = link(platform, way.url) if way.url else platform
    if way.access == "application":
        text += " (by application)"
    if way.note:
        text += f" · {safe(way.note)}"
    return text


def labels(vocabulary: Vocabulary, keys: Sequence[str]) -> str:
    return ", ".join(vocabulary.label(k) for k in keys)


def level_text(entry: CommunityEntry) -> str:
    if set(entry.levels) == set(LEVELS.keys):
        return "Every level, beginner-friendly"
    text = labels(LEVELS, entry.levels)
    return f"{text} (beginner-friendly)" if entry.beginner_friendly else f"{text} (not aimed at beginners)"


def region_text(entry: CommunityEntry) -> str:
    text = labels(REGIONS, entry.regions)
    return f"{text} · {safe(entry.location)}" if entry.location else text


def info_embed(
    entry: CommunityEntry,
    *,
    children: Sequence[CommunityEntry] = (),
    parent: CommunityEntry | None = None,
    added_here: bool = False,
    today: date,
    stale_after_days: int,
) -> discord.Embed:
    """Everything about one community."""
    embed = discord.Embed(
        title=clip(entry.name, 256),
        url=entry.website,
        colour=COLOUR,
        description=clip(safe(entry.description), DESCRIPTION),
    )
    ways = [describe_way(entry.join), *(describe_way(w) for w in entry.also)]
    embed.add_field(name="Join", value=clip("\n".join(ways), FIELD_VALUE), inline=False)
    embed.add_field(name="Topics", value=clip(labels(TOPICS, entry.topics), FIELD_VALUE), inline=False)
    embed.add_field(name="Serves", value=clip(labels(ROLES, entry.roles), FIELD_VALUE), inline=False)
    embed.add_field(name="Where", value=clip(region_text(entry), FIELD_VALUE))
    embed.add_field(name="Languages", value=clip(", ".join(entry.languages), FIELD_VALUE))
    embed.add_field(name="Level", value=level_text(entry))
    embed.add_field(name="Cost", value=COSTS.label(entry.cost))
    if entry.resources:
        lines = [link(r.name, r.url) if r.url else safe(r.name) for r in entry.resources]
        lines = [f"{line} (free)" if r.free else line for line, r in zip(lines, entry.resources, strict=True)]
        embed.add_field(name="Notable resources", value=clip("\n".join(lines), FIELD_VALUE), inline=False)
    if parent is not None:
        embed.add_field(name="Part of", value=clip(safe(parent.name), FIELD_VALUE))
    if children:
        names = ", ".join(safe(c.name) for c in children)
        embed.add_field(name="Local chapters", value=clip(names, FIELD_VALUE), inline=False)
    age = (today - entry.last_checked).days
    checked = entry.last_checked.isoformat()
    if age > stale_after_days:
        checked += f" ⚠️ over {stale_after_days} days ago: details may be out of date"
    embed.add_field(name="Last checked", value=checked)
    footer = "Added by this server's moderators" if added_here else "From the bot's curated directory"
    if entry.aliases:
        footer += " · also known as " + ", ".join(entry.aliases)
    embed.set_footer(text=clip(footer, 2048))
    return embed


def recommendation_embed(
    recs: Sequence[Recommendation], basis: str, notes: Sequence[str], *, shortfall: bool
) -> discord.Embed:
    """The ranked recommendations with one line of why each, and what they were based on."""
    lines = [f"Based on {basis}."]
    lines += [f"• {safe(note)}" for note in notes]
    if shortfall:
        lines.append("Only these matched anything you asked for; /communities list shows the whole directory.")
    embed = discord.Embed(title="Communities for you", colour=COLOUR, description=clip("\n".join(lines), 1500))
    embed.set_footer(text="Ranked by how much of what you asked each one matches · /communities info for details")
    # Share what is left of the embed's 6,000 characters evenly, so ten long entries still fit.
    share = (PAGE_BUDGET - len(embed)) // max(len(recs), 1) - FIELD_NAME // 2
    for number, rec in enumerate(recs, start=1):
        value = f"{clip(safe(rec.why_text), 400)}\nJoin: {describe_way(rec.entry.join)}"
        embed.add_field(
            name=clip(f"{number}. {rec.entry.name}", FIELD_NAME // 2),
            value=clip(value, min(FIELD_VALUE, share)),
            inline=False,
        )
    return embed


def list_field(entry: CommunityEntry) -> tuple[str, str]:
    """One entry as a list item: name, then a short description, where to join and its topics."""
    name = entry.name + (f" · {entry.location}" if entry.location else "")
    value = "\n".join(
        [
            clip(safe(entry.description), 220),
            f"Join: {describe_way(entry.join)}",
            f"Topics: {labels(TOPICS, entry.topics)}",
        ]
    )
    return clip(name, FIELD_NAME), clip(value, FIELD_VALUE)


def paginate(entries: Sequence[CommunityEntry], page_size: int) -> list[list[tuple[str, str]]]:
    """Entries as pages of fields: at most `page_size` per page and never more text than an embed holds."""
    pages: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    size = 0
    for entry in entries:
        name, value = list_field(entry)
        if current and (len(current) >= min(page_size, MAX_FIELDS) or size + len(name) + len(value) > PAGE_BUDGET):
            pages.append(current)
            current, size = [], 0
        current.append((name, value))
        size += len(name) + len(value)
    if current:
        pages.append(current)
    return pages


def list_embed(
    fields: Sequence[tuple[str, str]], *, heading: str, page: int, pages: int, total: int, expired: bool = False
) -> discord.Embed:
    embed = discord.Embed(title="Data communities", colour=COLOUR, description=clip(heading, 800))
    for name, value in fields:
        embed.add_field(name=name, value=value, inline=False)
    count = plural(total, "community", "communities")
    footer = f"Page {page + 1}/{pages} · {count} · /communities info <name> for details"
    if expired:
        footer += " · page buttons expired: run /communities list again"
    embed.set_footer(text=footer)
    return embed


def suggestion_embed(suggestion: CommunitySuggestion, decider_note: str | None = None) -> discord.Embed:
    """The moderators' log card for a suggestion, with its decision once made."""
    entry = suggestion.entry
    colours = {
        SuggestionStatus.PENDING: discord.Colour.gold(),
        SuggestionStatus.APPROVED: discord.Colour.green(),
        SuggestionStatus.REJECTED: discord.Colour.red(),
    }
    embed = discord.Embed(
        title=clip(f"Community suggestion #{suggestion.id}: {entry.name}", 256),
        colour=colours[suggestion.status],
        description=clip(safe(entry.description), 1500),
    )
    embed.add_field(name="Suggested by", value=f"<@{suggestion.suggested_by}>")
    embed.add_field(name="Website", value=clip(entry.website, FIELD_VALUE))
    embed.add_field(name="Join", value=clip(describe_way(entry.join), FIELD_VALUE), inline=False)
    embed.add_field(name="Topics", value=clip(labels(TOPICS, entry.topics), FIELD_VALUE))
    embed.add_field(name="Serves", value=clip(labels(ROLES, entry.roles), FIELD_VALUE))
    embed.add_field(name="Where", value=clip(region_text(entry), FIELD_VALUE))
    embed.add_field(name="Level", value=level_text(entry))
    embed.add_field(name="Cost", value=COSTS.label(entry.cost))
    if suggestion.status is SuggestionStatus.PENDING:
        embed.set_footer(text="Approve adds it to this server's /communities directory.")
    else:
        embed.add_field(name="Decision", value=decider_note or suggestion.status.value.title(), inline=False)
    return embed


NOTHING_TO_GO_ON = (
    "Tell me a little about you and I will pick communities for you: give a role, interests, a region"
    " or a level, for example `/communities recommend role:Data engineer region:Africa`."
    " To browse everything instead, use /communities list."
)


def no_match_text(basis: str) -> str:
    """No entry of the directory meets anything the member asked for."""
    return clip(
        f"No community in this server's directory matches any of {basis}. Try other options, or"
        " browse everything with /communities list.",
        2000,
    )


def describe_basis(prefs: Preferences, from_profile: tuple[str, ...]) -> str:
    """'role **Data engineer** (from your profile), region **Africa**' for the recommendation's header."""
    parts = []

    def mark(field: str, text: str) -> str:
        return f"{text} (from your onboarding profile)" if field in from_profile else text

    if prefs.role:
        parts.append(mark("role", f"role **{ROLES.label(prefs.role)}**"))
    if prefs.interests or prefs.keywords:
        shown = [TOPICS.label(t) for t in prefs.interests] + [f"“{w}”" for w in prefs.keywords]
        parts.append(mark("interests", f"interests **{clip(safe(', '.join(shown)), 400)}**"))
    if prefs.region:
        parts.append(mark("region", f"region **{REGIONS.label(prefs.region)}**"))
    if prefs.level:
        parts.append(mark("level", f"level **{LEVELS.label(prefs.level)}**"))
    return ", ".join(parts)


def describe_filters(filters: Mapping[str, str | None]) -> str:
    parts = []
    if topic := filters["topic"]:
        parts.append(f"topic **{TOPICS.label(topic)}**")
    if region := filters["region"]:
        parts.append(f"region **{REGIONS.label(region)}**")
    if platform := filters["platform"]:
        parts.append(f"on **{PLATFORMS.label(platform)}**")
    return ("Filtered by " + ", ".join(parts) + ".") if parts else "Every community in this server's directory."


def no_results_text(total: int, filters: Mapping[str, str | None], counts_without: Mapping[str, int]) -> str:
    """A helpful answer for an empty filter: what each filter left out would give, and how to widen."""
    used = {k: v for k, v in filters.items() if v}
    lines = [f"No community matches {describe_filters(filters).removeprefix('Filtered by ').rstrip('.')}."]
    if len(used) > 1:
        for dropped, count in counts_without.items():
            if count:
                lines.append(f"• Without the {dropped} filter: {plural(count, 'community', 'communities')}.")
    else:
        lines.append(
            f"The directory has {plural(total, 'community', 'communities')}; /communities list without filters"
            " shows all."
        )
    if used.get("region") and used["region"] != "global":
        lines.append("Worldwide online communities are open to you too: try region **Worldwide (online)**.")
    lines.append("Know one that belongs here? Suggest it with /communities suggest.")
    return "\n".join(lines)


def unknown_name_text(name: str, suggestions: Sequence[CommunityEntry], scope: str = "the directory") -> str:
    shown = clip(safe(name.strip()), 80)
    if suggestions:
        names = " or ".join(f"**{safe(e.name)}**" for e in suggestions)
        return f"No community called “{shown}” in {scope}. Did you mean {names}?"
    return (
        f"No community called “{shown}” in {scope}. Browse them with /communities list, or suggest it with"
        " /communities suggest."
    )


def decision_note(suggestion: CommunitySuggestion) -> str:
    verb = "approved" if suggestion.status is SuggestionStatus.APPROVED else "rejected"
    when = f" {timestamp(suggestion.decided_at, 'R')}" if suggestion.decided_at else ""
    return f"{verb} by <@{suggestion.decided_by}>{when}"


def choices(pairs: Sequence[tuple[str, str]]) -> list[app_commands.Choice[str]]:
    """Autocomplete choices from (what is shown, what is sent) pairs."""
    return [app_commands.Choice(name=name, value=value) for name, value in pairs]


# A suggestion card once its author asked the bot to forget them (its buttons go with the embed).
SUGGESTION_FORGOTTEN = "A community suggestion was here; the member who made it asked the bot to forget their data."
