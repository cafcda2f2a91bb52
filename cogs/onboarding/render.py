"""What onboarding shows members: the questions, the summary at the end, the welcome back, profiles and stats."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot import i18n
from bot.discord_helpers import clip, escape, find_channel, jump_url
from bot.formatting import NONE_SHOWN, duration
from bot.i18n import N_, _, ngettext
from bot.settings import Settings
from cogs.communities.api import CommunityPick
from cogs.onboarding.mentors.models import MentorNote
from cogs.onboarding.mentors.render import mentor_profile_text, mentor_summary_text
from cogs.onboarding.models import Answers, FlowContext, OnboardingProfile, OnboardingStats, StartChannels, Step
from cogs.onboarding.rules import progress, region_label, role_labels
from cogs.onboarding.settings import DEFAULT_GREETING, OnboardingSettings, shown

# Kept untranslated (N_) and translated where shown, in the language of the message being written.
QUESTIONS: dict[Step, tuple[str, str]] = {
    Step.ROLE: (N_("What do you do?"), N_("Pick the role closest to yours")),
    Step.LEVEL: (N_("Where are you in your data journey?"), N_("Pick your level")),
    Step.INTERESTS: (N_("What are you interested in?"), N_("Pick as many topics as you like")),
    Step.REGION: (N_("Where are you based?"), N_("Pick your region (optional)")),
    Step.TIMEZONE: (N_("Which time zone are you in?"), N_("Pick your time zone (optional)")),
    Step.MENTOR: (N_("Would you like a mentor?"), ""),
}
HINTS: dict[Step, str] = {
    Step.INTERESTS: N_("We suggest channels for each topic you pick."),
    Step.REGION: N_("Helps with meetups near you and with event times. You can skip this."),
    Step.TIMEZONE: N_("Event times are shown in your time zone. Not in the list? Type it."),
    Step.MENTOR: N_(
        "A member a few steps ahead who has offered to help, for a few chats. They can say no, and so can "
        "you later (`/mentor end`)."
    ),
}
REMINDER_NOTE = N_("You started onboarding in {server} but didn't finish. Pick up where you left off:")


def question(step: Step) -> str:
    return _(QUESTIONS[step][0])


def placeholder(step: Step) -> str:
    return shown(QUESTIONS[step][1])


def greeting_text(settings: OnboardingSettings, server: str) -> str:
    """The welcome's first line: the default one in the current language, a server's own as it wrote it."""
    text = _(DEFAULT_GREETING) if settings.greeting == DEFAULT_GREETING else settings.greeting
    return text.replace("{server}", server)


def step_embed(
    guild: discord.Guild, step: Step, ctx: FlowContext, answers: Answers, *, greeting: bool, note: str | None = None
) -> discord.Embed:
    """The text of one question (with the greeting on the welcome's first question)."""
    number, total = progress(step, ctx, answers)
    lines = []
    if greeting:
        lines.append(clip(greeting_text(ctx.settings, guild.name), 1000))
    if note:
        lines.append(f"⚠️ {note}")
    hint = HINTS.get(step)
    if hint:
        lines.append(_(hint))
    embed = discord.Embed(title=question(step), description="\n\n".join(lines) or None, colour=discord.Colour.blurple())
    embed.set_author(name=clip(guild.name, 256), icon_url=guild.icon.url if guild.icon else None)
    embed.set_footer(
        text=_("Question {number} of {total} · change your answers any time with /onboarding start").format(
            number=i18n.number(number), total=i18n.number(total)
        )
    )
    return embed


def channel_link(channel: discord.abc.GuildChannel) -> str:
    """A channel as a link that works in a DM too (a bare <#id> may show as #unknown there)."""
    return f"[#{escape(channel.name)}]({jump_url(channel.guild.id, channel.id)})"


def summary_embed(
    guild: discord.Guild,
    config: Settings,
    answers: Answers,
    channels: StartChannels,
    given_roles: list[str],
    mentor: MentorNote | None,
    communities: Sequence[CommunityPick],
) -> discord.Embed:
    """The summary shown when every question is answered."""
    role, level, topics = role_labels(config.section(OnboardingSettings), answers)
    about = " · ".join(p for p in (role, level) if p)
    if topics:
        about += "\n" + _("Interested in {topics}").format(topics=i18n.join(topics))
    embed = discord.Embed(
        title=_("You're all set in {server}!").format(server=clip(guild.name, 200)),
        description=clip(about, 4000),
        colour=discord.Colour.green(),
    )
    if channels.found:
        embed.add_field(
            name=_("Start here"), value=clip(" · ".join(channel_link(c) for c in channels.found), 1024), inline=False
        )
    if given_roles:
        embed.add_field(
            name=_("Your roles"), value=clip(i18n.join([escape(r) for r in given_roles]), 1024), inline=False
        )
    text = mentor_summary_text(mentor)
    if text:
        embed.add_field(name=_("Your mentor"), value=text, inline=False)
    if communities:
        lines = []
        for pick in communities[:3]:
            name = f"[{escape(pick.name)}]({pick.url})" if pick.url else f"**{escape(pick.name)}**"
            lines.append(clip(f"{name}: {pick.why}", 330))
        embed.add_field(name=_("Communities worth joining too"), value=clip("\n".join(lines), 1024), inline=False)
    questions = find_channel(guild, config.channels.questions, kinds=("forum", "text"))
    if questions is not None:
        embed.add_field(
            name=_("Questions?"),
            value=_("Ask in {channel}: someone will help.").format(channel=channel_link(questions)),
            inline=False,
        )
    events = find_channel(guild, config.channels.events, kinds=("text",))
    if events is not None:
        embed.add_field(
            name=_("Events"),
            value=_("Meetups and talks are announced in {channel}.").format(channel=channel_link(events)),
            inline=False,
        )
    embed.set_footer(text=_("Change your answers any time with /onboarding start · /onboarding profile shows them"))
    return embed


def welcome_back_embed(
    guild: discord.Guild, settings: OnboardingSettings, answers: Answers, roles: list[str]
) -> discord.Embed:
    """The DM to a member who finished before, left and came back."""
    role, level, topics = role_labels(settings, answers)
    kept = " · ".join(p for p in (role, level) if p) or _("none")
    lines = [_("Good to see you again! I kept your answers: {answers}.").format(answers=kept)]
    if topics:
        lines.append(_("Interested in {topics}.").format(topics=i18n.join(topics)))
    if roles:
        lines.append(_("Your roles are back: {roles}.").format(roles=i18n.join([escape(r) for r in roles])))
    lines.append(_("Anything changed? Press the button, or use `/onboarding start` in the server."))
    return discord.Embed(
        title=_("Welcome back to {server}").format(server=clip(guild.name, 200)),
        description="\n".join(lines),
        colour=discord.Colour.green(),
    )


def fallback_greeting(members: list[discord.Member]) -> str:
    """The welcome-channel post for members whose DMs are closed."""
    mentions = i18n.join([member.mention for member in members])
    return clip(
        _(
            "Welcome {mentions}! I couldn't send you a direct message, so let's do it here: press "
            "**Start onboarding** to pick (or review) your role and interests; only you see the questions."
        ).format(mentions=mentions),
        2000,
    )


def profile_embed(
    target: discord.abc.User, settings: OnboardingSettings, profile: OnboardingProfile, mentor: MentorNote | None
) -> discord.Embed:
    """/onboarding profile: a member's answers and mentor."""
    answers = profile.answers
    role, level, topics = role_labels(settings, answers)
    embed = discord.Embed(
        title=_("Profile of {member}").format(member=clip(escape(target.display_name), 200)),
        colour=discord.Colour.blurple(),
    )
    embed.add_field(name=_("Role"), value=role or NONE_SHOWN)
    embed.add_field(name=_("Level"), value=level or NONE_SHOWN)
    embed.add_field(name=_("Region"), value=region_label(settings, answers) or NONE_SHOWN)
    embed.add_field(name=_("Interests"), value=clip(i18n.join(topics), 1024) or NONE_SHOWN, inline=False)
    if answers.timezone:
        embed.add_field(name=_("Time zone"), value=answers.timezone)
    if profile.status == "finished":
        footer = _("Onboarding finished · change it with /onboarding start")
    else:
        footer = _("Onboarding started, not finished · change it with /onboarding start")
    embed.set_footer(text=footer)
    if mentor is not None:
        embed.add_field(name=_("Mentor"), value=mentor_profile_text(mentor), inline=False)
    return embed


def _duration(seconds: float | None) -> str:
    """English keeps its short units ("3 h 5 min"); other languages get theirs written out by Babel."""
    if seconds is None or i18n.current() in (i18n.DEFAULT, i18n.PSEUDO):
        return duration(seconds)
    return i18n.duration(seconds)


def stats_embed(
    stats: OnboardingStats,
    days: int,
    settings: OnboardingSettings,
    *,
    active_mentors: int,
    requests_waiting: int,
    queued: int,
) -> discord.Embed:
    """/onboarding stats for moderators."""
    if days:
        title = ngettext("Onboarding, the last {days} day", "Onboarding, the last {days} days", days).format(
            days=i18n.number(days)
        )
    else:
        title = _("Onboarding, all time")
    embed = discord.Embed(title=title, colour=discord.Colour.blurple())
    number = i18n.number
    joined = number(stats.joined)
    if stats.rejoined:
        joined = _("{joined} ({rejoined} rejoined)").format(joined=joined, rejoined=number(stats.rejoined))
    embed.add_field(name=_("Joined"), value=joined)
    embed.add_field(name=_("Welcome DMs"), value=number(stats.welcomed))
    embed.add_field(name=_("DMs closed"), value=number(stats.dm_closed))
    embed.add_field(name=_("Started"), value=number(stats.started))
    finished = number(stats.finished)
    if stats.finish_rate is not None:
        finished = f"{finished} ({i18n.percent(stats.finish_rate)})"
    embed.add_field(name=_("Finished"), value=finished)
    median = stats.median_seconds_to_finish
    embed.add_field(
        name=_("Median time to finish"), value=_duration(median)
    )
    embed.add_field(name=_("Mentors matched"), value=number(stats.mentors_matched))
    embed.add_field(name=_("Active mentors"), value=number(active_mentors))
    embed.add_field(name=_("Waiting for a mentor"), value=number(requests_waiting))
    labels = {o.key: shown(o.label) for o in settings.roles}
    lines = [
        _("{role}: {started} started, {finished} finished").format(
            role=escape(labels.get(line.role or "", line.role or _("not answered yet"))),
            started=number(line.started),
            finished=number(line.finished),
        )
        for line in stats.per_role[:20]
    ]
    embed.add_field(name=_("Per role"), value=clip("\n".join(lines), 1024) or _("nobody yet"), inline=False)
    embed.set_footer(text=_("Welcomes queued right now: {queued}").format(queued=number(queued)))
    return embed
