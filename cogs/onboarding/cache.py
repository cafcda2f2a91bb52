"""Members' onboarding answers as other features read them, kept in memory; dropped whenever any process changes them.

/communities recommend fills what a member leaves out from their profile, so every answer read it: one database
round trip per interaction, for rows that change only while the member answers onboarding's questions. Every store
write to `onboarding_profiles` (and a forget) publishes "guild_id:user_id" on the database's change notices
(`TOPIC`); every process's cache drops that member (PostgreSQL NOTIFY between processes, at once within one). A read
that raced an invalidation is not kept (`generation`), so a profile read before a change never outlives its notice.
"No profile" is kept too: most members of a large server never answer.
"""

from __future__ import annotations

from collections import OrderedDict

from bot.database import ALL
from cogs.onboarding.api import MemberProfile

TOPIC = "onboarding_profiles"  # the key is "guild_id:user_id", or ALL
SIZE = 50_000  # members kept (the least recently asked go first); a few hundred bytes each


def key_of(guild_id: int, user_id: int) -> str:
    return f"{guild_id}:{user_id}"


class ProfileCache:
    """(guild_id, user_id) -> what `profile_of` answers (None: no answers yet), as last read."""

    def __init__(self, size: int = SIZE) -> None:
        self._size = size
        self._profiles: OrderedDict[tuple[int, int], MemberProfile | None] = OrderedDict()
        self.generation = 0  # bumped by every invalidation: a fill begun before one is not kept

    def get(self, guild_id: int, user_id: int) -> tuple[bool, MemberProfile | None]:
        """(found, profile): found is False when nothing is kept for the member."""
        key = (guild_id, user_id)
        try:
            profile = self._profiles[key]
        except KeyError:
            return False, None
        self._profiles.move_to_end(key)
        return True, profile

    def put(self, guild_id: int, user_id: int, profile: MemberProfile | None, generation: int) -> None:
        """Keep a profile read while `generation` was current (dropped if something changed since)."""
        if generation != self.generation:
            return
        self._profiles[(guild_id, user_id)] = profile
        self._profiles.move_to_end((guild_id, user_id))
        while len(self._profiles) > self._size:
            self._profiles.popitem(last=False)

    def invalidate(self, key: str) -> None:
        """A change notice: `key` is "guild_id:user_id", or ALL (anything may have changed, or notices were lost)."""
        self.generation += 1
        guild, _, user = key.partition(":")
        if key != ALL and guild.isdigit() and user.isdigit():
            self._profiles.pop((int(guild), int(user)), None)
        else:
            self._profiles.clear()  # ALL, or a key this version does not know: be safe

    def __len__(self) -> int:
        return len(self._profiles)
