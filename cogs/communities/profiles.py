"""A read-only view of a member's onboarding profile, so recommendations can fill in what the member left out.

The onboarding feature owns the table (docs/communities.md, "Onboarding profiles"):

    onboarding_profiles(guild_id, user_id, role, level, interests, region, timezone)

with role, level and region as vocabulary keys and interests a JSON list of topic keys. Until that feature is
installed the table does not exist and every member simply has no profile.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace

from bot.database import Database
from cogs.communities.service import Preferences
from cogs.communities.vocabulary import LEVELS, REGIONS, ROLES, TOPICS, Vocabulary

log = logging.getLogger(__name__)

PROFILE_TABLE = "onboarding_profiles"


@dataclass(frozen=True)
class Profile:
    """What onboarding knows about a member, restricted to known vocabulary keys."""

    role: str | None = None
    level: str | None = None
    interests: tuple[str, ...] = ()
    region: str | None = None
    timezone: str | None = None

    def preferences(self) -> Preferences:
        """What to recommend from: onboarding calls recommend(entries, profile.preferences(), 3)."""
        return Preferences(role=self.role, interests=self.interests, region=self.region, level=self.level)


def _known(vocabulary: Vocabulary, value: object) -> str | None:
    return value if isinstance(value, str) and value in vocabulary else None


def _interests(raw: object) -> tuple[str, ...]:
    try:
        values = json.loads(raw) if isinstance(raw, str) else []
    except ValueError:
        return ()
    if not isinstance(values, list):
        return ()
    return tuple(dict.fromkeys(v for v in values if isinstance(v, str) and v in TOPICS))


async def read_profile(db: Database, guild_id: int, user_id: int) -> Profile | None:
    """The member's onboarding profile, or None when there is none (or onboarding is not installed)."""
    exists = await db.fetchval("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (PROFILE_TABLE,))
    if not exists:
        return None
    row = await db.fetchone(
        f"SELECT role, level, interests, region, timezone FROM {PROFILE_TABLE} WHERE guild_id = ? AND user_id = ?",
        (guild_id, user_id),
    )
    if row is None:
        return None
    return Profile(
        role=_known(ROLES, row["role"]),
        level=_known(LEVELS, row["level"]),
        interests=_interests(row["interests"]),
        region=_known(REGIONS, row["region"]),
        timezone=row["timezone"] if isinstance(row["timezone"], str) else None,
    )


def fill_from_profile(prefs: Preferences, profile: Profile | None) -> tuple[Preferences, tuple[str, ...]]:
    """Options the member left out, taken from the profile; also returns which ones were filled in."""
    if profile is None:
        return prefs, ()
    filled: dict[str, object] = {}
    if prefs.role is None and profile.role:
        filled["role"] = profile.role
    if not prefs.interests and not prefs.keywords and profile.interests:
        filled["interests"] = profile.interests
    if prefs.region is None and profile.region:
        filled["region"] = profile.region
    if prefs.level is None and profile.level:
        filled["level"] = profile.level
    return replace(prefs, **filled), tuple(filled)
