"""The Bot subclass: owns the database, the scheduler and the settings, loads every feature package."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Any, TypeVar, cast

import aiohttp
import discord
from discord.ext import commands

import cogs
from bot import dynamic_items, i18n
from bot.clock import Clock, SystemClock
from bot.database import Database, DatabaseTarget, Migration, discover_migrations
from bot.discord_helpers import NO_PINGS, channel_problem
from bot.discovery import feature_packages
from bot.dm_closed import DmClosedStore
from bot.errors import CommandTree
from bot.feature import Feature, FeatureUnavailable
from bot.guild_settings import SETTABLE_KEYS, GuildSettings, get_value
from bot.identify import IdentifyGate
from bot.remote_guilds import RemoteGuilds, snowflakes
from bot.scheduler import Scheduler
from bot.settings import ConfigError, Settings
from bot.times import unix

log = logging.getLogger(__name__)

F = TypeVar("F")
Channel = (
    discord.VoiceChannel | discord.StageChannel | discord.ForumChannel | discord.TextChannel | discord.CategoryChannel
    | discord.Thread | discord.abc.PrivateChannel
)

CORE_MIGRATIONS = Path(__file__).parent / "migrations"
# Connections to Discord at once (the gateway's included). discord.py sets no limit, so a backlog answered every
# queued interaction on a connection of its own: 8,399 open sockets after a burst of 2,500 clicks a second
# (bench, 2026-12-04), past a default `ulimit -n` of 1,024. Discord's 50 requests a second never need this many.
HTTP_CONNECTIONS = 100


def all_migrations(features: list[str]) -> list[Migration]:
    """Core migrations first, then each feature's own numbered files."""
    found = discover_migrations("core", CORE_MIGRATIONS)
    for name in features:
        found += discover_migrations(name, Path(cogs.__path__[0]) / name / "migrations")
    return found


def default_intents() -> discord.Intents:
    """Guilds and members (the welcome on join); message content is deliberately not needed."""
    intents = discord.Intents.default()
    intents.members = True
    intents.message_content = False
    return intents


def _is_a(obj: object, kind: type) -> bool:
    """isinstance by qualified name: discord.py re-imports a feature's modules each time it loads the extension (a
    reload, or the next bot in the same process), so a caller may hold an older copy of the very same class."""
    name = (kind.__module__, kind.__qualname__)
    return isinstance(obj, kind) or any((c.__module__, c.__qualname__) == name for c in type(obj).__mro__)


