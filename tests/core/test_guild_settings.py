"""Per-guild overrides over the file defaults, stored in SQLite and surviving a new store."""

from pathlib import Path

import pytest

from bot.client import all_migrations
from bot.database import Database
from bot.guild_settings import SETTABLE_KEYS, GuildSettings
from bot.settings import ConfigError, default_settings


async def test_override_persists_and_reset_restores(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.db")
    await db.migrate(all_migrations([]))
    store = GuildSettings(db, default_settings())
    await store.set(1, "channels.welcome", "123456789012345678", by=9)
    await store.set(1, "timezone", "Europe/Berlin")
    fresh = GuildSettings(db, default_settings())
    settings = await fresh.for_guild(1)
    assert settings.channels.welcome == "123456789012345678"
    assert settings.timezone == "Europe/Berlin"
    assert (await fresh.for_guild(2)).timezone == "UTC"
    assert (await fresh.reset(1, "timezone")).timezone == "UTC"
    await db.close()


async def test_bad_values_are_refused_with_the_problem(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.db")
    await db.migrate(all_migrations([]))
    store = GuildSettings(db, default_settings())
    with pytest.raises(ConfigError, match="timezone: 'Nowhere/City' is not an IANA"):
        await store.set(1, "timezone", "Nowhere/City")
    with pytest.raises(ConfigError, match="not a setting"):
        await store.set(1, "sync", "global")
    assert (await store.overrides(1)) == {}
    await db.close()


def test_process_wide_keys_are_not_per_guild() -> None:
    assert "sync" not in SETTABLE_KEYS
    assert "channels.questions" in SETTABLE_KEYS
    assert SETTABLE_KEYS["channels.questions"].channel.kinds == ("forum", "text")
    assert SETTABLE_KEYS["roles.moderator"].role
