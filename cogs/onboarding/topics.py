"""Reading topics that people type in slash commands (`mlops, data engineering`) against the settings' topics."""

from __future__ import annotations

import difflib

from discord import app_commands

from bot.i18n import _
from cogs.communities.vocabulary import TOPICS
from cogs.onboarding.settings import OnboardingSettings, shown

MAX_TOPICS = 10


def _norm(text: str) -> str:
    return " ".join(text.casefold().replace("-", " ").replace("_", " ").split())


def resolve_topic(settings: OnboardingSettings, text: str) -> str | None:
    """A topic key from a key, a label, a word of the shared vocabulary ("LLMs", "dbt"), or a near spelling."""
    wanted = _norm(text)
    if not wanted:
        return None
    names: dict[str, str] = {}
    for option in settings.topics:
        names.setdefault(_norm(option.key), option.key)
        names.setdefault(_norm(option.label), option.key)
        names.setdefault(_norm(shown(option.label)), option.key)  # the label in the member's language
    if wanted in names:
        return names[wanted]
    # The same lookup as every command (cogs/communities/vocabulary.py), for the topics this server offers.
    offered = {option.key for option in settings.topics}
    term = TOPICS.lookup(text, fuzzy=False)
    if term is not None and term.key in offered:
        return term.key
    close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.8)
    if close:
        return names[close[0]]
    term = TOPICS.lookup(text)
    return term.key if term is not None and term.key in offered else None


def parse_topics(settings: OnboardingSettings, text: str) -> tuple[list[str], list[str]]:
    """(topic keys in the settings' order, the pieces that are not topics)."""
    keys, unknown = [], []
    for piece in text.replace(";", ",").split(","):
        if not piece.strip():
            continue
        key = resolve_topic(settings, piece)
        if key is None:
            unknown.append(piece.strip()[:40])
        elif key not in keys:
            keys.append(key)
    order = [option.key for option in settings.topics]
    return sorted(keys, key=order.index), unknown


def topic_label(settings: OnboardingSettings, key: str) -> str:
    return next((shown(option.label) for option in settings.topics if option.key == key), key)


def topic_choices(settings: OnboardingSettings, current: str, *, multi: bool) -> list[app_commands.Choice[str]]:
    """Autocomplete: for a list, keep what is typed before the last comma and complete the last piece."""
    head, _, last = current.rpartition(",") if multi else ("", "", current)
    done = [piece.strip() for piece in head.split(",") if piece.strip()] if multi else []
    needle = _norm(last)
    choices = []
    for option in settings.topics:
        label = shown(option.label)
        if label in done or option.label in done or option.key in done:
            continue
        if needle and all(needle not in _norm(name) for name in (label, option.label, option.key)):
            continue
        value = ", ".join([*done, label]) if multi else option.key
        if len(value) <= 100:
            choices.append(app_commands.Choice(name=value, value=value))
    return choices[:25]


def quoted(text: str, limit: int = 40) -> str:
    """Users' text echoed back as inline code: no markdown, no mention rendering, bounded length."""
    cleaned = " ".join(text.replace("`", "'").split()) or _("(empty)")
    return f"`{cleaned[: limit - 1] + '…' if len(cleaned) > limit else cleaned}`"
