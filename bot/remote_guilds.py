"""Guilds of other shards, for the DM clicks that reach this process.

Discord sends every DM, and every button, menu or modal used in a DM, to shard 0, whichever guild the DM was
about: a welcome DM sent by the process of shard 2 comes back as a click to the process of shard 0, which has no
cache of that guild. Before such an interaction is handed to discord.py (and so to the feature's callback), this
process finds which guild it acts for and fetches that guild over REST: the guild and its roles, its channels, the
bot's own member and the member who clicked. `CommunityBot.get_guild` returns it then, like a cached guild, for a
few minutes; `bot.guilds` never lists it (it is not this process's to run).

Which guild: the snowflakes in the component's `custom_id` (a feature's DM components carry their guild's id, as
onboarding's do), and whatever a feature's `guild_of_component` hook answers for IDs of its own (a mentor offer's
id, say). Only processes that do not run every shard do any of this.

Due work (reminders) uses the same cache: any process may send what is due in any guild (claims in the database
keep each item to one process), so the survivors finish the work of a process that died (`CommunityBot.work_guild`).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import discord

if TYPE_CHECKING:
    from bot.client import Channel, CommunityBot

log = logging.getLogger(__name__)

SNOWFLAKE = re.compile(r"(?<!\d)\d{17,20}(?!\d)")  # Discord IDs since 2016 have 17 to 20 digits
FRESH_S = 300.0  # a fetched guild (roles, channels) is used this long, then fetched again
NOT_A_GUILD_S = 3600.0  # an ID that is no guild of the bot's is not asked about again for this long
MOST = 1000  # remote guilds kept at once (least recently used dropped)
PREPARE_S = 2.0  # at most this long before the interaction goes on regardless (Discord wants an answer in 3 s)


def custom_id_of(data: dict[str, Any]) -> str:
    """The custom_id of a component click or modal submit ("" for anything else)."""
    inner = data.get("data") or {}
    return str(inner.get("custom_id") or "") if data.get("type") in (3, 5) else ""


def snowflakes(text: str) -> list[int]:
    return [int(found) for found in SNOWFLAKE.findall(text)]


class RemoteGuilds:
    """The guilds of other shards this process fetched for DM interactions; see the module docstring."""

    def __init__(self, bot: CommunityBot) -> None:
        self.bot = bot
        self._guilds: OrderedDict[int, tuple[float, discord.Guild]] = OrderedDict()
        self._not_guilds: dict[int, float] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self.fetches = 0  # guilds fetched over REST (tests and /about-style curiosity)

    def get(self, guild_id: int) -> discord.Guild | None:
        found = self._guilds.get(guild_id)
        if found is None:
            return None
        self._guilds.move_to_end(guild_id)
        return found[1]

    def channel(self, channel_id: int) -> Channel | None:
        for _, guild in self._guilds.values():
            found = guild.get_channel(channel_id)
            if found is not None:
                return found
        return None

    async def prepare(self, data: dict[str, Any]) -> None:
        """Fetch the guilds a DM interaction acts for, with the member who used it, before it is dispatched."""
        user = data.get("user") or {}
        if not user.get("id"):
            return
        custom_id = custom_id_of(data)
        if not custom_id:
            return
        wanted = await self.bot.guilds_of_component(custom_id)
        try:
            await asyncio.wait_for(self.fetch_all(wanted, int(user["id"])), PREPARE_S)
        except TimeoutError:
            log.warning("Fetching guilds %s for a DM interaction took over %.0f s; going on without", wanted, PREPARE_S)

    async def fetch_all(self, guild_ids: Iterable[int], user_id: int) -> None:
        for guild_id in dict.fromkeys(guild_ids):
            if not self.bot.is_remote(guild_id) or self._not_guilds.get(guild_id, 0) > time.monotonic():
                continue  # this process's own (in its cache), or known to be no guild of the bot's
            try:
                await self.fetch(guild_id, user_id)
            except discord.HTTPException as error:
                log.warning("Fetching guild %s for a DM interaction failed: %s", guild_id, error)

    async def fetch(self, guild_id: int, user_id: int | None) -> discord.Guild | None:
        """The guild (fetched again when older than FRESH_S) with the member `user_id` as they are now (none for
        due work, which fetches the members it needs itself)."""
        if self._not_guilds.get(guild_id, 0) > time.monotonic():
            return None
        lock = self._locks.setdefault(guild_id, asyncio.Lock())
        async with lock:
            found = self._guilds.get(guild_id)
            if found is None or time.monotonic() - found[0] > FRESH_S:
                guild = await self._fetch_guild(guild_id)
                if guild is None:
                    return None
                found = (time.monotonic(), guild)
                self._guilds[guild_id] = found
                while len(self._guilds) > MOST:
                    self._guilds.popitem(last=False)
            guild = found[1]
            self._guilds.move_to_end(guild_id)
            if user_id is None:
                return guild
            try:  # the clicker's roles as they are now: the owning process may have changed them a moment ago
                guild._add_member(await guild.fetch_member(user_id))
            except discord.NotFound:
                old = guild.get_member(user_id)
                if old is not None:
                    guild._remove_member(old)
            return guild

    async def _fetch_guild(self, guild_id: int) -> discord.Guild | None:
        try:
            guild = await self.bot.fetch_guild(guild_id, with_counts=False)
        except (discord.NotFound, discord.Forbidden):
            self._not_guilds[guild_id] = time.monotonic() + NOT_A_GUILD_S
            return None
        for channel in await guild.fetch_channels():
            guild._add_channel(channel)
        if self.bot.user is not None:
            guild._add_member(await guild.fetch_member(self.bot.user.id))
        self.fetches += 1
        log.info("Fetched guild %s of shard %s (another process's)", guild_id, guild.shard_id)
        return guild
