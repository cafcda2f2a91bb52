"""Words setup shares between its rules and what it renders, in the language of the message being written.

Commands are named as the member sees them in their Discord (the command names are translated too), channel kinds
and permissions as Discord's client names them.
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
