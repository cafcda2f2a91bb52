"""Words setup shares between its rules and what it renders, in the language of the message being written.

Commands are named as the member sees them in their Discord (the command names are translated too), channel kinds
and permissions as Discord's client names them. The reasons the bot asks for each permission (bot/invite.py) are
also marked here, so /setup check shows them translated.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot import i18n
from bot.discord_helpers import channel_phrase, permission_name
from bot.i18n import N_, _

# How /setup create makes a channel, in brackets after it: "(forum)".
KINDS: dict[str, str] = {
    "text": N_("text"),
    "forum": N_("forum"),
    "category": N_("category"),
    "voice": N_("voice"),
}
OTHER_KIND = N_("a channel of another kind")

# bot/invite.py's reasons for each permission, as /setup check shows them (marked here: invite.py is read at the
# terminal too, where they stay English).
REASONS = (
    N_("see the configured channels, the Q&A forum and their threads"),
    N_("welcomes, event announcements and reminders, the moderators' log"),
    N_("nudges and notes in Q&A threads"),
    N_("a thread for each question asked with /ask"),
    N_("tag solved Q&A posts and archive quiet ones"),
    N_("add the Solved tag to the Q&A forum when it is missing"),
    N_("the embeds of /about, /communities and events"),
    N_("the calendar file of /event export (.ics)"),
    N_("catch up on Q&A threads after a restart"),
    N_("only to ping a role an organiser or moderator picks"),
    N_("give onboarding roles (keep the bot's role above the roles it gives)"),
    N_("keep Discord's scheduled events in step with /event edit and cancel"),
    N_("create Discord's own scheduled event for each meetup"),
)


def command(path: str) -> str:
    """"/setup create" with each part named as the member's Discord shows it (the translated command names)."""
    language = i18n.current()
    return "/" + " ".join(i18n.translate(part, language, i18n.NAME_CONTEXT) for part in path.split())


def code(path: str) -> str:
    """The command in backticks, for a sentence: "`/setup create`"."""
    return f"`{command(path)}`"


def kind(name: str) -> str:
    """"forum", as /setup create makes it."""
    known = KINDS.get(name)
    return _(known) if known else name


def kind_phrase(name: str) -> str:
    """"a forum channel", in a sentence."""
    return _(OTHER_KIND) if name == "other" else channel_phrase(name)


def permission(flag: str) -> str:
    return permission_name(flag)


def listing(items: Sequence[str]) -> str:
    """Items one after another ("a, b, c"; "a、b、c" in Chinese), without "and": for names and mentions."""
    return _(", ").join(items)
