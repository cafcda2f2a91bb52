"""The contract every feature implements, so core loads, unloads, lists and asks all features the same way.

A feature is a package `cogs/<package>/` whose `setup(bot)` adds one or more `Feature` cogs. What it declares:

- `name`: its key ("qa"), unique; also the owner of its due work. `title`: how members read it ("Q&A").
- `settings_section`: the `FeatureSettings` model it reads (`cogs/<package>/settings.py`, composed by core).
- migrations: numbered SQL files in `cogs/<package>/migrations/`, applied by core before any feature loads.
- `dynamic_items`: persistent components (discord.py `DynamicItem`s) re-registered at every start. Their state is
  in the custom_id: a click builds only the clicked item (bot/dynamic_items.py), so an item has no `view` and
  reads nothing of the message's other components.
- `context_menus`: built in `__init__`, added to the command tree on load.
- `due_work()`: its `DueWork` / `Periodic` for the core scheduler (bot/scheduler.py).
- `about_counts()`: what it stores, for /about.
- `export_member()` / `forget_member()`: everything stored about one member, for the privacy commands.
- `guild_of_component()`: with several shards, which guild a component used in a DM acts for when its custom_id
  does not carry the guild's id itself (bot/remote_guilds.py).

Load and unload are symmetric: what `cog_load` registers, `cog_unload` removes (tests/core/test_feature.py).
Features call each other through typed public classes in `cogs/<package>/api.py`, found with `bot.feature(...)`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserFacingError
from bot.i18n import _
from bot.scheduler import DueWork, Periodic
from bot.settings import FeatureSettings, Settings

if TYPE_CHECKING:
    from bot.client import CommunityBot

log = logging.getLogger(__name__)

F = TypeVar("F")


class FeatureUnavailable(UserFacingError):
    """A member used something of a feature that is not running; they are told so instead of "went wrong".

    Raised while answering them, so the text is in their language (the feature's `title`, marked with `N_()` where
    it is declared, is translated here)."""

    def __init__(self, kind: type[Any]) -> None:
        title = getattr(kind, "title", None)
        shown = _(title) if isinstance(title, str) else kind.__name__
        super().__init__(
            _("{feature} is not available on this bot right now. Please tell a moderator.").format(feature=shown)
        )
        self.kind = kind


class Feature(commands.Cog):
    """Base of every feature cog; see the module docstring for the contract."""

    name: ClassVar[str]
    title: ClassVar[str]  # marked for translation, `title = N_("Q&A")`; shown as `_(feature.title)`
    settings_section: ClassVar[type[FeatureSettings] | None] = None
    dynamic_items: ClassVar[tuple[type[discord.ui.DynamicItem[Any]], ...]] = ()

    def __init__(self, bot: CommunityBot) -> None:
        self.bot = bot
        self.context_menus: list[app_commands.ContextMenu] = []

    # --- hooks a feature overrides -----------------------------------------------------------------------------------

    def due_work(self) -> Sequence[DueWork | Periodic]:
        """The feature's due work, registered with the core scheduler on load and removed on unload."""
        return ()

    async def on_load(self) -> None:
        """Start what the feature runs besides its due work (queues, caches); called after core registration."""

    async def on_unload(self) -> None:
        """Stop what `on_load` started; called before core unregisters the rest."""

    async def about_counts(self) -> dict[str, int]:
        """What this feature stores, as "label: count", for /about."""
        return {}

    async def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Everything this feature stores about one member of one server, as JSON-ready values."""
        raise NotImplementedError(f"{type(self).__name__} does not export member data yet")

    async def forget_member(self, guild_id: int, user_id: int) -> int:
        """Delete or anonymise everything stored about one member of one server; returns the rows touched."""
        raise NotImplementedError(f"{type(self).__name__} does not forget member data yet")

    async def guild_of_component(self, custom_id: str) -> int | None:
        """The guild a component of this feature used in a DM acts for, when its custom_id names something else
        (a mentor offer's id, say) rather than the guild; None when it is not this feature's or names the guild.

        DM clicks all reach the process of shard 0, which fetches that guild first if another shard runs it."""
        return None

    # --- what core calls ---------------------------------------------------------------------------------------------

    @classmethod
    def package(cls) -> str:
        """The feature package (`cogs/<package>/`): the namespace of its migrations."""
        return cls.__module__.split(".")[1]

    @classmethod
    def migrations_dir(cls) -> Path:
        return Path(__file__).parents[1] / "cogs" / cls.package() / "migrations"

    async def guild_config(self, guild_id: int) -> Settings:
        """The effective settings of one server (file defaults plus its overrides)."""
        return await self.bot.guild_config(guild_id)

    async def cog_load(self) -> None:
        for menu in self.context_menus:
            self.bot.tree.add_command(menu)
        self.bot.add_dynamic_items(*self.dynamic_items)
        try:
            for work in self.due_work():
                self.bot.scheduler.register(self.name, work)
            await self.on_load()
        except BaseException:
            self._unregister()  # a half-loaded feature must not leave jobs or buttons behind
            raise

    async def cog_unload(self) -> None:
        try:
            await self.on_unload()
        finally:
            self._unregister()

    def _unregister(self) -> None:
        self.bot.scheduler.unregister(self.name)
        self.bot.remove_dynamic_items(*self.dynamic_items)
        for menu in self.context_menus:
            self.bot.tree.remove_command(menu.name, type=menu.type)


def feature_of(interaction: discord.Interaction, kind: type[F]) -> F:
    """The running feature of this type for a component or modal callback; members are told when it is off."""
    return cast("CommunityBot", interaction.client).feature(kind)
