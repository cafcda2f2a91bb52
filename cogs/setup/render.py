"""What managers see: the checklist, the preview of /setup create, its result, and the moderators' log summary."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot import i18n
from bot.discord_helpers import clip, escape
from bot.i18n import N_, _, ngettext
from cogs.setup.models import CheckLine, CheckSection, Outcome, Plan, Refusal, Status
from cogs.setup.words import code, command, listing

ICONS = {Status.OK: "✅", Status.MISSING: "❌", Status.PROBLEM: "⚠️"}
WORDS = {Status.OK: N_("OK"), Status.MISSING: N_("missing"), Status.PROBLEM: N_("problem")}
EMBED_TOTAL = 5800  # Discord allows 6,000 characters over a message's embeds; titles and footers take the rest
DESCRIPTION = 4096
MESSAGE = 2000


def check_line(line: CheckLine) -> str:
    text = _("{icon} {subject} — **{status}**").format(
        icon=ICONS[line.status], subject=line.subject, status=_(WORDS[line.status]))
    if line.detail:
        text = _("{line}: {detail}").format(line=text, detail=line.detail)
    if line.fix and line.status is not Status.OK:
        text += "\n   " + _("↳ Fix: {fix}").format(fix=line.fix)
    return text


def _collapsed(lines: Sequence[CheckLine]) -> list[str]:
    """OK lines as one line, the others in full: for a checklist too long for one message."""
    ok = [line.subject for line in lines if line.status is Status.OK]
    rest = [check_line(line) for line in lines if line.status is not Status.OK]
    if ok:
        rest.append(clip(_("✅ **OK**: {subjects}").format(subjects=listing(ok)), 600))
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
            left = len(lines) - index
            more = "\n" + ngettext(
                "…and {count} more: fix these first, then run {check} again",
                "…and {count} more: fix these first, then run {check} again", left,
            ).format(count=i18n.number(left), check=command("setup check"))
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
    head = _("{ok} OK · {missing} missing · {problems} problems").format(
        ok=i18n.number(tally[Status.OK]), missing=i18n.number(tally[Status.MISSING]),
        problems=i18n.number(tally[Status.PROBLEM]))
    if tally[Status.MISSING]:
        head += "\n" + _("{create} makes what is missing (it shows what it will do first).").format(
            create=code("setup create"))
    if not tally[Status.MISSING] and not tally[Status.PROBLEM]:
        head += "\n" + _("Everything the settings need is here.")
    titles = [_("Setup check for {server}").format(server=clip(guild_name, 200)), *(s.title for s in sections)]
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
        embed.add_field(name="…", value=_("and more: run the command again once these are done"), inline=False)
    while len(embed) > EMBED_TOTAL and embed.fields:
        index, longest = max(enumerate(embed.fields), key=lambda item: len(item[1].value or ""))
        value = longest.value or ""
        if len(value) <= 40:
            break
        embed.set_field_at(index, name=longest.name, value=clip(value, len(value) // 2), inline=longest.inline)
    return embed


def _names(names: Sequence[str], limit: int = 900) -> str:
    return clip(listing(names), limit) or "—"


def preview_embed(plan: Plan, seconds: int) -> discord.Embed:
    """What /setup create will do, before anything is done (channel and role names stay as they will be made)."""
    embed = discord.Embed(title=_("{command}: what I will do").format(command=command("setup create")),
                          colour=discord.Colour.blurple())
    if plan.blockers:
        embed.colour = discord.Colour.red()
        embed.description = clip(_("Nothing can be created yet:") + "\n" + "\n".join(f"• {b}" for b in plan.blockers),
                                 4000)
    elif plan.empty:
        embed.colour = discord.Colour.green()
        embed.description = _("Everything the settings need is already here: there is nothing to create.")
    elif plan.writes == 0:
        embed.description = _("Nothing to create on Discord. Confirm stores the IDs below in this server's settings.")
    else:
        embed.description = _(
            "Only what is missing is created; existing channels and roles are used as they are. About {seconds} s "
            "(Discord's pace). Press **Confirm** to go ahead.").format(seconds=i18n.number(seconds))
    for category in plan.categories:
        embed.add_field(name=_("Category"), value=escape(category.name), inline=False)
    texts = [c for c in plan.channels if c.kind != "forum"]
    if texts:
        by_category: dict[str, list[str]] = {}
        for channel in texts:
            shown = _("#{name} (private: moderators and me)").format(name=channel.name) if channel.private_to else (
                f"#{channel.name}")
            by_category.setdefault(channel.category, []).append(shown)
        value = "\n".join(_("in **{category}**: {channels}").format(category=escape(cat), channels=_names(names, 900))
                          for cat, names in by_category.items())
        embed.add_field(name=_("Text channels ({count})").format(count=i18n.number(len(texts))),
                        value=clip(value, 1024), inline=False)
    for forum in (c for c in plan.channels if c.kind == "forum"):
        tags = _names([_("{tag} (moderators only)").format(tag=t.name) if t.moderated else t.name for t in forum.tags],
                      700)
        embed.add_field(name=_("Forum #{name}").format(name=forum.name),
                        value=clip(_("in **{category}**, tags: {tags}").format(category=escape(forum.category),
                                                                               tags=tags), 1024), inline=False)
    for edit in plan.tag_edits:
        embed.add_field(name=_("Tags for #{name}").format(name=edit.channel_name),
                        value=_names([t.name for t in edit.add]), inline=False)
    if plan.roles:
        embed.add_field(name=_("Roles ({count})").format(count=i18n.number(len(plan.roles))), value=clip(
            _names([escape(r) for r in plan.roles]) + "\n"
            + _("made at the bottom of the role list, without permissions, so I can give them"), 1024), inline=False)
    if plan.remember:
        lines = [f"`{r.path}` → {'#' if r.target == 'channel' else '@'}{escape(r.name)}" for r in plan.remember]
        embed.add_field(name=_("Stored by ID in this server's settings"), value=clip("\n".join(lines), 1024),
                        inline=False)
    if plan.warnings:
        embed.add_field(name=_("Worth fixing"), value=clip("\n".join(f"⚠️ {w}" for w in plan.warnings), 1024),
                        inline=False)
    return fit_embed(embed)


def working_text(plan: Plan, seconds: int) -> str:
    return ngettext("Creating {count} thing at Discord's pace (about {seconds} s)…",
                    "Creating {count} things at Discord's pace (about {seconds} s)…", plan.writes).format(
        count=i18n.number(plan.writes), seconds=i18n.number(seconds))


def stale_text() -> str:
    return _("The server or the settings changed since that preview, so nothing was done. Here is what I would do "
             "now:")


def refusal_text(refusal: Refusal) -> str:
    """Why a run stopped, in the current language (Discord's own reason as it sent it)."""
    if refusal.target == "role":
        what = _("the role **{name}**").format(name=escape(refusal.name))
    elif refusal.target == "category":
        what = _("the category **{name}**").format(name=escape(refusal.name))
    elif refusal.target == "tags":
        what = _("the tags of {channel}").format(channel=refusal.name)
    else:
        what = f"#{refusal.name}"
    if refusal.forbidden:
        return _("Discord refused to create {what}: I lack a permission for it ({reason}).").format(
            what=what, reason=refusal.reason or "Missing Permissions")
    return _("Discord did not create {what} ({status}: {reason}).").format(
        what=what, status=refusal.status, reason=refusal.reason or _("no reason given"))


def result_embed(outcome: Outcome) -> discord.Embed:
    """What /setup create did."""
    made = len(outcome.created_channels) + len(outcome.created_roles) + len(outcome.tags_added)
    if outcome.failure:
        embed = discord.Embed(
            title=_("{command} stopped").format(command=command("setup create")), colour=discord.Colour.red(),
            description=clip(refusal_text(outcome.failure) + "\n" + _(
                "What was made is kept and stored; run {create} again to make the rest.").format(
                create=code("setup create")), 4000))
    else:
        embed = discord.Embed(
            title=_("{command}: done").format(command=command("setup create")), colour=discord.Colour.green(),
            description=ngettext(
                "Made {count} thing in {seconds} s. {check} shows the state of everything.",
                "Made {count} things in {seconds} s. {check} shows the state of everything.", made).format(
                count=i18n.number(made), seconds=i18n.number(round(outcome.seconds, 1)), check=code("setup check")))
    if outcome.created_channels:
        embed.add_field(name=_("Channels ({count})").format(count=i18n.number(len(outcome.created_channels))),
                        value=clip(" ".join(f"<#{i}>" for _name, i in outcome.created_channels), 1024), inline=False)
    if outcome.created_roles:
        embed.add_field(name=_("Roles ({count})").format(count=i18n.number(len(outcome.created_roles))),
                        value=clip(" ".join(f"<@&{i}>" for _name, i in outcome.created_roles), 1024), inline=False)
    if outcome.tags_added:
        embed.add_field(name=_("Forum tags"), value=_names([f"#{f}: {t}" for f, t in outcome.tags_added]),
                        inline=False)
    if outcome.remembered:
        embed.add_field(name=_("Stored by ID"), value=clip(listing([f"`{p}`" for p, _id in outcome.remembered]), 1024),
                        inline=False)
    return fit_embed(embed)


def mod_log_summary(outcome: Outcome, user_id: int) -> str:
    """The moderators' log line after a run, in the current language (the server's: nobody asked for it); mentions
    stay inert: the bot posts without pings."""
    parts = [_("**{command}** by {member}").format(command=command("setup create"), member=f"<@{user_id}>")]
    if outcome.created_channels:
        parts.append(_("channels: {channels}").format(
            channels=" ".join(f"<#{i}>" for _name, i in outcome.created_channels)))
    if outcome.created_roles:
        parts.append(_("roles: {roles}").format(roles=" ".join(f"<@&{i}>" for _name, i in outcome.created_roles)))
    if outcome.tags_added:
        parts.append(_("forum tags: {tags}").format(
            tags=listing([f"#{f} {escape(t)}" for f, t in outcome.tags_added])))
    if outcome.remembered:
        parts.append(_("stored by ID: {keys}").format(keys=listing([f"`{p}`" for p, _id in outcome.remembered])))
    if outcome.failure:
        parts.append(_("stopped: {reason}").format(reason=refusal_text(outcome.failure)))
    return clip("\n".join(parts), MESSAGE)
