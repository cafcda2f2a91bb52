"""What managers see: the checklist, the preview of /setup create, its result, and the moderators' log summary."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.discord_helpers import clip, escape
from cogs.setup.models import CheckLine, CheckSection, Outcome, Plan, Status

ICONS = {Status.OK: "✅", Status.MISSING: "❌", Status.PROBLEM: "⚠️"}
WORDS = {Status.OK: "OK", Status.MISSING: "missing", Status.PROBLEM: "problem"}
EMBED_TOTAL = 5800  # Discord allows 6,000 characters over a message's embeds; titles and footers take the rest
DESCRIPTION = 4096
MESSAGE = 2000


def check_line(line: CheckLine) -> str:
    text = f"{ICONS[line.status]} {line.subject} — **{WORDS[line.status]}**"
    if line.detail:
        text += f": {line.detail}"
    if line.fix and line.status is not Status.OK:
        text += f"\n   ↳ Fix: {line.fix}"
    return text


def _collapsed(lines: Sequence[CheckLine]) -> list[str]:
    """OK lines as one line, the others in full: for a checklist too long for one message."""
    ok = [line.subject for line in lines if line.status is Status.OK]
    rest = [check_line(line) for line in lines if line.status is not Status.OK]
    if ok:
        rest.append(clip(f"✅ **OK**: {', '.join(ok)}", 600))
    return rest


def _fit(texts: list[list[str]], budget: int) -> list[str]:
    """Each section's lines joined, cut (with a count of what was left out) so all of them fit the budget."""
    joined = ["\n".join(lines) for lines in texts]
    if sum(len(t) for t in joined) <= budget:
        return [clip(t, DESCRIPTION) for t in joined]
    share = budget // max(1, len(texts))
    out = []
    for lines in texts:
        kept: list[str] = []
        used = 0
        for index, line in enumerate(lines):
            more = f"\n…and {len(lines) - index} more: fix these first, then run /setup check again"
            if used + len(line) + 1 + len(more) > share:
                kept.append(more.strip())
                break
            kept.append(line)
            used += len(line) + 1
        out.append("\n".join(kept))
    return out


