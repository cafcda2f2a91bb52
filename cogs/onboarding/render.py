"""What onboarding shows members: the questions, the summary at the end, the welcome back, profiles and stats."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.discord_helpers import clip, escape, find_channel, jump_url
from bot.formatting import NONE_SHOWN, duration
from bot.settings import Settings
from cogs.communities.api import CommunityPick
from cogs.onboarding.mentors.models import MentorNote
from cogs.onboarding.mentors.render import mentor_profile_text, mentor_summary_text
from cogs.onboarding.models import Answers, FlowContext, OnboardingProfile, OnboardingStats, StartChannels, Step
from cogs.onboarding.rules import progress, region_label, role_labels
from cogs.onboarding.settings import OnboardingSettings

QUESTIONS: dict[Step, tuple[str, str]] = {
    Step.ROLE: ("What do you do?", "Pick the role closest to yours"),
    Step.LEVEL: ("Where are you in your data journey?", "Pick your level"),
    Step.INTERESTS: ("What are you interested in?", "Pick as many topics as you like"),
    Step.REGION: ("Where are you based?", "Pick your region (optional)"),
    Step.TIMEZONE: ("Which time zone are you in?", "Pick your time zone (optional)"),
    Step.MENTOR: ("Would you like a mentor?", ""),
}
HINTS: dict[Step, str] = {
    Step.INTERESTS: "We suggest channels for each topic you pick.",
    Step.REGION: "Helps with meetups near you and with event times. You can skip this.",
    Step.TIMEZONE: "Event times are shown in your time zone. Not in the list? Type it.",
    Step.MENTOR: "A member a few steps ahead who has offered to help, for a few chats. They can say no, and so can "
    "you later (`/mentor end`).",
}
REMINDER_NOTE = "You started onboarding in {server} but didn't finish. Pick up where you left off:"


def step_embed(
    guild: discord.Guild, step: Step, ctx: FlowContext, answers: Answers, *, greeting: bool, note: str | None = None
) -> discord.Embed:
    """The text of one question (with the greeting on the welcome's first question)."""
    number, total = progress(step, ctx, answers)
    lines = []
    if greeting:
        lines.append(clip(ctx.settings.greeting.replace("{server}", guild.name), 1000))
    if note:
        lines.append(f"⚠️ {note}")
    hint = HINTS.get(step)
    if hint:
        lines.append(hint)
    embed = discord.Embed(
        title=QUESTIONS[step][0], description="\n\n".join(lines) or None, colour=discord.Colour.blurple()
    )
    embed.set_author(name=clip(guild.name, 256), icon_url=guild.icon.url if guild.icon else None)
    embed.set_footer(text=f"Question {number} of {total} · change your answers any time with /onboarding start")
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
    text = mentor_summary_text(mentor)
    if text:
        embed.add_field(name="Your mentor", value=text, inline=False)
    if communities:
        lines = []
        for pick in communities[:3]:
            name = f"[{escape(pick.name)}]({pick.url})" if pick.url else f"**{escape(pick.name)}**"
            lines.append(clip(f"{name}: {pick.why}", 330))
        embed.add_field(name="Communities worth joining too", value=clip("\n".join(lines), 1024), inline=False)
    questions = find_channel(guild, config.channels.questions, kinds=("forum", "text"))
    if questions is not None:
        embed.add_field(name="Questions?", value=f"Ask in {channel_link(questions)}: someone will help.", inline=False)
    events = find_channel(guild, config.channels.events, kinds=("text",))
    if events is not None:
        embed.add_field(
            name="Events", value=f"Meetups and talks are announced in {channel_link(events)}.", inline=False
        )
    embed.set_footer(text="Change your answers any time with /onboarding start · /onboarding profile shows them")
    return embed


def welcome_back_embed(
    guild: discord.Guild, settings: OnboardingSettings, answers: Answers, roles: list[str]
) -> discord.Embed:
    """The DM to a member who finished before, left and came back."""
    role, level, topics = role_labels(settings, answers)
    lines = [f"Good to see you again! I kept your answers: {' · '.join(p for p in (role, level) if p) or 'none'}."]
    if topics:
        lines.append(f"Interested in {', '.join(topics)}.")
    if roles:
        lines.append(f"Your roles are back: {', '.join(escape(r) for r in roles)}.")
    lines.append("Anything changed? Press the button, or use `/onboarding start` in the server.")
    return discord.Embed(
        title=f"Welcome back to {clip(guild.name, 200)}", description="\n".join(lines), colour=discord.Colour.green()
    )


def fallback_greeting(members: list[discord.Member]) -> str:
    """The welcome-channel post for members whose DMs are closed."""
    mentions = ", ".join(member.mention for member in members)
    return clip(
        f"Welcome {mentions}! I couldn't send you a direct message, so let's do it here: press "
        "**Start onboarding** to pick (or review) your role and interests; only you see the questions.",
        2000,
    )


def profile_embed(
    target: discord.abc.User, settings: OnboardingSettings, profile: OnboardingProfile, mentor: MentorNote | None
) -> discord.Embed:
    """/onboarding profile: a member's answers and mentor."""
    answers = profile.answers
    role, level, topics = role_labels(settings, answers)
    embed = discord.Embed(
        title=f"Profile of {clip(escape(target.display_name), 200)}", colour=discord.Colour.blurple()
    )
    embed.add_field(name="Role", value=role or NONE_SHOWN)
    embed.add_field(name="Level", value=level or NONE_SHOWN)
    embed.add_field(name="Region", value=region_label(settings, answers) or NONE_SHOWN)
    embed.add_field(name="Interests", value=clip(", ".join(topics), 1024) or NONE_SHOWN, inline=False)
    if answers.timezone:
        embed.add_field(name="Time zone", value=answers.timezone)
    status = "finished" if profile.status == "finished" else "started, not finished"
    embed.set_footer(text=f"Onboarding {status} · change it with /onboarding start")
    if mentor is not None:
        embed.add_field(name="Mentor", value=mentor_profile_text(mentor), inline=False)
    return embed


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
    period = f"the last {days} days" if days else "all time"
    embed = discord.Embed(title=f"Onboarding, {period}", colour=discord.Colour.blurple())
    rate = f" ({stats.finish_rate:.0%})" if stats.finish_rate is not None else ""
    embed.add_field(
        name="Joined", value=f"{stats.joined:,}" + (f" ({stats.rejoined} rejoined)" if stats.rejoined else "")
    )
    embed.add_field(name="Welcome DMs", value=f"{stats.welcomed:,}")
    embed.add_field(name="DMs closed", value=f"{stats.dm_closed:,}")
    embed.add_field(name="Started", value=f"{stats.started:,}")
    embed.add_field(name="Finished", value=f"{stats.finished:,}{rate}")
    embed.add_field(name="Median time to finish", value=duration(stats.median_seconds_to_finish))
    embed.add_field(name="Mentors matched", value=f"{stats.mentors_matched:,}")
    embed.add_field(name="Active mentors", value=f"{active_mentors:,}")
    embed.add_field(name="Waiting for a mentor", value=f"{requests_waiting:,}")
    labels = {o.key: o.label for o in settings.roles}
    lines = [
        f"{escape(labels.get(line.role or '', line.role or 'not answered yet'))}: {line.started} started, "
        f"{line.finished} finished"
        for line in stats.per_role[:20]
    ]
    embed.add_field(name="Per role", value=clip("\n".join(lines), 1024) or "nobody yet", inline=False)
    embed.set_footer(text=f"Welcomes queued right now: {queued}")
    return embed
