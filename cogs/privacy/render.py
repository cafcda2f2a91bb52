"""What members see of the privacy commands."""

from __future__ import annotations

import discord

from cogs.privacy.models import ForgetReport, MemberExport

# Why each feature stores what it does; a feature without a line here is shown by its title alone.
WHY = {
    "admin": "closed DMs (so the bot stops trying to DM you) and server settings you changed",
    "onboarding": "your welcome answers (role, level, interests) to give you roles and point you to channels",
    "mentors": "your mentor offer or mentor requests, to match mentors and mentees",
    "qa": "questions you asked and answers credited to you, for search, reminders and the leaderboard",
    "events": "your RSVPs and reminder DMs, and events you organise",
    "communities": "community suggestions you made, until a moderator decides on them",
    "privacy": "when you left the server, to forget your data after the retention period",
}

FORGET_WARNING = (
    "This erases everything this bot stores about you **in this server**: your profile and answers, mentoring, "
    "questions (they stay, without your name), credits, RSVPs, reminders and suggestions. It cannot be undone.\n"
    "Your own messages stay yours in Discord: delete them yourself if you want them gone."
)


def show_embed(export: MemberExport, titles: dict[str, str], retention_days: int) -> discord.Embed:
    embed = discord.Embed(title="What this bot stores about you here", colour=discord.Colour.blurple())
    lines = []
    for name in sorted(export.features, key=lambda n: titles.get(n, n)):
        count = export.records(name)
        if count:
            why = WHY.get(name, "")
            lines.append(f"**{titles.get(name, name)}**: {count} record{'s' if count != 1 else ''}"
                         + (f" — {why}" if why else ""))
    embed.description = "\n".join(lines) if lines else "Nothing at all."
    keep = f"{retention_days} days after you leave" if retention_days else "until you or a moderator erase it"
    embed.add_field(name="How long", value=f"Kept while you are a member, and {keep}.", inline=False)
    embed.add_field(
        name="Your choices", value="`/privacy export`: a JSON file of all of it.\n`/privacy forget`: erase it.",
        inline=False,
    )
    if export.unavailable:
        embed.set_footer(text="Could not read right now: " + ", ".join(export.unavailable))
    return embed


def forget_done_text(report: ForgetReport, *, yourself: bool) -> str:
    who = "you" if yourself else "that member"
    text = f"Done: {report.total} stored record{'s' if report.total != 1 else ''} about {who} were erased or " \
           "anonymised in this server."
    if yourself:
        text += " Your own messages stay yours in Discord: delete them there if you want them gone."
    if report.failed:
        text += f"\n⚠️ Not finished for: {', '.join(report.failed)}. Please run it again later."
    return text


def nothing_known_text(user_id: int) -> str:
    return f"I have nothing stored about the ID `{user_id}` in this server, so there is nothing to forget."
