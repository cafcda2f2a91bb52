"""What mentoring shows members: the request to a mentor, the mentor list, replies and the mentor in a summary."""

from __future__ import annotations

import discord

from bot import i18n
from bot.discord_helpers import clip, escape
from bot.formatting import timestamp
from bot.i18n import N_, _, ngettext
from cogs.onboarding.mentors.models import AnswerOutcome, Mentor, MentorNote, MentorStatus, Offer
from cogs.onboarding.settings import OnboardingSettings, shown
from cogs.onboarding.topics import quoted, topic_label

MENTOR_COLOUR = discord.Colour.gold()


def topic_labels(settings: OnboardingSettings, keys: tuple[str, ...] | list[str]) -> str:
    return i18n.join([topic_label(settings, key) for key in keys])


def offer_embed(
    guild_name: str, offer: Offer, mentee: str, about: str | None, settings: OnboardingSettings
) -> discord.Embed:
    """The DM asking a mentor to take a mentee; `about` is the mentee's role, level and time zone when known."""
    lines = [
        _("{mentee} would like a mentor for **{topics}**.").format(
            mentee=mentee, topics=topic_labels(settings, offer.topics)
        )
    ]
    if about:
        lines.append(_("They are: {about}").format(about=about))
    lines.append(
        _("Please answer {deadline}; after that I ask the next mentor.").format(
            deadline=timestamp(offer.due_at, "R")
        )
    )
    return discord.Embed(
        title=_("Mentoring request in {server}").format(server=clip(guild_name, 200)),
        description="\n".join(lines),
        colour=MENTOR_COLOUR,
    )


def mentee_about(settings: OnboardingSettings, role: str | None, level: str | None, timezone: str | None) -> str | None:
    """"Data engineer · Early career (Europe/Berlin)" for the request to a mentor; None before any answer."""
    if not role:
        return None
    labels = {o.key: shown(o.label) for o in (*settings.roles, *settings.levels)}
    about = " · ".join(labels.get(k, k) for k in (role, level) if k)
    return about + (f" ({timezone})" if timezone else "")


def mentor_list_text(mentors: list[Mentor], settings: OnboardingSettings, shown_count: int = 20) -> str:
    """The /mentor list body: who, which topics, free places, and their bio (users' text: escaped, clipped)."""
    lines = []
    for m in mentors[:shown_count]:
        if m.status is MentorStatus.PAUSED:
            line = _("{mentor}: {topics} (paused)").format(
                mentor=f"<@{m.user_id}>", topics=topic_labels(settings, m.topics)
            )
        else:
            line = ngettext(
                "{mentor}: {topics} ({free} of {capacity} place free)",
                "{mentor}: {topics} ({free} of {capacity} places free)",
                m.capacity,
            ).format(
                mentor=f"<@{m.user_id}>",
                topics=topic_labels(settings, m.topics),
                free=i18n.number(m.free),
                capacity=i18n.number(m.capacity),
            )
        if m.bio:
            line += f"\n> {escape(clip(' '.join(m.bio.split()), 200))}"
        lines.append(line)
    if len(mentors) > shown_count:
        more = len(mentors) - shown_count
        lines.append(
            ngettext(
                "…and {count} more; narrow it down with `topic`.",
                "…and {count} more; narrow it down with `topic`.",
                more,
            ).format(count=i18n.number(more))
        )
    return clip("\n".join(lines), 4096)


def mentor_list_embed(mentors: list[Mentor], settings: OnboardingSettings, topic: str | None) -> discord.Embed:
    title = _("Mentors for {topic}").format(topic=topic_label(settings, topic)) if topic else _("Mentors")
    embed = discord.Embed(title=title, description=mentor_list_text(mentors, settings), colour=MENTOR_COLOUR)
    embed.set_footer(text=_("Ask for one with /mentor request"))
    return embed


def no_mentors_text(settings: OnboardingSettings, topic: str | None) -> str:
    if topic:
        return _("No mentors yet for {topic}. Experienced members can offer help with `/mentor join`.").format(
            topic=topic_label(settings, topic)
        )
    return _("No mentors yet. Experienced members can offer help with `/mentor join`.")


def unknown_topics_text(unknown: list[str], settings: OnboardingSettings) -> str:
    """Why /mentor join refused the topics, listing what is offered."""
    pieces = i18n.join([quoted(u) for u in unknown[:10]]) or _("(none)")
    known = i18n.join([shown(o.label) for o in settings.topics])
    return clip(_("Not a topic here: {pieces}. Pick from: {known}.").format(pieces=pieces, known=known), 2000)


def joined_text(mentor: Mentor, settings: OnboardingSettings) -> str:
    mentees = ngettext("{count} mentee", "{count} mentees", mentor.capacity).format(
        count=i18n.number(mentor.capacity)
    )
    return ngettext(
        "Thank you! You mentor **{topics}**, up to {mentees} at once. I'll DM you with Accept / Decline when someone"
        " asks; you have {hours} hour to answer.",
        "Thank you! You mentor **{topics}**, up to {mentees} at once. I'll DM you with Accept / Decline when someone"
        " asks; you have {hours} hours to answer.",
        settings.mentor_answer_hours,
    ).format(
        topics=topic_labels(settings, mentor.topics),
        mentees=mentees,
        hours=i18n.number(settings.mentor_answer_hours),
    )


