"""Per-guild overrides stored in SQLite, layered over the settings file."""

from __future__ import annotations

import json
import typing
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from bot.database import Database
from bot.i18n import _
from bot.settings import ChannelKind, ConfigError, RoleKind, Settings, describe_validation_error, settings_model
from bot.times import unix


@dataclass(frozen=True)
class SettingKey:
    """One leaf of the settings that a server may override."""

    path: str  # dotted, e.g. "channels.welcome"
    description: str
    channel: ChannelKind | None = None
    role: bool = False
    per_guild: bool = True  # False: edited in the settings file only (lists, process-wide values)


def _settable_alone(field: FieldInfo) -> bool:
    """Lists and mappings are edited in the settings file, and fields marked per_guild=False are process-wide."""
    if typing.get_origin(field.annotation) in (list, tuple, dict, set):
        return False
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    return extra.get("per_guild", True) is not False


def leaf_keys(model: type[BaseModel], prefix: str = "") -> list[SettingKey]:
    keys = []
    hints = typing.get_type_hints(model, include_extras=True)
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys.extend(leaf_keys(annotation, f"{prefix}{name}."))
            continue
        extras = getattr(hints.get(name), "__metadata__", ()) + tuple(field.metadata)
        channel = next((m for m in extras if isinstance(m, ChannelKind)), None)
        role = any(isinstance(m, RoleKind) for m in extras)
        keys.append(SettingKey(f"{prefix}{name}", field.description or "", channel, role, _settable_alone(field)))
    return keys


# Process-wide settings (how commands sync, log level, files read at start) are marked PROCESS_WIDE in their model.
SETTABLE_KEYS: dict[str, SettingKey] = {k.path: k for k in leaf_keys(settings_model()) if k.per_guild}


def _deep_set(target: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[leaf] = value


def get_value(settings: Settings, dotted: str) -> Any:
    """Read a dotted key off a settings object."""
    value: Any = settings
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def apply_overrides(base: Settings, overrides: dict[str, Any]) -> Settings:
    """A new Settings with dotted overrides applied and validated as a whole."""
    data = base.model_dump()
    for key, value in overrides.items():
        _deep_set(data, key, value)
    try:
        return settings_model().model_validate(data)
    except ValidationError as error:
        raise ConfigError(describe_validation_error(error, "server setting")) from None


class GuildSettings:
    """Effective settings per guild; SQLite is the truth, the dict only saves re-reading it."""

    def __init__(self, db: Database, defaults: Settings) -> None:
        self._db = db
        self.defaults = defaults
        self._cache: dict[int, Settings] = {}

    async def overrides(self, guild_id: int) -> dict[str, Any]:
        rows = await self._db.fetch("SELECT key, value FROM guild_settings WHERE guild_id = ?", (guild_id,))
        return {row["key"]: json.loads(row["value"]) for row in rows if row["key"] in SETTABLE_KEYS}

    async def for_guild(self, guild_id: int) -> Settings:
        cached = self._cache.get(guild_id)
        if cached is None:
            cached = apply_overrides(self.defaults, await self.overrides(guild_id))
            self._cache[guild_id] = cached
        return cached

    async def set(self, guild_id: int, key: str, value: Any, *, by: int | None = None) -> Settings:
        """Validate and store one override; raises ConfigError with the problem."""
        if key not in SETTABLE_KEYS:
            raise ConfigError(_("{key} is not a setting a server can change").format(key=repr(key)))
        current = await self.overrides(guild_id)
        current[key] = value
        updated = apply_overrides(self.defaults, current)
        await self._db.execute(
            "INSERT INTO guild_settings (guild_id, key, value, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (guild_id, key) DO UPDATE SET value = excluded.value,"
            " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            (guild_id, key, json.dumps(get_value(updated, key)), by, unix(datetime.now(UTC))),
        )
        self._cache[guild_id] = updated
        return updated

    async def reset(self, guild_id: int, key: str) -> Settings:
        """Drop a server's override so the file's value applies again."""
        await self._db.execute("DELETE FROM guild_settings WHERE guild_id = ? AND key = ?", (guild_id, key))
        self._cache.pop(guild_id, None)
        return await self.for_guild(guild_id)
