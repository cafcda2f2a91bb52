"""What mentoring shows members: the request to a mentor, the mentor list, replies and the mentor in a summary."""

from __future__ import annotations

import discord

from bot.discord_helpers import clip, escape
from bot.formatting import plural, timestamp
from cogs.onboarding.mentors.models import AnswerOutcome, Mentor, MentorNote, MentorStatus, Offer
from cogs.onboarding.settings import OnboardingSettings
from cogs.onboarding.topics import quoted, topic_label

MENTOR_COLOUR = discord.Colour.gold()


def topic_labels(settings: OnboardingSettings, keys: tuple[str, ...] | list[str]) -> str:
    return ", ".join(topic_label(settings, key) for key in keys)


def offer_embed(
    guild_name: str, offer: Offer, mentee: str, about: str | None, settings: OnboardingSettings
) -> discord.Embed:
    """The DM asking a mentor to take a mentee; `about` is the mentee's role, level and time zone when known."""
    lines = [f"{mentee} would like a mentor for **{topic_labels(settings, offer.topics)}**."]
    if about:
        lines.append(f"They are: {about}")
    lines.append(f"Please answer {timestamp(offer.due_at, 'R')}; after that I ask the next mentor.")
    return discord.Embed(
        title=f"Mentoring request in {clip(guild_name, 200)}", description="\n".join(lines), colour=MENTOR_COLOUR
    )


def mentee_about(settings: OnboardingSettings, role: str | None, level: str | None, timezone: str | None) -> str | None:
    """"Data engineer · Early career (Europe/Berlin)" for the request to a mentor; None before any answer."""
    if not role:
        return None
    labels = {o.key: o.label for o in (*settings.roles, *settings.levels)}
    about = " · ".join(labels.get(k, k) for k in (role, level) if k)
    return about + (f" ({timezone})" if timezone else "")


def mentor_list_text(mentors: list[Mentor], settings: OnboardingSettings, shown: int = 20) -> str:
    """The /mentor list body: who, which topics, free places, and their bio (users' text: escaped, clipped)."""
    lines = []
    for m in mentors[:shown]:
        state = "paused" if m.status is MentorStatus.PAUSED else f"{m.free} of {plural(m.capacity, 'place')} free"
        line = f"<@{m.user_id}>: {topic_labels(settings, m.topics)} ({state})"
        if m.bio:
            line += f"\n> {escape(clip(' '.join(m.bio.split()), 200))}"
        lines.append(line)
    if len(mentors) > shown:
        lines.append(f"…and {len(mentors) - shown} more; narrow it down with `topic`.")
    return clip("\n".join(lines), 4096)


def mentor_list_embed(mentors: list[Mentor], settings: OnboardingSettings, topic: str | None) -> discord.Embed:
    title = "Mentors" + (f" for {topic_label(settings, topic)}" if topic else "")
    embed = discord.Embed(title=title, description=mentor_list_text(mentors, settings), colour=MENTOR_COLOUR)
    embed.set_footer(text="Ask for one with /mentor request")
    return embed


def no_mentors_text(settings: OnboardingSettings, topic: str | None) -> str:
    return (
        "No mentors yet"
        + (f" for {topic_label(settings, topic)}" if topic else "")
        + ". Experienced members can offer help with `/mentor join`."
    )


def unknown_topics_text(unknown: list[str], settings: OnboardingSettings) -> str:
    """Why /mentor join refused the topics, listing what is offered."""
    shown = ", ".join(quoted(u) for u in unknown[:10]) or "(none)"
    known = ", ".join(o.label for o in settings.topics)
    return clip(f"Not a topic here: {shown}. Pick from: {known}.", 2000)


def joined_text(mentor: Mentor, settings: OnboardingSettings) -> str:
    return (
        f"Thank you! You mentor **{topic_labels(settings, mentor.topics)}**, up to "
        f"{plural(mentor.capacity, 'mentee')} at once. I'll DM you with Accept / Decline when someone asks; you have "
        f"{settings.mentor_answer_hours} hours to answer."
    )


def request_reply(note: MentorNote, offer: Offer | None) -> str:
    """The answer to /mentor request."""
    if note.state == "matched":
        return f"You already have a mentor: <@{note.mentor_id}>. End it with `/mentor end` to ask for another."
    if note.state == "asked" and offer is None:
        return f"Your request is open: I asked <@{note.mentor_id}> and I'm waiting for their answer."
    if note.state == "asked":
        return (
            f"I asked <@{note.mentor_id}> to mentor you. You'll get a DM when they answer (within "
            f"{note.hours} hours, or I ask the next mentor)."
        )
    return (
        "No mentor has a free place for that right now. Your request is saved and I'll DM you as soon "
        "as one does. See who mentors what with `/mentor list`."
    )


def answer_reply(outcome: AnswerOutcome, mentee_id: int) -> str:
    """What replaces the Accept / Decline message once the mentor answered."""
    if outcome is AnswerOutcome.ACCEPTED:
        return f"You're now mentoring <@{mentee_id}>. Send them a DM to say hi!"
    if outcome is AnswerOutcome.FULL:
        return "You have no free place left, so I'll ask another mentor. Raise it with `/mentor join`."
    return "Declined. Thanks for answering; I'll ask another mentor."


def moved_on_text(what: str, next_mentor_id: int | None) -> str:
    """To the mentee, when the mentor asked will not mentor them: who is asked now, or that the request waits."""
    if next_mentor_id is not None:
        return f"The mentor I asked {what}, so I asked another one: <@{next_mentor_id}>."
    return (
        f"The mentor I asked {what}, and no other mentor has a free place for your topics "
        "right now. Your request stays open; I'll message you when one does."
    )


def ended_text(by_mentor: bool, mentor_id: int, mentee_id: int) -> str:
    """To the other person of a mentorship that ended."""
    if by_mentor:
        return (
            f"Your mentorship with <@{mentor_id}> has ended. Ask for another mentor any time with `/mentor request`."
        )
    return f"<@{mentee_id}> ended the mentorship. Thanks for your time!"


def mentor_gone_text() -> str:
    """To a mentee whose mentor asked the bot to forget them (the mentor is not named: that is what they asked)."""
    return (
        "Your mentorship has ended: your mentor is no longer part of mentoring here. Ask for another mentor any time"
        " with `/mentor request`."
    )


def mentee_gone_text() -> str:
    """To a mentor whose mentee asked the bot to forget them."""
    return "One of your mentees is no longer part of mentoring here, so that place is free again. Thanks!"


OFFER_WITHDRAWN_TEXT = "This request was withdrawn: the member is no longer part of mentoring here."


def mentor_summary_text(note: MentorNote | None) -> str | None:
    """The mentor in the summary at the end of onboarding."""
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


def mentor_profile_text(note: MentorNote) -> str:
    """The mentor in /onboarding profile."""
    return {
        "matched": f"<@{note.mentor_id}>",
        "asked": f"asked <@{note.mentor_id}>, waiting for an answer",
        "waiting": "requested; waiting for a mentor with a free place",
    }[note.state]
