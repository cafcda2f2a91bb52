"""Slash-command option helpers: autocomplete over the vocabulary and turning add/suggest options into an entry."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from discord import app_commands

from cogs.communities.models import CommunityEntry, EntryError, build_entry
from cogs.communities.vocabulary import LEVELS, ROLES, Vocabulary

MAX_CHOICES = 25
CHOICE_TEXT = 100

# Which slash option a model field came from, for error messages the member can act on.
_OPTION_FOR_FIELD = {
    "name": "name",
    "website": "website",
    "join.url": "join_url",
    "join.platform": "platform",
    "join.access": "access",
    "join": "join_url",
    "description": "description",
    "topics": "topics",
    "roles": "roles",
    "regions": "region",
    "languages": "language",
    "levels": "beginner_friendly",
    "cost": "cost",
}


def single_choices(vocabulary: Vocabulary, current: str) -> list[app_commands.Choice[str]]:
    """Terms matching what is typed so far, shown by label, sent as key."""
    return [app_commands.Choice(name=t.label, value=t.key) for t in vocabulary.search(current, MAX_CHOICES)]


def multi_choices(vocabulary: Vocabulary, current: str) -> list[app_commands.Choice[str]]:
    """Completion of the last item of a comma-separated list, keeping what was typed before it."""
    *done, last = current.split(",") if current else [""]
    kept = [part.strip() for part in done if part.strip()]
    chosen = {term.key for part in kept if (term := vocabulary.resolve(part))}
    prefix = ", ".join(kept)
    choices = []
    for term in vocabulary.search(last.strip(), len(vocabulary)):
        if term.key in chosen:
            continue
        shown = f"{prefix}, {term.label}" if prefix else term.label
        value = f"{prefix}, {term.key}" if prefix else term.key
        if len(shown) <= CHOICE_TEXT and len(value) <= CHOICE_TEXT:
            choices.append(app_commands.Choice(name=shown, value=value))
        if len(choices) == MAX_CHOICES:
            break
    if not choices and current.strip():
        # Free text the vocabulary does not know: offer it back as typed, so it can still be sent.
        choices.append(app_commands.Choice(name=current.strip()[:CHOICE_TEXT], value=current.strip()[:CHOICE_TEXT]))
    return choices


def split_list(text: str | None) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]+", text or "") if part.strip()]


def entry_from_options(
    *,
    name: str,
    join_url: str,
    platform: str,
    description: str,
    topics: str,
    roles: str | None,
    region: str | None,
    beginner_friendly: bool,
    access: str,
    cost: str,
    website: str | None,
    language: str | None,
    today: date,
) -> CommunityEntry:
    """A server's own entry from the add/suggest options; EntryError names the options at fault."""
    data: dict[str, Any] = {
        "key": "pending",  # the store gives it a key from the name
        "name": name,
        "website": website or join_url,
        "join": {"platform": platform, "url": join_url, "access": access},
        "description": description,
        "topics": split_list(topics),
        "roles": split_list(roles) or list(ROLES.keys),
        "regions": split_list(region) or ["global"],
        "languages": [language.strip().lower()] if language else ["en"],
        "levels": list(LEVELS.keys) if beginner_friendly else ["early-career", "experienced"],
        "cost": cost,
        "last_checked": today,
    }
    try:
        return build_entry(data)
    except EntryError as error:
        problems = [(option_for(field), problem) for field, problem in error.problems]
        raise EntryError(problems) from None


def option_for(field: str) -> str:
    """'topics[2]' -> 'topics', 'join.url' -> 'join_url'."""
    base = re.sub(r"\[\d+\]", "", field)
    return _OPTION_FOR_FIELD.get(base, _OPTION_FOR_FIELD.get(base.split(".")[0], base))
