"""Test helpers: valid entries with any field overridden; running /communities on the loopback."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.client import CommunityBot
from bot.settings import Settings, settings_model
from cogs.communities.cog import CommunitiesCog
from cogs.communities.models import CommunityEntry, build_entry
from loopback import LoopbackDiscord
from loopback.interactions import InteractionRecord
from loopback.world import User


def entry_data(key: str = "example", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": key,
        "name": key.replace("-", " ").title(),
        "website": f"https://{key}.example.org/",
        "join": {"platform": "discord", "url": f"https://discord.gg/{key}", "access": "open"},
        "description": f"The {key} community, for tests.",
        "topics": ["machine-learning"],
        "roles": ["data-scientist"],
        "regions": ["global"],
        "levels": ["new-to-data", "early-career", "experienced"],
        "last_checked": date(2026, 1, 1),
    }
    data.update(overrides)
    return data


def make_entry(key: str = "example", **overrides: Any) -> CommunityEntry:
    return build_entry(entry_data(key, **overrides))


def running_directory(bot: CommunityBot) -> CommunitiesCog:
    """The running communities feature."""
    return bot.feature(CommunitiesCog)


def with_communities(settings: Settings, **changes: Any) -> Settings:
    """The settings with some communities.* keys changed."""
    data = settings.model_dump()
    data["communities"].update(changes)
    return settings_model().model_validate(data)


def member(lb: LoopbackDiscord, name: str, roles: list[str] = ()) -> User:
    """A new member of the loopback guild, with roles by name."""
    user = lb.add_user(name)
    lb.add_member(lb.guild.id, user, roles=[lb.guild.role(r).id for r in roles])
    return user


async def slash(lb: LoopbackDiscord, user_id: int, verb: str, **options: Any) -> InteractionRecord:
    """Run `/communities <verb>` in #general and wait for the answer."""
    ix = await lb.invoke_slash(lb.guild.id, lb.guild.channel("general").id, user_id, "communities", options, verb)
    first = await ix.wait_response()
    if first["type"] == 5:  # deferred: the answer replaces the "thinking" message
        await ix.wait_original()
    return ix


async def complete(lb: LoopbackDiscord, user_id: int, verb: str, focused: str, **options: Any) -> list[str]:
    """Autocomplete choices (names) for the focused option of `/communities <verb>`."""
    ix = await lb.autocomplete(
        lb.guild.id, lb.guild.channel("general").id, user_id, "communities", options, focused, verb
    )
    await ix.wait_response()
    return [choice["name"] for choice in ix.choices]
