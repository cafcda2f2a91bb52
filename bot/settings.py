"""Typed settings: the YAML file validated into one object, with errors that name file, key and problem."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError


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
    value = value.strip().removeprefix("#")
    if not (_SNOWFLAKE.match(value) or _CHANNEL_NAME.match(value)):
        raise ValueError(
            f"{value!r} is neither a channel ID nor a channel name (names have no spaces, '#', '@' or '<>')"
        )
    return value


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


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, validate_assignment=True)


class Channels(_Section):
    """Where the bot talks; each a channel name or ID."""

    welcome: TextChannelRef = Field("welcome", description="where newcomers are greeted when DMs are closed")
    questions: ForumOrTextChannelRef = Field("questions", description="the Q&A forum (or a text channel)")
    events: TextChannelRef = Field("events", description="where meetups are announced")
    mod_log: TextChannelRef = Field("mod-log", description="the moderators' log")


class Roles(_Section):
    """Roles the bot recognises; each a role name or ID."""

    moderator: RoleRef = Field("Moderators", description="members with this role moderate the bot's features")


class Communities(_Section):
    """The community directory and /communities."""

    directory_file: str = Field(
        "data/communities.yaml", description="the shipped directory of communities (YAML), validated at start"
    )
    recommendations: int = Field(5, ge=1, le=10, description="how many communities /communities recommend shows")
    page_size: int = Field(6, ge=1, le=10, description="communities per page of /communities list")
    page_buttons_seconds: int = Field(
        600, ge=1, le=840, description="how long the page buttons of /communities list keep working"
    )
    max_pending_suggestions: int = Field(
        3, ge=1, le=25, description="open /communities suggest suggestions one member may have at a time"
    )
    stale_after_days: int = Field(
        365, ge=30, le=3650, description="an entry last checked longer ago is shown as possibly out of date"
    )


_OFFSET_LIST = re.compile(r"^\s*(none|off|(\d+\s*[mhdw]\s*)+(,\s*(\d+\s*[mhdw]\s*)+)*)\s*$", re.IGNORECASE)


def _reminder_offsets(value: Any) -> str:
    if not isinstance(value, str) or not _OFFSET_LIST.match(value):
        raise ValueError("must be offsets before the start such as '1d,1h,10m' (m, h, d, w), or 'none'")
    return value.strip().lower()


ReminderOffsets = Annotated[str, BeforeValidator(_reminder_offsets)]


class Events(_Section):
    """Meetups: who may organise them, what reminders they get by default, and the timing rules."""

    organiser_role: OptionalRoleRef = Field(
        None, description="members with this role may create and manage events (besides Manage Events)"
    )
    default_reminders: ReminderOffsets = Field("1d,1h", description="reminders before each event, e.g. 1d,1h,10m")
    default_duration_minutes: int = Field(60, ge=5, le=20160, description="how long an event lasts unless given")
    reminder_grace_minutes: int = Field(
        30, ge=0, le=1440, description="a reminder that fell due while the bot was offline is sent if this late"
    )
    dm_reminders: bool = Field(True, description="also DM reminders to members who said Going")


class QA(_Section):
    """Q&A threads: nudges, surfacing to helpers, archiving and the leaderboard."""

    nudge_after_hours: int = Field(
        24, ge=1, le=720, description="quiet hours after others replied before the asker is asked to mark an answer"
    )
    unanswered_after_hours: int = Field(
        24, ge=1, le=720, description="hours without any reply before a question is surfaced to helpers"
    )
    helper_role: OptionalRoleRef = Field(
        None, description="role mentioned when a question gets no reply (none: no ping)"
    )
    archive_solved_after_hours: int = Field(
        24, ge=1, le=720, description="quiet hours before a solved post is archived"
    )
    archive_after_days: int = Field(7, ge=1, le=90, description="quiet days before an unsolved post is archived")
    solved_tag: str = Field(
        "Solved", min_length=1, max_length=20, description="forum tag applied to solved posts (created if missing)"
    )
    leaderboard: bool = Field(True, description="whether /qa leaderboard is available on this server")


class Settings(_Section):
    """Everything the settings file can say; defaults match a fresh server."""

    sync: Literal["guild", "global"] = "guild"
    timezone: ZoneName = Field("UTC", description="the server's IANA time zone, the default for events")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    channels: Channels = Field(default_factory=Channels)
    roles: Roles = Field(default_factory=Roles)
    communities: Communities = Field(default_factory=Communities)
    events: Events = Field(default_factory=Events)
    qa: QA = Field(default_factory=QA)


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
        return Settings.model_validate(raw)
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
