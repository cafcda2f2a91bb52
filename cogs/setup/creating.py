"""Carrying out a /setup create plan on Discord: roles and channels side by side, each at Discord's pace."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import discord

from bot.discord_helpers import find_role
from cogs.setup.models import NewChannel, Outcome, Plan, Refusal

log = logging.getLogger(__name__)

# discord.py keeps each route within the limits Discord announces in its headers; the pacer also keeps the sum of
# the two lanes well under the 50 requests a second Discord allows a bot in all, leaving room for other features.
WRITES_PER_SECOND = 25.0
PRIVATE = discord.PermissionOverwrite(view_channel=True, send_messages=True, embed_links=True,
                                      read_message_history=True)  # fmt: skip


class Pacer:
    """Spaces writes at least 1/rate apart across every lane."""

    def __init__(self, per_second: float = WRITES_PER_SECOND) -> None:
        self.gap = 1.0 / per_second
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            loop = asyncio.get_running_loop()
            delay = self._next - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self._next = max(loop.time(), self._next) + self.gap


def _refused(target: str, name: str, error: discord.HTTPException) -> Refusal:
    return Refusal(target, name, isinstance(error, discord.Forbidden), error.status, error.text or "")


class Creation:
    """One run: a roles lane and a channels lane run together; the first refusal stops both."""

    def __init__(self, guild: discord.Guild, plan: Plan, *, reason: str, pacer: Pacer | None = None) -> None:
        self.guild = guild
        self.plan = plan
        self.reason = reason
        self.pacer = pacer or Pacer()
        self.outcome = Outcome()
        self.channels: dict[str, discord.abc.GuildChannel] = {}  # made, by lower-case name
        self.roles: dict[str, discord.Role] = {}  # made, by lower-case name
        loop = asyncio.get_running_loop()
        self._role_made: dict[str, asyncio.Future[discord.Role | None]] = {
            name.casefold(): loop.create_future() for name in plan.roles
        }

    async def run(self) -> Outcome:
        started = time.monotonic()
        await asyncio.gather(self._roles_lane(), self._channels_lane())
        for future in self._role_made.values():
            if not future.done():
                future.cancel()
        self.outcome.seconds = time.monotonic() - started
        return self.outcome

    def _stop(self, failure: Refusal) -> None:
        if self.outcome.failure is None:
            self.outcome.failure = failure
        for future in self._role_made.values():
            if not future.done():
                future.set_result(None)

    async def _roles_lane(self) -> None:
        for name in self.plan.roles:
            if self.outcome.failure:
                return
            await self.pacer.wait()
            try:
                role = await self.guild.create_role(
                    name=name, permissions=discord.Permissions.none(), mentionable=False, reason=self.reason
                )
            except discord.HTTPException as error:
                log.warning("Guild %s: creating role %r failed", self.guild.id, name, exc_info=True)
                self._stop(_refused("role", name, error))
                return
            self.roles[name.casefold()] = role
            self.outcome.created_roles.append((name, role.id))
            self._role_made[name.casefold()].set_result(role)

    async def _role(self, ref: str) -> discord.Role | None:
        """A role by name or ID: made in this run (waiting for it) or already there."""
        future = self._role_made.get(ref.casefold())
        if future is not None:
            return await future
        return find_role(self.guild, ref)

    async def _channels_lane(self) -> None:
        categories: dict[str, discord.CategoryChannel] = {}
        for name, channel_id in self.plan.category_ids.items():
            found = self.guild.get_channel(channel_id)
            if isinstance(found, discord.CategoryChannel):
                categories[name] = found
        for category in self.plan.categories:
            if self.outcome.failure:
                return
            await self.pacer.wait()
            try:
                made = await self.guild.create_category(category.name, reason=self.reason)
            except discord.HTTPException as error:
                self._stop(_refused("category", category.name, error))
                return
            categories[category.name] = made
            self.outcome.created_channels.append((made.name, made.id))
        # Private channels last: the role they are private to is made meanwhile in the other lane.
        for planned in sorted(self.plan.channels, key=lambda c: c.private_to is not None):
            if self.outcome.failure:
                return
            if not await self._make_channel(planned, categories.get(planned.category)):
                return
        for edit in self.plan.tag_edits:
            if self.outcome.failure:
                return
            forum = self.guild.get_channel(edit.channel_id)
            if not isinstance(forum, discord.ForumChannel):
                continue
            have = {t.name.casefold() for t in forum.available_tags}
            new = [discord.ForumTag(name=t.name, moderated=t.moderated, emoji=t.emoji) for t in edit.add
                   if t.name.casefold() not in have]  # fmt: skip
            if not new:
                continue
            await self.pacer.wait()
            try:
                await forum.edit(available_tags=[*forum.available_tags, *new], reason=self.reason)
            except discord.HTTPException as error:
                self._stop(_refused("tags", forum.mention, error))
                return
            self.outcome.tags_added += [(forum.name, t.name) for t in new]

    async def _make_channel(self, planned: NewChannel, category: discord.CategoryChannel | None) -> bool:
        options: dict[str, Any] = {"reason": self.reason}
        if planned.private_to is not None:
            role = await self._role(planned.private_to)
            if self.outcome.failure:
                return False
            guild = self.guild
            overwrites: dict[discord.Role | discord.Member, discord.PermissionOverwrite] = {
                guild.default_role: discord.PermissionOverwrite(view_channel=False),
                guild.me: PRIVATE,  # without its own overwrite the bot would lock itself out
            }
            if role is not None:
                overwrites[role] = PRIVATE
            options["overwrites"] = overwrites
        await self.pacer.wait()
        try:
            made: discord.abc.GuildChannel
            if planned.kind == "forum":
                tags = [discord.ForumTag(name=t.name, moderated=t.moderated, emoji=t.emoji) for t in planned.tags]
                made = await self.guild.create_forum(planned.name, category=category, available_tags=tags, **options)
            elif planned.kind == "voice":
                made = await self.guild.create_voice_channel(planned.name, category=category, **options)
            elif planned.kind == "category":
                made = await self.guild.create_category(planned.name, **options)
            else:
                made = await self.guild.create_text_channel(planned.name, category=category, **options)
        except discord.HTTPException as error:
            log.warning("Guild %s: creating channel %r failed", self.guild.id, planned.name, exc_info=True)
            self._stop(_refused("channel", planned.name, error))
            return False
        self.channels[made.name.casefold()] = made
        self.channels[planned.name.casefold()] = made
        self.outcome.created_channels.append((made.name, made.id))
        return True
