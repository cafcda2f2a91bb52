"""What members see: entries, recommendations and suggestions as embeds within Discord's limits, and answers."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import date

import discord
from babel import Locale
from discord import app_commands

from bot import i18n
from bot.discord_helpers import clip, inert
from bot.formatting import timestamp
from bot.i18n import N_, _, ngettext
from cogs.communities.models import (
    CommunityEntry,
    CommunitySuggestion,
    JoinWay,
    Preferences,
    Recommendation,
    SuggestionStatus,
)
from cogs.communities.vocabulary import COSTS, LEVELS, PLATFORMS, REGIONS, ROLES, TOPICS, Vocabulary, comma_list, quoted

EMBED_TOTAL = 6000
FIELD_VALUE = 1024
FIELD_NAME = 256
DESCRIPTION = 4096
MAX_FIELDS = 25
# Room kept for the title, description and footer of a list page when packing entries into it.
PAGE_BUDGET = 5000

COLOUR = discord.Colour.teal()


# Directory names and notes come back on every answer; a new answer's why-lines are new texts each time.
@functools.lru_cache(maxsize=16384)
def safe(text: str) -> str:
    """Directory text as inert markdown: no formatting tricks, no mention look-alikes."""
    return inert(text)


@functools.lru_cache(maxsize=16384)
def link(label: str, url: str) -> str:
    """A masked link whose label and address cannot break out of the markdown."""
    escaped = url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    text = safe(label)  # brackets escaped too
    return f"[{text}]({escaped})"


def describe_way(way: JoinWay) -> str:
    """'Slack (open): link · note' for one way to join."""
    return _way_text(i18n.current(), way.platform, way.url, way.access, way.note)


# Every answer that shows entries describes how to join each: the same few texts for a directory, per language.
@functools.lru_cache(maxsize=16384)
def _way_text(language: str, platform_key: str, url: str | None, access: str, note: str | None) -> str:
    platform = PLATFORMS.label(platform_key)
    text = link(platform, url) if url else platform
    if access == "application":
        text = _("{way} (by application)").format(way=text)
    if note:
        text += f" · {safe(note)}"
    return text


def labels(vocabulary: Vocabulary, keys: Sequence[str]) -> str:
    return comma_list(vocabulary.label(k) for k in keys)


def count_text(count: int) -> str:
    """"1 community", "18 communities" in the current language."""
    return ngettext("{n} community", "{n} communities", count).format(n=i18n.number(count))


def level_text(entry: CommunityEntry) -> str:
    if set(entry.levels) == set(LEVELS.keys):
        return _("Every level, beginner-friendly")
    text = labels(LEVELS, entry.levels)
    if entry.beginner_friendly:
        return _("{levels} (beginner-friendly)").format(levels=text)
    return _("{levels} (not aimed at beginners)").format(levels=text)


def region_text(entry: CommunityEntry) -> str:
    text = labels(REGIONS, entry.regions)
    return f"{text} · {safe(entry.location)}" if entry.location else text


def language_names(codes: Sequence[str]) -> str:
    """The entry's languages: ISO codes in English (as written in the directory), names in other languages."""
    language = i18n.current()
    if language in (i18n.DEFAULT, i18n.PSEUDO):
        return ", ".join(codes)
    names = Locale.parse(language).languages
    return comma_list(names.get(code, code) for code in codes)


