"""What members see of the privacy commands (in the language of the member being answered)."""

from __future__ import annotations

import discord

from bot import i18n
from bot.i18n import N_, _, ngettext
from cogs.privacy.models import ForgetReport, MemberExport

# Why each feature stores what it does; a feature without a line here is shown by its title alone.
WHY = {
    "admin": N_("closed DMs (so the bot stops trying to DM you) and server settings you changed"),
    "language": N_("the language you chose for what the bot sends you unasked"),
    "onboarding": N_("your welcome answers (role, level, interests) to give you roles and point you to channels"),
    "mentors": N_("your mentor offer or mentor requests, to match mentors and mentees"),
    "qa": N_("questions you asked and answers credited to you, for search, reminders and the leaderboard"),
    "events": N_("your RSVPs and reminder DMs, and events you organise"),
    "communities": N_("community suggestions you made, until a moderator decides on them"),
    "privacy": N_("when you left the server, to forget your data after the retention period"),
}

FORGET_WARNING = N_(
    "This erases everything this bot stores about you **in this server**: your profile and answers, mentoring, "
    "questions (they stay, without your name), credits, RSVPs, reminders and suggestions. It cannot be undone.\n"
    "Your own messages stay yours in Discord: delete them yourself if you want them gone."
)


def command(*names: str) -> str:
    """A slash command as the member's Discord client shows it: "`/privacy export`", its names translated."""
    shown = [i18n.translate(name, i18n.current(), i18n.NAME_CONTEXT) for name in names]
    return f"`/{' '.join(shown)}`"


def titles_shown(titles: list[str]) -> str:
    """Features by their titles, translated, as a list in the current language."""
    return i18n.join([_(title) for title in titles])


def forget_warning() -> str:
    return _(FORGET_WARNING)


def show_embed(export: MemberExport, titles: dict[str, str], retention_days: int) -> discord.Embed:
    embed = discord.Embed(title=_("What this bot stores about you here"), colour=discord.Colour.blurple())
    def title(name: str) -> str:
        return _(titles.get(name, name))

    lines = []
    for name in sorted(export.features, key=title):
        count = export.records(name)
        if not count:
            continue
        feature = f"**{title(name)}**"
        why = WHY.get(name)
        if why:
            line = ngettext("{feature}: {n} record — {why}", "{feature}: {n} records — {why}", count)
            lines.append(line.format(feature=feature, n=i18n.number(count), why=_(why)))
        else:
            line = ngettext("{feature}: {n} record", "{feature}: {n} records", count)
            lines.append(line.format(feature=feature, n=i18n.number(count)))
    embed.description = "\n".join(lines) if lines else _("Nothing at all.")
    if retention_days:
        keep = ngettext(
            "Kept while you are a member, and {n} day after you leave.",
            "Kept while you are a member, and {n} days after you leave.",
            retention_days,
        ).format(n=i18n.number(retention_days))
    else:
        keep = _("Kept while you are a member, and until you or a moderator erase it.")
    embed.add_field(name=_("How long"), value=keep, inline=False)
    embed.add_field(
        name=_("Your choices"),
        value=_("{export}: a JSON file of all of it.\n{forget}: erase it.").format(
            export=command("privacy", "export"), forget=command("privacy", "forget")
        ),
        inline=False,
    )
    if export.unavailable:
        embed.set_footer(
            text=_("Could not read right now: {features}").format(features=titles_shown(export.unavailable))
        )
    return embed


def export_text() -> str:
    return _("Everything this bot stores about you in this server (the format is described in docs/privacy.md).")


def forget_done_text(report: ForgetReport, *, yourself: bool) -> str:
    n = i18n.number(report.total)
    if yourself:
        text = ngettext(
            "Done: {n} stored record about you was erased or anonymised in this server.",
            "Done: {n} stored records about you were erased or anonymised in this server.",
            report.total,
        ).format(n=n)
        text += " " + _("Your own messages stay yours in Discord: delete them there if you want them gone.")
    else:
        text = ngettext(
            "Done: {n} stored record about that member was erased or anonymised in this server.",
            "Done: {n} stored records about that member were erased or anonymised in this server.",
            report.total,
        ).format(n=n)
    if report.failed:
        text += "\n" + _("⚠️ Not finished for: {features}. Please run it again later.").format(
            features=titles_shown(report.failed)
        )
    return text


def nothing_known_text(user_id: int) -> str:
    return _("I have nothing stored about the ID `{user_id}` in this server, so there is nothing to forget.").format(
        user_id=user_id
    )