def request_reply(note: MentorNote, offer: Offer | None) -> str:
    """The answer to /mentor request."""
    if note.state == "matched":
        return _("You already have a mentor: {mentor}. End it with `/mentor end` to ask for another.").format(
            mentor=f"<@{note.mentor_id}>"
        )
    if note.state == "asked" and offer is None:
        return _("Your request is open: I asked {mentor} and I'm waiting for their answer.").format(
            mentor=f"<@{note.mentor_id}>"
        )
    if note.state == "asked":
        return ngettext(
            "I asked {mentor} to mentor you. You'll get a DM when they answer (within {hours} hour, or I ask the"
            " next mentor).",
            "I asked {mentor} to mentor you. You'll get a DM when they answer (within {hours} hours, or I ask the"
            " next mentor).",
            note.hours,
        ).format(mentor=f"<@{note.mentor_id}>", hours=i18n.number(note.hours))
    return _(
        "No mentor has a free place for that right now. Your request is saved and I'll DM you as soon "
        "as one does. See who mentors what with `/mentor list`."
    )


def answer_reply(outcome: AnswerOutcome, mentee_id: int) -> str:
    """What replaces the Accept / Decline message once the mentor answered."""
    if outcome is AnswerOutcome.ACCEPTED:
        return _("You're now mentoring {mentee}. Send them a DM to say hi!").format(mentee=f"<@{mentee_id}>")
    if outcome is AnswerOutcome.FULL:
        return _("You have no free place left, so I'll ask another mentor. Raise it with `/mentor join`.")
    return _("Declined. Thanks for answering; I'll ask another mentor.")


# Why the mentor asked will not mentor the member (moved_on_text).
DECLINED, TIMED_OUT, UNREACHABLE = "declined", "timed out", "unreachable"


def moved_on_text(why: str, next_mentor_id: int | None) -> str:
    """To the mentee, when the mentor asked will not mentor them: who is asked now, or that the request waits."""
    if next_mentor_id is not None:
        mentor = f"<@{next_mentor_id}>"
        if why == DECLINED:
            return _("The mentor I asked can't take a mentee right now, so I asked another one: {mentor}.").format(
                mentor=mentor
            )
        if why == TIMED_OUT:
            return _("The mentor I asked didn't answer in time, so I asked another one: {mentor}.").format(
                mentor=mentor
            )
        return _("The mentor I asked couldn't be reached, so I asked another one: {mentor}.").format(mentor=mentor)
    if why == DECLINED:
        return _(
            "The mentor I asked can't take a mentee right now, and no other mentor has a free place for your topics "
            "right now. Your request stays open; I'll message you when one does."
        )
    if why == TIMED_OUT:
        return _(
            "The mentor I asked didn't answer in time, and no other mentor has a free place for your topics "
            "right now. Your request stays open; I'll message you when one does."
        )
    return _(
        "The mentor I asked couldn't be reached, and no other mentor has a free place for your topics "
        "right now. Your request stays open; I'll message you when one does."
    )


def asked_text(mentor_id: int) -> str:
    """To a waiting mentee, when a place opened and a mentor was asked."""
    return _("I found a mentor with a free place and asked them: {mentor}.").format(mentor=f"<@{mentor_id}>")


def accepted_text(mentor_id: int) -> str:
    return _("{mentor} accepted to be your mentor! Send them a DM to say hi.").format(mentor=f"<@{mentor_id}>")


def ended_text(by_mentor: bool, mentor_id: int, mentee_id: int) -> str:
    """To the other person of a mentorship that ended."""
    if by_mentor:
        return _(
            "Your mentorship with {mentor} has ended. Ask for another mentor any time with `/mentor request`."
        ).format(mentor=f"<@{mentor_id}>")
    return _("{mentee} ended the mentorship. Thanks for your time!").format(mentee=f"<@{mentee_id}>")


def mentor_gone_text() -> str:
    """To a mentee whose mentor asked the bot to forget them (the mentor is not named: that is what they asked)."""
    return _(
        "Your mentorship has ended: your mentor is no longer part of mentoring here. Ask for another mentor any time"
        " with `/mentor request`."
    )


def mentee_gone_text() -> str:
    """To a mentor whose mentee asked the bot to forget them."""
    return _("One of your mentees is no longer part of mentoring here, so that place is free again. Thanks!")


OFFER_WITHDRAWN_TEXT = N_("This request was withdrawn: the member is no longer part of mentoring here.")
OFFER_EXPIRED_TEXT = N_("This request expired, so I asked another mentor. No problem!")


def mentor_summary_text(note: MentorNote | None) -> str | None:
    """The mentor in the summary at the end of onboarding."""
    if note is None:
        return None
    if note.state == "matched":
        return _("{mentor} is your mentor. Say hi in a DM!").format(mentor=f"<@{note.mentor_id}>")
    if note.state == "asked":
        return ngettext(
            "I asked {mentor} to mentor you. You'll get a message when they answer "
            "(they have {hours} hour; otherwise I ask the next mentor).",
            "I asked {mentor} to mentor you. You'll get a message when they answer "
            "(they have {hours} hours; otherwise I ask the next mentor).",
            note.hours,
        ).format(mentor=f"<@{note.mentor_id}>", hours=i18n.number(note.hours))
    return _(
        "No mentor has a free place for your interests right now. Your request is saved and I'll message you "
        "as soon as one does."
    )


def mentor_profile_text(note: MentorNote) -> str:
    """The mentor in /onboarding profile."""
    if note.state == "matched":
        return f"<@{note.mentor_id}>"
    if note.state == "asked":
        return _("asked {mentor}, waiting for an answer").format(mentor=f"<@{note.mentor_id}>")
    return _("requested; waiting for a mentor with a free place")
