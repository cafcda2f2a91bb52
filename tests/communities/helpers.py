"""Entries for tests: a valid entry with any field overridden."""

from __future__ import annotations

from datetime import date
from typing import Any

from cogs.communities.models import CommunityEntry, build_entry


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
