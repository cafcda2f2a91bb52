"""Typed settings: the YAML file validated into one object, with errors that name file, key and problem."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo, field_validator


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


# --- onboarding (issue 4) -------------------------------------------------------------------------------------------

_OPTION_KEY = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")


def _option_key(value: Any) -> str:
    if not isinstance(value, str) or not _OPTION_KEY.match(value):
        raise ValueError("must be 1-40 lower-case letters, digits and dashes, such as data-engineer")
    return value


class OnboardingOption(_Section):
    """One answer a newcomer can pick: a stable key (stored in profiles), its wording, and what it gives."""

    key: Annotated[str, BeforeValidator(_option_key)]
    label: str = Field(..., min_length=1, max_length=80, description="what the newcomer reads in the menu")
    description: str = Field("", max_length=100, description="a short line under the label")
    discord_role: OptionalRoleRef = Field(None, description="the Discord role given for this answer")
    channels: list[ForumOrTextChannelRef] = Field(
        default_factory=list, max_length=10, description="channels to start in for this answer"
    )


class OnboardingRegion(OnboardingOption):
    """A region; its time zones are offered in the next step (Discord menus hold 25 options)."""

    timezones: list[ZoneName] = Field(default_factory=list, max_length=24)


def _option(key: str, label: str, description: str = "", role: str | None = None, *channels: str) -> dict[str, Any]:
    return {"key": key, "label": label, "description": description, "discord_role": role, "channels": list(channels)}


DEFAULT_ONBOARDING_ROLES = [
    _option("data-scientist", "Data scientist", "models, experiments, statistics", "Data Scientist", "data-science"),
    _option("data-engineer", "Data engineer", "pipelines, warehouses, streaming", "Data Engineer", "data-engineering"),
    _option("data-analyst", "Data analyst", "dashboards, SQL, BI", "Data Analyst", "analytics"),
    _option("ml-engineer", "ML engineer", "models in production", "ML Engineer", "mlops"),
    _option("analytics-engineer", "Analytics engineer", "dbt and modelling in the warehouse", "Analytics Engineer",
            "analytics"),
    _option("data-product-manager", "Data product manager", "data and AI products", "Data Product Manager",
            "careers"),
    _option("researcher", "Researcher", "academia or industry research", "Researcher", "research"),
    _option("student", "Student or enthusiast", "learning data and AI", "Student", "learning"),
    _option("other", "Other", "something else in data", None),
]
DEFAULT_ONBOARDING_LEVELS = [
    _option("new-to-data", "New to data", "just starting out", "New to data", "learning"),
    _option("early-career", "Early career", "a few years in", "Early career"),
    _option("experienced", "Experienced", "senior practitioner or lead", "Experienced"),
]
DEFAULT_ONBOARDING_TOPICS = [
    _option("data-engineering", "Data engineering", "pipelines, warehouses, orchestration", None, "data-engineering"),
    _option("analytics-engineering", "Analytics engineering", "dbt and data modelling", None, "analytics"),
    _option("analytics", "Data analysis and BI", "dashboards, SQL, spreadsheets", None, "analytics"),
    _option("data-science", "Data science and statistics", "modelling and experiments", None, "data-science"),
    _option("machine-learning", "Machine learning", "training and evaluating models", None, "machine-learning"),
    _option("mlops", "MLOps", "deployment, monitoring, ML platforms", None, "mlops"),
    _option("nlp", "LLMs and NLP", "language models and text", None, "llms"),
    _option("computer-vision", "Computer vision", "images and video", None, "machine-learning"),
    _option("data-management", "Data quality and governance", "quality, lineage, versioning", None,
            "data-engineering"),
    _option("open-source", "Open source", "building and contributing", None, "open-source"),
    _option("competitions", "Competitions and hackathons", "challenges with leaderboards", None, "competitions"),
    _option("learning", "Courses and study groups", "free courses and learning together", None, "learning"),
    _option("careers", "Careers and jobs", "job hunting, interviews, growth", None, "careers"),
    _option("events", "Meetups and events", "talks, meetups, conferences", None, "events"),
]
_REGION_ZONES = {
    "africa": ("Africa", "Africa/Lagos Africa/Accra Africa/Nairobi Africa/Addis_Ababa Africa/Kampala "
               "Africa/Dar_es_Salaam Africa/Kigali Africa/Johannesburg Africa/Harare Africa/Cairo Africa/Casablanca "
               "Africa/Algiers Africa/Tunis Africa/Dakar Africa/Kinshasa"),
    "asia": ("Asia", "Asia/Kolkata Asia/Karachi Asia/Dhaka Asia/Kathmandu Asia/Colombo Asia/Tashkent Asia/Almaty "
             "Asia/Bangkok Asia/Ho_Chi_Minh Asia/Jakarta Asia/Kuala_Lumpur Asia/Singapore Asia/Manila "
             "Asia/Hong_Kong Asia/Shanghai Asia/Taipei Asia/Seoul Asia/Tokyo"),
    "europe": ("Europe", "Europe/Lisbon Europe/London Europe/Dublin Europe/Madrid Europe/Paris Europe/Amsterdam "
               "Europe/Berlin Europe/Zurich Europe/Rome Europe/Prague Europe/Warsaw Europe/Stockholm Europe/Athens "
               "Europe/Bucharest Europe/Helsinki Europe/Kyiv Europe/Istanbul Europe/Moscow"),
    "latin-america": ("Latin America", "America/Mexico_City America/Guatemala America/Costa_Rica America/Panama "
                      "America/Havana America/Santo_Domingo America/Bogota America/Lima America/Caracas "
                      "America/La_Paz America/Santiago America/Asuncion America/Argentina/Buenos_Aires "
                      "America/Montevideo America/Sao_Paulo"),
    "middle-east": ("Middle East", "Asia/Dubai Asia/Riyadh Asia/Qatar Asia/Kuwait Asia/Baghdad Asia/Tehran "
                    "Asia/Jerusalem Asia/Amman Asia/Beirut Europe/Istanbul Africa/Cairo"),
    "north-america": ("North America", "America/St_Johns America/Halifax America/Toronto America/New_York "
                      "America/Chicago America/Winnipeg America/Monterrey America/Mexico_City America/Denver "
                      "America/Edmonton America/Phoenix America/Vancouver America/Los_Angeles America/Tijuana "
                      "America/Anchorage Pacific/Honolulu"),
    "oceania": ("Oceania", "Australia/Perth Australia/Darwin Australia/Adelaide Australia/Brisbane Australia/Sydney "
                "Australia/Melbourne Australia/Hobart Pacific/Port_Moresby Pacific/Guam Pacific/Auckland "
                "Pacific/Fiji"),
}
DEFAULT_ONBOARDING_REGIONS = [
    {"key": key, "label": label, "timezones": zones.split()} for key, (label, zones) in _REGION_ZONES.items()
]
_PROCESS_WIDE = {"per_guild": False}  # read once at start, not a server's to change


def _menu(defaults: list[dict[str, Any]], description: str) -> Any:
    return Field(default_factory=lambda: list(defaults), validate_default=True, description=description)


class Onboarding(_Section):
    """The welcome flow and mentoring: the questions, what each answer gives, and the timing rules."""

    enabled: bool = Field(True, description="send the welcome DM to new members")
    greeting: str = Field(
        "Welcome to **{server}**! A few quick questions so we can point you to the right channels and people.",
        min_length=1, max_length=1000, description="first line of the welcome DM; {server} is the server's name",
    )
    ask_region: bool = Field(True, description="ask for region and time zone (optional for the member)")
    offer_mentor: bool = Field(True, description="ask newcomers whether they want a mentor")
    reminder_days: int = Field(3, ge=1, le=30, description="days before one reminder to members who did not finish")
    mentor_answer_hours: int = Field(48, ge=1, le=336, description="hours a mentor has to accept before the next")
    mentor_default_capacity: int = Field(2, ge=1, le=10, description="mentees per mentor when /mentor join omits it")
    start_channels: list[ForumOrTextChannelRef] = Field(
        default_factory=lambda: ["general"], max_length=10, description="channels every newcomer should start in"
    )
    welcome_dms_per_second: float = Field(
        20.0, gt=0, le=50, json_schema_extra=_PROCESS_WIDE,
        description="welcome DMs started per second in a join wave (each costs one or two of Discord's ~50 requests/s)",
    )
    dm_workers: int = Field(
        4, ge=1, le=16, description="welcome DMs in flight at once", json_schema_extra=_PROCESS_WIDE
    )
    roles: list[OnboardingOption] = _menu(DEFAULT_ONBOARDING_ROLES, "the answers to 'what do you do?'")
    levels: list[OnboardingOption] = _menu(DEFAULT_ONBOARDING_LEVELS, "the answers to 'how far along are you?'")
    topics: list[OnboardingOption] = _menu(DEFAULT_ONBOARDING_TOPICS, "the interests a member can pick")
    regions: list[OnboardingRegion] = _menu(DEFAULT_ONBOARDING_REGIONS, "regions, each with its time zones")

    @field_validator("roles", "levels", "topics", "regions")
    @classmethod
    def _fits_one_menu(cls, options: list[OnboardingOption], info: ValidationInfo) -> list[OnboardingOption]:
        if not 1 <= len(options) <= 25:
            raise ValueError(f"needs 1 to 25 {info.field_name} (one Discord menu holds 25 options)")
        keys = [option.key for option in options]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise ValueError(f"the key {duplicates[0]!r} is used twice")
        return options

# --- end onboarding -------------------------------------------------------------------------------------------------


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
    onboarding: Onboarding = Field(default_factory=Onboarding)
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