class CommunityBot(commands.AutoShardedBot):
    """The community bot; one instance per process, passed explicitly (no global singleton).

    It runs the shards it is given (`shard_count` of the whole bot, `shard_ids` of this process; by default one
    shard, all of them here): each guild's events come to the process holding shard `(guild_id >> 22) %
    shard_count`, DMs and their interactions to shard 0 (docs/scaling.md).
    """

    db: Database
    guild_settings: GuildSettings
    dm_closed: DmClosedStore  # members whose DMs refused the bot, shared by every feature that DMs
    identify_gate: IdentifyGate | None = None  # turns to IDENTIFY across processes, with more than one shard

    def __init__(
        self,
        settings: Settings,
        database: DatabaseTarget | Database,
        *,
        clock: Clock | None = None,
        features: list[str] | None = None,
        **options: Any,
    ) -> None:
        options.setdefault("intents", default_intents())
        options.setdefault("shard_count", 1)  # known, so discord.py does not ask Discord (GET /gateway/bot)
        super().__init__(
            command_prefix=commands.when_mentioned,
            tree_cls=CommandTree,
            allowed_mentions=NO_PINGS,
            help_command=None,
            **options,
        )
        self.settings = settings
        self.database = database  # where to open it at setup, or the database already opened
        self.clock: Clock = clock or SystemClock()
        self.scheduler = Scheduler(self.clock, self.wait_until_ready)
        self.features = feature_packages() if features is None else features
        self.started_monotonic = time.monotonic()
        self.remote_guilds = RemoteGuilds(self)
        self._ready_once = False
        self._found_features: dict[type, object] = {}
        self._dm_interactions: set[asyncio.Task[None]] = set()  # held until done (the loop keeps weak references)
        dynamic_items.install(self)  # clicks on persistent components build only the clicked item
        # DM interactions come to shard 0 whatever guild they act for: a process without every shard fetches that
        # guild before discord.py hands the interaction on (bot/remote_guilds.py).
        parsers = self._connection.parsers
        self._parse_interaction = parsers["INTERACTION_CREATE"]
        parsers["INTERACTION_CREATE"] = self._interaction_arrived

    # --- shards --------------------------------------------------------------------------------------------------

    @property
    def runs_every_shard(self) -> bool:
        return self.shard_ids is None or set(self.shard_ids) >= set(range(self.shard_count or 1))

    async def check_shards(self) -> None:
        """Ask Discord for the identify concurrency (turns to IDENTIFY are shared through the database) and warn
        when it recommends more shards than the bot runs."""
        max_concurrency = 1
        try:
            recommended, _, limits = await self.http.get_bot_gateway()
        except discord.DiscordException as error:
            log.warning("Could not ask Discord for the session start limits (%s); identifying one shard at a time",
                        error)
        else:
            max_concurrency = limits["max_concurrency"]
            log.info("Shards %s of %s; Discord recommends %s, allows %s identifies per 5 s, %s session starts left",
                     self.shard_ids or "all", self.shard_count, recommended, max_concurrency, limits["remaining"])
            if recommended > (self.shard_count or 1):
                log.warning("Discord recommends %s shards, more than BOT_SHARD_COUNT=%s (docs/scaling.md)",
                            recommended, self.shard_count)
        self.identify_gate = IdentifyGate(self.db, max_concurrency)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if self.identify_gate is None or shard_id is None:  # one shard: discord.py's rule (a re-identify waits 5 s)
            await super().before_identify_hook(shard_id, initial=initial)
            return
        await self.identify_gate.wait_turn(shard_id)

    def is_remote(self, guild_id: int) -> bool:
        """Whether another process runs this guild's shard (for an ID that may not be a guild at all)."""
        if self.runs_every_shard:
            return False
        assert self.shard_ids is not None and self.shard_count is not None
        return (guild_id >> 22) % self.shard_count not in self.shard_ids

    def get_guild(self, id: int, /) -> discord.Guild | None:
        """A guild of this process's shards, or one of another shard fetched for a DM interaction."""
        return super().get_guild(id) or self.remote_guilds.get(id)

    async def work_guild(self, guild_id: int) -> discord.Guild | None:
        """The guild to do due work in (reminders, welcomes): this process's own from its cache, or one of another
        shard over REST (bot/remote_guilds.py). Every process takes due work of every guild, claimed in the database,
        so the survivors finish the work of a dead process's guilds, whose shard no other process can run."""
        guild = self.get_guild(guild_id)
        if guild is None and self.is_remote(guild_id):
            try:
                guild = await self.remote_guilds.fetch(guild_id, None)
            except discord.HTTPException as error:
                log.warning("Fetching guild %s for due work failed: %s", guild_id, error)
        return guild

    async def work_member(self, guild: discord.Guild, user_id: int) -> discord.Member | None:
        """A member for due work (a welcome): from the cache, or over REST in a guild of another shard (work_guild);
        None when they are not in it."""
        member = guild.get_member(user_id)
        if member is None and self.is_remote(guild.id):
            try:
                member = await guild.fetch_member(user_id)
            except discord.NotFound:
                return None
        return member

    def get_channel(self, id: int, /) -> Channel | None:
        return super().get_channel(id) or self.remote_guilds.channel(id)

    async def guilds_of_component(self, custom_id: str) -> list[int]:
        """The guilds a component used in a DM may act for: the IDs in its custom_id, and the features' answers."""
        found = snowflakes(custom_id)
        for feature in self.loaded_features():
            try:
                guild_id = await feature.guild_of_component(custom_id)
            except Exception:
                log.exception("%s could not say which guild %r acts for", feature.name, custom_id)
                continue
            if guild_id is not None:
                found.append(guild_id)
        return found

    def _interaction_arrived(self, data: Any) -> None:
        if "guild_id" in data or self.runs_every_shard:
            with i18n.answering(data):
                self._parse_interaction(data)
            return
        task = self.loop.create_task(self._dm_interaction(data), name="dm-interaction")
        self._dm_interactions.add(task)
        task.add_done_callback(self._dm_interactions.discard)

    async def _dm_interaction(self, data: Any) -> None:
        try:
            await self.remote_guilds.prepare(data)
        except Exception:
            log.exception("Preparing a DM interaction failed; it is handled without its guild")
        with i18n.answering(data):
            self._parse_interaction(data)

    async def on_shard_ready(self, shard_id: int) -> None:
        # discord.py fires on_ready once every shard of the process is ready; a shard that identifies again later
        # (a new session: the events meanwhile are lost) fires only on_shard_ready. Features catch up on on_ready
        # (joins while away, for one), so it is fired again for that shard's sake, as a one-shard bot gets it.
        if self._ready_once and len(self.shard_ids or range(self.shard_count or 1)) > 1:
            log.info("Shard %s identified again; running the ready steps again", shard_id)
            self.dispatch("ready")

    async def login(self, token: str) -> None:
        if self.http.connector is discord.utils.MISSING:  # what discord.py would make: the same, with a limit
            self.http.connector = aiohttp.TCPConnector(limit=HTTP_CONNECTIONS)
        await super().login(token)

    async def setup_hook(self) -> None:
        self.db = self.database if isinstance(self.database, Database) else await Database.open(self.database)
        await self.db.migrate(all_migrations(self.features))
        self.guild_settings = GuildSettings(self.db, self.settings)
        self.dm_closed = DmClosedStore(self.db)
        i18n.enable(self.settings.translate)
        if self.settings.translate:
            await self.tree.set_translator(i18n.CommandTranslator())
        if (self.shard_count or 1) > 1:
            await self.check_shards()
        for name in self.features:
            try:
                await self.load_extension(f"cogs.{name}")
            except commands.ExtensionFailed as error:
                # discord.py wraps whatever setup/cog_load raised; a ConfigError must reach __main__ as itself
                # so the person sees the file, key and problem and the process exits 2.
                if isinstance(error.original, ConfigError):
                    raise error.original from None
                raise
        await self.scheduler.start()  # arms every feature's due work from what the database says
        if self.settings.sync == "global":
            await self.sync_commands(None)
        log.info("Loaded features: %s", ", ".join(self.features) or "none")

    async def on_ready(self) -> None:
        # on_ready also fires after a fresh IDENTIFY; the stored hash keeps re-syncs free.
        self._ready_once = True
        for guild in self.guilds:
            if self.settings.sync == "guild":
                await self.sync_commands(guild)
            await self.warn_about_settings(guild)
        log.info("Ready as %s in %d guild(s)", self.user, len(self.guilds))

    async def on_guild_join(self, guild: discord.Guild) -> None:
        if self.settings.sync == "guild":
            await self.sync_commands(guild)

    async def warn_about_settings(self, guild: discord.Guild) -> None:
        """Log each configured channel this guild lacks, so a manager sees it before a feature fails."""
        settings = await self.guild_config(guild.id)
        for key in SETTABLE_KEYS.values():
            if key.channel is None:
                continue
            problem = channel_problem(guild, str(get_value(settings, key.path)), key.channel.kinds)
            if problem:
                log.warning("Guild %s (%s): %s: %s (fix with /config set)", guild.name, guild.id, key.path, problem)

    async def command_payload(self) -> list[dict[str, Any]]:
        """The slash commands and context menus as Discord receives them, with their translations."""
        translator = self.tree.translator
        if translator is None:
            return [command.to_dict(self.tree) for command in self.tree.get_commands()]
        return [await command.get_translated_payload(self.tree, translator) for command in self.tree.get_commands()]

    async def sync_commands(self, guild: discord.abc.Snowflake | None) -> bool:
        """Upload the commands to one guild (or globally) unless that exact set is already there."""
        payload = await self.command_payload()
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        key = 0 if guild is None else guild.id
        previous = await self.db.fetchval("SELECT hash FROM command_sync WHERE guild_id = ?", (key,))
        if previous == digest:
            return False
        if self.application_id is None:  # set at login, before any sync
            raise RuntimeError("commands are synced only after login")
        # Several processes start together: the one whose write changes the stored hash uploads, the others see it
        # changed already and do not.
        claimed = await self.db.execute(
            "INSERT INTO command_sync (guild_id, hash, synced_at) VALUES (?, ?, ?)"
            " ON CONFLICT (guild_id) DO UPDATE SET hash = excluded.hash, synced_at = excluded.synced_at"
            " WHERE command_sync.hash <> excluded.hash RETURNING guild_id",
            (key, digest, unix(self.clock.now())),
        )
        if not claimed.rows:
            return False
        try:
            if guild is None:
                await self.http.bulk_upsert_global_commands(self.application_id, payload)
            else:
                # Guild commands appear at once; the tree falls back to its global definitions to run them.
                await self.http.bulk_upsert_guild_commands(self.application_id, guild.id, payload)
        except discord.HTTPException:
            log.exception("Syncing commands to %s failed; will retry at next start", guild or "global")
            # not uploaded after all: the next start (of any process) tries again
            await self.db.execute(
                "UPDATE command_sync SET hash = ? WHERE guild_id = ? AND hash = ?", (previous or "", key, digest)
            )
            return False
        log.info("Synced %d commands to %s", len(payload), guild.id if guild else "global")
        return True

    async def guild_config(self, guild_id: int) -> Settings:
        """The effective settings of one guild (file defaults plus its overrides)."""
        return await self.guild_settings.for_guild(guild_id)

    def loaded_features(self) -> list[Feature]:
        """The running features, in load order."""
        return [cog for cog in self.cogs.values() if isinstance(cog, Feature)]

    def optional_feature(self, kind: type[F]) -> F | None:
        """The running feature of this type, or implementing this API (`cogs/<feature>/api.py`); None when off."""
        try:
            return cast(F | None, self._found_features[kind])
        except KeyError:
            pass
        found = next((cast(F, cog) for cog in self.cogs.values() if _is_a(cog, kind)), None)
        self._found_features[kind] = found
        return found

    # optional_feature is asked on busy paths (recommend asks for onboarding each time): its answers are kept until
    # a cog is added or removed.
    async def add_cog(self, cog: commands.Cog, /, **options: Any) -> None:
        try:
            await super().add_cog(cog, **options)
        finally:
            self._found_features.clear()

    async def remove_cog(self, name: str, /, **options: Any) -> commands.Cog | None:
        try:
            return await super().remove_cog(name, **options)
        finally:
            self._found_features.clear()

    def feature(self, kind: type[F]) -> F:
        """Like `optional_feature`, for a member's request: FeatureUnavailable (they are told) when it is off."""
        found = self.optional_feature(kind)
        if found is None:
            raise FeatureUnavailable(kind)
        return found

    def uptime_seconds(self) -> float:
        return time.monotonic() - self.started_monotonic

    async def close(self) -> None:
        """Stop the scheduler (runs in progress get a moment to finish), disconnect, then close the database once
        in-flight writes are done."""
        await self.scheduler.stop()
        await super().close()
        db = getattr(self, "db", None) or (self.database if isinstance(self.database, Database) else None)
        if db is not None:
            await db.close()
