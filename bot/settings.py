"""Typed settings: the YAML file validated into one object, with errors that name file, key and problem."""

from __future__ import annotations

import functools
import importlib
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, TypeVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model


class ConfigError(Exception):
    """A settings problem, already worded for the person who wrote the file."""


@dataclass(frozen=True)
class ChannelKind:
    """Marks a setting as a channel reference and says which channel types it accepts."""

    kinds: tuple[str, ...]  # "text", "forum"


@dataclass(frozen=True)
class RoleKind:
    """Marks a setting as a role reference."""


_SNOWFLAKE = re.compile(r"^\d{15,21}$")
_CHANNEL_NAME = re.compile(r"^[^\s#@<>]{1,100}$")


def _channel_ref(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError("must be a channel name or ID")
    ref = value.strip().removeprefix("#")
    if not (_SNOWFLAKE.match(ref) or _CHANNEL_NAME.match(ref)):
        raise ValueError(
            f"{ref!r} is neither a channel ID nor a channel name (names have no spaces, '#', '@' or '<>')"
        )
    return ref


def _role_ref(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 100:
        raise ValueError("must be a role name (1-100 characters) or ID")
    return value.strip().removeprefix("@")


def _zone_name(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be an IANA time zone name such as Europe/Berlin")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone name (for example Europe/Berlin)") from None
    return value


TextChannelRef = Annotated[str, BeforeValidator(_channel_ref), ChannelKind(("text",))]
ForumOrTextChannelRef = Annotated[str, BeforeValidator(_channel_ref), ChannelKind(("forum", "text"))]
RoleRef = Annotated[str, BeforeValidator(_role_ref), RoleKind()]
OptionalRoleRef = Annotated[str | None, BeforeValidator(lambda v: v if v is None else _role_ref(v)), RoleKind()]
ZoneName = Annotated[str, BeforeValidator(_zone_name)]


class SettingsSection(BaseModel):
    """A block of the settings file: unknown keys are errors, so a typo is reported instead of ignored."""

    model_config = ConfigDict(extra="forbid", strict=False, validate_assignment=True)


class Channels(SettingsSection):
    """Where the bot talks; each a channel name or ID."""

    welcome: TextChannelRef = Field("welcome", description="where newcomers are greeted when DMs are closed")
    questions: ForumOrTextChannelRef = Field("questions", description="the Q&A forum (or a text channel)")
    events: TextChannelRef = Field("events", description="where meetups are announced")
    mod_log: TextChannelRef = Field("mod-log", description="the moderators' log")


class Roles(SettingsSection):
    """Roles the bot recognises; each a role name or ID."""

    moderator: RoleRef = Field("Moderators", description="members with this role moderate the bot's features")


S = TypeVar("S", bound="FeatureSettings")
PROCESS_WIDE: dict[str, Any] = {"per_guild": False}  # json_schema_extra of a field read once at start


class Settings(SettingsSection):
    """The core settings; each feature adds its own section (see `FeatureSettings`) to the composed model."""

    sync: Literal["guild", "global"] = Field("guild", json_schema_extra=PROCESS_WIDE)
    timezone: ZoneName = Field("UTC", description="the server's IANA time zone, the default for events")
    translate: bool = Field(True, json_schema_extra=PROCESS_WIDE)  # False: English only (a benchmark's baseline)
    language: Literal["auto", "en", "fr", "zh_CN"] = Field(
        "auto", description="what the bot writes unasked (reminders, posts, digests) in when a member chose none;"
        " auto = the server's Discord language"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", json_schema_extra=PROCESS_WIDE)
    channels: Channels = Field(default_factory=Channels)
    roles: Roles = Field(default_factory=Roles)

    def section(self, model: type[S]) -> S:
        """A feature's own section, typed: `config.section(QASettings).nudge_after_hours`."""
        value = getattr(self, model.section_name, None)
        # By key, not identity: discord.py re-imports a feature's modules when it is loaded again (a reload, or the
        # next bot in the same process), so the class may be a newer copy of the one the model was composed with.
        if not isinstance(value, FeatureSettings) or value.section_name != model.section_name:
            raise KeyError(f"settings have no {model.section_name!r} section (is that feature installed?)")
        return cast(S, value)


class FeatureSettings(SettingsSection):
    """Base of a feature's settings section; `section_name` is its key in the settings file.

    A feature declares it in `cogs/<feature>/settings.py`; `settings_model()` adds every such section to the core
    model, so adding a feature never edits `bot/`.
    """

    section_name: ClassVar[str]

    def check_files(self) -> None:
        """Validate every file this section names; called once at start, before the bot connects to Discord.

        A feature whose section names a file (a directory, a list) overrides this, reads the file and raises
        ConfigError naming the file, the key and the problem, so a broken file stops the bot at start with
        exit code 2 instead of failing later. The default does nothing.
        """


def feature_sections() -> dict[str, type[FeatureSettings]]:
    """Every feature package's settings section, by its key, in package order."""
    from bot.discovery import feature_packages  # discovery imports cogs/, which imports this module

    sections: dict[str, type[FeatureSettings]] = {}
    for package in feature_packages():
        name = f"cogs.{package}.settings"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, FeatureSettings)
                and value.__module__ == name
                and "section_name" in vars(value)
            ):
                sections[value.section_name] = value
    return sections


@functools.cache
def settings_model() -> type[Settings]:
    """The core settings plus every feature's section: what the settings file is validated against."""
    fields: dict[str, Any] = {
        key: (model, Field(default_factory=model)) for key, model in feature_sections().items()
    }
    composed: type[Settings] = create_model("Settings", __base__=Settings, **fields)
    composed.__doc__ = Settings.__doc__
    return composed


def default_settings() -> Settings:
    """Every setting at its default, as a fresh install without a settings file has them."""
    return settings_model()()


def describe_validation_error(error: ValidationError, source: str) -> str:
    """Turn pydantic's report into lines naming the source, the key path and the problem."""
    lines = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        problem = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            problem = "unknown key (check the spelling; see the configuration reference in README.md)"
        elif item["type"] == "literal_error":
            problem = problem.replace("Input should be", "must be")
        lines.append(f"{source}: {key}: {problem}")
    return "\n".join(lines)


def parse_settings(raw: Any, source: str) -> Settings:
    """Validate an already-parsed YAML document."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: (top level): must be a mapping of keys to values, not {type(raw).__name__}")
    try:
        return settings_model().model_validate(raw)
    except ValidationError as error:
        raise ConfigError(describe_validation_error(error, source)) from None


def read_yaml(path: Path, *, missing_hint: str) -> Any:
    """Read and parse a shipped YAML file; a missing file or a syntax error becomes a ConfigError naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found ({missing_hint})") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read: {error.strerror}") from None
    try:
        # libyaml's loader when PyYAML was built with it: the same safe subset, several times faster.
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError(f"{path}: {where}not valid YAML: {problem}") from None


def load_settings(path: Path) -> Settings:
    """Read and validate the settings file; any problem becomes a ConfigError."""
    raw = read_yaml(path, missing_hint="set BOT_CONFIG or copy data/config.yaml")
    return parse_settings(raw, str(path))