def info_embed(
    entry: CommunityEntry,
    *,
    children: Sequence[CommunityEntry] = (),
    parent: CommunityEntry | None = None,
    added_here: bool = False,
    today: date,
    stale_after_days: int,
) -> discord.Embed:
    """Everything about one community (its description in the member's language when the directory has it)."""
    embed = discord.Embed(
        title=clip(entry.name, 256),
        url=entry.website,
        colour=COLOUR,
        description=clip(safe(entry.shown_description), DESCRIPTION),
    )
    ways = [describe_way(entry.join), *(describe_way(w) for w in entry.also)]
    embed.add_field(name=_("Join"), value=clip("\n".join(ways), FIELD_VALUE), inline=False)
    embed.add_field(name=_("Topics"), value=clip(labels(TOPICS, entry.topics), FIELD_VALUE), inline=False)
    embed.add_field(name=_("Serves"), value=clip(labels(ROLES, entry.roles), FIELD_VALUE), inline=False)
    embed.add_field(name=_("Where"), value=clip(region_text(entry), FIELD_VALUE))
    embed.add_field(name=_("Languages"), value=clip(language_names(entry.languages), FIELD_VALUE))
    embed.add_field(name=_("Level"), value=level_text(entry))
    embed.add_field(name=_("Cost"), value=COSTS.label(entry.cost))
    if entry.resources:
        lines = [link(r.name, r.url) if r.url else safe(r.name) for r in entry.resources]
        lines = [
            _("{resource} (free)").format(resource=line) if r.free else line
            for line, r in zip(lines, entry.resources, strict=True)
        ]
        embed.add_field(name=_("Notable resources"), value=clip("\n".join(lines), FIELD_VALUE), inline=False)
    if parent is not None:
        embed.add_field(name=_("Part of"), value=clip(safe(parent.name), FIELD_VALUE))
    if children:
        names = ", ".join(safe(c.name) for c in children)
        embed.add_field(name=_("Local chapters"), value=clip(names, FIELD_VALUE), inline=False)
    age = (today - entry.last_checked).days
    checked = entry.last_checked.isoformat()
    if age > stale_after_days:
        checked += " " + ngettext(
            "⚠️ over {days} day ago: details may be out of date",
            "⚠️ over {days} days ago: details may be out of date",
            stale_after_days,
        ).format(days=i18n.number(stale_after_days))
    embed.add_field(name=_("Last checked"), value=checked)
    footer = _("Added by this server's moderators") if added_here else _("From the bot's curated directory")
    if entry.aliases:
        footer = _("{source} · also known as {names}").format(source=footer, names=", ".join(entry.aliases))
    embed.set_footer(text=clip(footer, 2048))
    return embed


def recommendation_embed(
    recs: Sequence[Recommendation], basis: str, notes: Sequence[str], *, shortfall: bool
) -> discord.Embed:
    """The ranked recommendations with one line of why each, and what they were based on."""
    lines = [_("Based on {basis}.").format(basis=basis)]
    lines += [f"• {safe(note)}" for note in notes]
    if shortfall:
        lines.append(_("Only these matched anything you asked for; /communities list shows the whole directory."))
    embed = discord.Embed(title=_("Communities for you"), colour=COLOUR, description=clip("\n".join(lines), 1500))
    embed.set_footer(text=_("Ranked by how much of what you asked each one matches · /communities info for details"))
    # Share what is left of the embed's 6,000 characters evenly, so ten long entries still fit.
    share = (PAGE_BUDGET - len(embed)) // max(len(recs), 1) - FIELD_NAME // 2
    for number, rec in enumerate(recs, start=1):
        join = _("Join: {way}").format(way=describe_way(rec.entry.join))
        value = f"{clip(safe(rec.why_text), 400)}\n{join}"
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
            clip(safe(entry.shown_description), 220),
            _("Join: {way}").format(way=describe_way(entry.join)),
            _("Topics: {topics}").format(topics=labels(TOPICS, entry.topics)),
        ]
    )
    return clip(name, FIELD_NAME), clip(value, FIELD_VALUE)


def paginate(entries: Sequence[CommunityEntry], page_size: int) -> list[list[tuple[str, str]]]:
    """Entries as pages of fields (in the current language): at most `page_size` per page and never more text than
    an embed holds."""
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
    embed = discord.Embed(title=_("Data communities"), colour=COLOUR, description=clip(heading, 800))
    for name, value in fields:
        embed.add_field(name=name, value=value, inline=False)
    footer = _("Page {page}/{pages} · {count} · /communities info <name> for details").format(
        page=i18n.number(page + 1), pages=i18n.number(pages), count=count_text(total)
    )
    if expired:
        footer = _("{footer} · page buttons expired: run /communities list again").format(footer=footer)
    embed.set_footer(text=footer)
    return embed