def checklist_embeds(
    guild_name: str, sections: Sequence[CheckSection], tally: dict[Status, int]
) -> list[discord.Embed]:
    """The /setup check answer: a summary, then one embed per section, within Discord's 6,000 characters."""
    head = (f"{tally[Status.OK]} OK · {tally[Status.MISSING]} missing · {tally[Status.PROBLEM]} problems")
    if tally[Status.MISSING]:
        head += "\n`/setup create` makes what is missing (it shows what it will do first)."
    if not tally[Status.MISSING] and not tally[Status.PROBLEM]:
        head += "\nEverything the settings need is here."
    titles = [f"Setup check for {clip(guild_name, 200)}", *(s.title for s in sections)]
    budget = EMBED_TOTAL - len(head) - sum(len(t) for t in titles)
    texts = [[check_line(line) for line in section.lines] for section in sections]
    if sum(len("\n".join(t)) for t in texts) > budget:
        texts = [_collapsed(section.lines) for section in sections]
    bodies = _fit(texts, budget)
    colour = discord.Colour.green() if not tally[Status.MISSING] and not tally[Status.PROBLEM] else (
        discord.Colour.orange())
    embeds = [discord.Embed(title=titles[0], description=head, colour=colour)]
    for section, body in zip(sections, bodies, strict=True):
        embeds.append(discord.Embed(title=section.title, description=body or "—", colour=colour))
    return embeds


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Within Discord's limits for one embed: 25 fields and 6,000 characters (the longest fields are cut first)."""
    if len(embed.fields) > 25:
        kept = embed.fields[:24]
        embed.clear_fields()
        for field in kept:
            embed.add_field(name=field.name, value=field.value, inline=field.inline)
        embed.add_field(name="…", value="and more: run the command again once these are done", inline=False)
    while len(embed) > EMBED_TOTAL and embed.fields:
        index, longest = max(enumerate(embed.fields), key=lambda item: len(item[1].value or ""))
        value = longest.value or ""
        if len(value) <= 40:
            break
        embed.set_field_at(index, name=longest.name, value=clip(value, len(value) // 2), inline=longest.inline)
    return embed


def _names(names: Sequence[str], limit: int = 900) -> str:
    return clip(", ".join(names), limit) or "—"


def preview_embed(plan: Plan, seconds: int) -> discord.Embed:
    """What /setup create will do, before anything is done."""
    embed = discord.Embed(title="/setup create: what I will do", colour=discord.Colour.blurple())
    if plan.blockers:
        embed.colour = discord.Colour.red()
        embed.description = clip("Nothing can be created yet:\n" + "\n".join(f"• {b}" for b in plan.blockers), 4000)
    elif plan.empty:
        embed.colour = discord.Colour.green()
        embed.description = "Everything the settings need is already here: there is nothing to create."
    elif plan.writes == 0:
        embed.description = "Nothing to create on Discord. Confirm stores the IDs below in this server's settings."
    else:
        embed.description = (
            f"Only what is missing is created; existing channels and roles are used as they are. About {seconds} s "
            "(Discord's pace). Press **Confirm** to go ahead.")
    for category in plan.categories:
        embed.add_field(name="Category", value=escape(category.name), inline=False)
    texts = [c for c in plan.channels if c.kind != "forum"]
    if texts:
        by_category: dict[str, list[str]] = {}
        for channel in texts:
            shown = f"#{channel.name}" + (" (private: moderators and me)" if channel.private_to else "")
            by_category.setdefault(channel.category, []).append(shown)
        value = "\n".join(f"in **{escape(cat)}**: {_names(names, 900)}" for cat, names in by_category.items())
        embed.add_field(name=f"Text channels ({len(texts)})", value=clip(value, 1024), inline=False)
    for forum in (c for c in plan.channels if c.kind == "forum"):
        tags = _names([t.name + (" (moderators only)" if t.moderated else "") for t in forum.tags], 700)
        embed.add_field(name=f"Forum #{forum.name}", value=clip(f"in **{escape(forum.category)}**, tags: {tags}",
                                                                    1024), inline=False)
    for edit in plan.tag_edits:
        embed.add_field(name=f"Tags for #{edit.channel_name}", value=_names([t.name for t in edit.add]), inline=False)
    if plan.roles:
        embed.add_field(name=f"Roles ({len(plan.roles)})", value=clip(
            _names([escape(r) for r in plan.roles]) + "\nmade at the bottom of the role list, without permissions, "
            "so I can give them", 1024), inline=False)
    if plan.remember:
        lines = [f"`{r.path}` → {'#' if r.target == 'channel' else '@'}{escape(r.name)}" for r in plan.remember]
        embed.add_field(name="Stored by ID in this server's settings", value=clip("\n".join(lines), 1024),
                        inline=False)
    if plan.warnings:
        embed.add_field(name="Worth fixing", value=clip("\n".join(f"⚠️ {w}" for w in plan.warnings), 1024),
                        inline=False)
    return fit_embed(embed)


def working_text(plan: Plan, seconds: int) -> str:
    return f"Creating {plan.writes} things at Discord's pace (about {seconds} s)…"


def stale_text() -> str:
    return "The server or the settings changed since that preview, so nothing was done. Here is what I would do now:"


def result_embed(outcome: Outcome) -> discord.Embed:
    """What /setup create did."""
    made = len(outcome.created_channels) + len(outcome.created_roles) + len(outcome.tags_added)
    if outcome.failure:
        embed = discord.Embed(
            title="/setup create stopped", colour=discord.Colour.red(),
            description=clip(f"{outcome.failure}\nWhat was made is kept and stored; run `/setup create` again to make "
                             "the rest.", 4000))
    else:
        embed = discord.Embed(title="/setup create: done", colour=discord.Colour.green(),
                              description=f"Made {made} things in {outcome.seconds:.1f} s. `/setup check` shows the "
                              "state of everything.")
    if outcome.created_channels:
        embed.add_field(name=f"Channels ({len(outcome.created_channels)})",
                        value=clip(" ".join(f"<#{i}>" for _, i in outcome.created_channels), 1024), inline=False)
    if outcome.created_roles:
        embed.add_field(name=f"Roles ({len(outcome.created_roles)})",
                        value=clip(" ".join(f"<@&{i}>" for _, i in outcome.created_roles), 1024), inline=False)
    if outcome.tags_added:
        embed.add_field(name="Forum tags", value=_names([f"#{f}: {t}" for f, t in outcome.tags_added]), inline=False)
    if outcome.remembered:
        embed.add_field(name="Stored by ID", value=clip(", ".join(f"`{p}`" for p, _ in outcome.remembered), 1024),
                        inline=False)
    return fit_embed(embed)


def mod_log_summary(outcome: Outcome, user_id: int) -> str:
    """The moderators' log line after a run (mentions stay inert: the bot posts without pings)."""
    parts = [f"**/setup create** by <@{user_id}>"]
    if outcome.created_channels:
        parts.append(f"channels: {' '.join(f'<#{i}>' for _, i in outcome.created_channels)}")
    if outcome.created_roles:
        parts.append(f"roles: {' '.join(f'<@&{i}>' for _, i in outcome.created_roles)}")
    if outcome.tags_added:
        parts.append(f"forum tags: {', '.join(f'#{f} {escape(t)}' for f, t in outcome.tags_added)}")
    if outcome.remembered:
        parts.append(f"stored by ID: {', '.join(f'`{p}`' for p, _ in outcome.remembered)}")
    if outcome.failure:
        parts.append(f"stopped: {outcome.failure}")
    return clip("\n".join(parts), MESSAGE)