_DECIDED = {SuggestionStatus.APPROVED: N_("Approved"), SuggestionStatus.REJECTED: N_("Rejected")}


def suggestion_embed(suggestion: CommunitySuggestion, decider_note: str | None = None) -> discord.Embed:
    """The moderators' log card for a suggestion, with its decision once made."""
    entry = suggestion.entry
    colours = {
        SuggestionStatus.PENDING: discord.Colour.gold(),
        SuggestionStatus.APPROVED: discord.Colour.green(),
        SuggestionStatus.REJECTED: discord.Colour.red(),
    }
    embed = discord.Embed(
        title=clip(_("Community suggestion #{id}: {name}").format(id=suggestion.id, name=entry.name), 256),
        colour=colours[suggestion.status],
        description=clip(safe(entry.description), 1500),
    )
    embed.add_field(name=_("Suggested by"), value=f"<@{suggestion.suggested_by}>")
    embed.add_field(name=_("Website"), value=clip(entry.website, FIELD_VALUE))
    embed.add_field(name=_("Join"), value=clip(describe_way(entry.join), FIELD_VALUE), inline=False)
    embed.add_field(name=_("Topics"), value=clip(labels(TOPICS, entry.topics), FIELD_VALUE))
    embed.add_field(name=_("Serves"), value=clip(labels(ROLES, entry.roles), FIELD_VALUE))
    embed.add_field(name=_("Where"), value=clip(region_text(entry), FIELD_VALUE))
    embed.add_field(name=_("Level"), value=level_text(entry))
    embed.add_field(name=_("Cost"), value=COSTS.label(entry.cost))
    if suggestion.status is SuggestionStatus.PENDING:
        embed.set_footer(text=_("Approve adds it to this server's /communities directory."))
    else:
        decided = _(_DECIDED[suggestion.status]) if suggestion.status in _DECIDED else suggestion.status.value.title()
        embed.add_field(name=_("Decision"), value=decider_note or decided, inline=False)
    return embed


NOTHING_TO_GO_ON = N_(
    "Tell me a little about you and I will pick communities for you: give a role, interests, a region"
    " or a level, for example `/communities recommend role:Data engineer region:Africa`."
    " To browse everything instead, use /communities list."
)


def no_match_text(basis: str) -> str:
    """No entry of the directory meets anything the member asked for."""
    return clip(
        _(
            "No community in this server's directory matches any of {basis}. Try other options, or"
            " browse everything with /communities list."
        ).format(basis=basis),
        2000,
    )


# What the recommendation was based on, one phrase per option: as typed, or filled in from the onboarding profile.
_BASIS = {
    ("role", False): N_("role **{value}**"),
    ("role", True): N_("role **{value}** (from your onboarding profile)"),
    ("interests", False): N_("interests **{value}**"),
    ("interests", True): N_("interests **{value}** (from your onboarding profile)"),
    ("region", False): N_("region **{value}**"),
    ("region", True): N_("region **{value}** (from your onboarding profile)"),
    ("level", False): N_("level **{value}**"),
    ("level", True): N_("level **{value}** (from your onboarding profile)"),
}


def describe_basis(prefs: Preferences, from_profile: tuple[str, ...]) -> str:
    """'role **Data engineer** (from your profile), region **Africa**' for the recommendation's header."""
    parts = []

    def mark(field: str, value: str) -> str:
        return _(_BASIS[field, field in from_profile]).format(value=value)

    if prefs.role:
        parts.append(mark("role", ROLES.label(prefs.role)))
    if prefs.interests or prefs.keywords:
        shown = [TOPICS.label(t) for t in prefs.interests] + [quoted(w) for w in prefs.keywords]
        parts.append(mark("interests", clip(safe(comma_list(shown)), 400)))
    if prefs.region:
        parts.append(mark("region", REGIONS.label(prefs.region)))
    if prefs.level:
        parts.append(mark("level", LEVELS.label(prefs.level)))
    return comma_list(parts)


def _filter_parts(filters: Mapping[str, str | None]) -> str:
    parts = []
    if topic := filters["topic"]:
        parts.append(_("topic **{topic}**").format(topic=TOPICS.label(topic)))
    if region := filters["region"]:
        parts.append(_("region **{region}**").format(region=REGIONS.label(region)))
    if platform := filters["platform"]:
        parts.append(_("on **{platform}**").format(platform=PLATFORMS.label(platform)))
    return comma_list(parts)


def describe_filters(filters: Mapping[str, str | None]) -> str:
    parts = _filter_parts(filters)
    if not parts:
        return _("Every community in this server's directory.")
    return _("Filtered by {filters}.").format(filters=parts)


_WITHOUT = {
    "topic": N_("• Without the topic filter: {count}."),
    "region": N_("• Without the region filter: {count}."),
    "platform": N_("• Without the platform filter: {count}."),
}


def no_results_text(total: int, filters: Mapping[str, str | None], counts_without: Mapping[str, int]) -> str:
    """A helpful answer for an empty filter: what each filter left out would give, and how to widen."""
    used = {k: v for k, v in filters.items() if v}
    lines = [_("No community matches {filters}.").format(filters=_filter_parts(filters))]
    if len(used) > 1:
        for dropped, count in counts_without.items():
            if count:
                lines.append(_(_WITHOUT[dropped]).format(count=count_text(count)))
    else:
        lines.append(
            _("The directory has {count}; /communities list without filters shows all.").format(count=count_text(total))
        )
    if used.get("region") and used["region"] != "global":
        lines.append(
            _("Worldwide online communities are open to you too: try region **{region}**.").format(
                region=REGIONS.label("global")
            )
        )
    lines.append(_("Know one that belongs here? Suggest it with /communities suggest."))
    return "\n".join(lines)


def unknown_name_text(name: str, suggestions: Sequence[CommunityEntry], *, own: bool = False) -> str:
    """No entry by that name in the directory (or, with `own`, among this server's additions)."""
    shown = clip(safe(name.strip()), 80)
    if suggestions:
        names = i18n.join([f"**{safe(e.name)}**" for e in suggestions], alternatives=True)
        if own:
            return _("No community called “{name}” in this server's additions. Did you mean {names}?").format(
                name=shown, names=names
            )
        return _("No community called “{name}” in the directory. Did you mean {names}?").format(name=shown, names=names)
    if own:
        return _(
            "No community called “{name}” in this server's additions. Browse them with /communities list, or suggest"
            " it with /communities suggest."
        ).format(name=shown)
    return _(
        "No community called “{name}” in the directory. Browse them with /communities list, or suggest it with"
        " /communities suggest."
    ).format(name=shown)


_DECISION = {
    (SuggestionStatus.APPROVED, True): N_("approved by {moderator} {when}"),
    (SuggestionStatus.APPROVED, False): N_("approved by {moderator}"),
    (SuggestionStatus.REJECTED, True): N_("rejected by {moderator} {when}"),
    (SuggestionStatus.REJECTED, False): N_("rejected by {moderator}"),
}


def decision_note(suggestion: CommunitySuggestion) -> str:
    approved = suggestion.status is SuggestionStatus.APPROVED
    status = SuggestionStatus.APPROVED if approved else SuggestionStatus.REJECTED
    when = timestamp(suggestion.decided_at, "R") if suggestion.decided_at else ""
    return _(_DECISION[status, bool(when)]).format(moderator=f"<@{suggestion.decided_by}>", when=when)


def choices(pairs: Sequence[tuple[str, str]]) -> list[app_commands.Choice[str]]:
    """Autocomplete choices from (what is shown, what is sent) pairs."""
    return [app_commands.Choice(name=name, value=value) for name, value in pairs]


# A suggestion card once its author asked the bot to forget them (its buttons go with the embed).
SUGGESTION_FORGOTTEN = N_(
    "A community suggestion was here; the member who made it asked the bot to forget their data."
)
