"""The `onboarding` section of the settings file: the welcome questions, what each answer gives, the timing rules."""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator

from bot.i18n import N_, _
from bot.settings import (
    PROCESS_WIDE,
    FeatureSettings,
    ForumOrTextChannelRef,
    OptionalRoleRef,
    SettingsSection,
    ZoneName,
)

_OPTION_KEY = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")


def _option_key(value: Any) -> str:
    if not isinstance(value, str) or not _OPTION_KEY.match(value):
        raise ValueError("must be 1-40 lower-case letters, digits and dashes, such as data-engineer")
    return value


class OnboardingOption(SettingsSection):
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
    _option("data-scientist", N_("Data scientist"), N_("models, experiments, statistics"),
            "Data Scientist", "data-science"),
    _option("data-engineer", N_("Data engineer"), N_("pipelines, warehouses, streaming"),
            "Data Engineer", "data-engineering"),
    _option("data-analyst", N_("Data analyst"), N_("dashboards, SQL, BI"), "Data Analyst", "analytics"),
    _option("ml-engineer", N_("ML engineer"), N_("models in production"), "ML Engineer", "mlops"),
    _option("analytics-engineer", N_("Analytics engineer"), N_("dbt and modelling in the warehouse"),
            "Analytics Engineer",
            "analytics"),
    _option("data-product-manager", N_("Data product manager"), N_("data and AI products"), "Data Product Manager",
            "careers"),
    _option("researcher", N_("Researcher"), N_("academia or industry research"), "Researcher", "research"),
    _option("student", N_("Student or enthusiast"), N_("learning data and AI"), "Student", "learning"),
    _option("other", N_("Other"), N_("something else in data"), None),
]
DEFAULT_ONBOARDING_LEVELS = [
    _option("new-to-data", N_("New to data"), N_("just starting out"), "New to data", "learning"),
    _option("early-career", N_("Early career"), N_("a few years in"), "Early career"),
    _option("experienced", N_("Experienced"), N_("senior practitioner or lead"), "Experienced"),
]
DEFAULT_ONBOARDING_TOPICS = [
    _option("data-engineering", N_("Data engineering"), N_("pipelines, warehouses, orchestration"),
            None, "data-engineering"),
    _option("analytics-engineering", N_("Analytics engineering"), N_("dbt and data modelling"), None, "analytics"),
    _option("analytics", N_("Data analysis and BI"), N_("dashboards, SQL, spreadsheets"), None, "analytics"),
    _option("data-science", N_("Data science and statistics"), N_("modelling and experiments"), None, "data-science"),
    _option("machine-learning", N_("Machine learning"), N_("training and evaluating models"), None, "machine-learning"),
    _option("mlops", N_("MLOps"), N_("deployment, monitoring, ML platforms"), None, "mlops"),
    _option("nlp", N_("LLMs and NLP"), N_("language models and text"), None, "llms"),
    _option("computer-vision", N_("Computer vision"), N_("images and video"), None, "machine-learning"),
    _option("data-management", N_("Data quality and governance"), N_("quality, lineage, versioning"), None,
            "data-engineering"),
    _option("open-source", N_("Open source"), N_("building and contributing"), None, "open-source"),
    _option("competitions", N_("Competitions and hackathons"), N_("challenges with leaderboards"),
            None, "competitions"),
    _option("learning", N_("Courses and study groups"), N_("free courses and learning together"), None, "learning"),
    _option("careers", N_("Careers and jobs"), N_("job hunting, interviews, growth"), None, "careers"),
    _option("events", N_("Meetups and events"), N_("talks, meetups, conferences"), None, "events"),
]
_REGION_ZONES = {
    "africa": (N_("Africa"), "Africa/Lagos Africa/Accra Africa/Nairobi Africa/Addis_Ababa Africa/Kampala "
               "Africa/Dar_es_Salaam Africa/Kigali Africa/Johannesburg Africa/Harare Africa/Cairo Africa/Casablanca "
               "Africa/Algiers Africa/Tunis Africa/Dakar Africa/Kinshasa"),
    "asia": (N_("Asia"), "Asia/Kolkata Asia/Karachi Asia/Dhaka Asia/Kathmandu Asia/Colombo Asia/Tashkent Asia/Almaty "
             "Asia/Bangkok Asia/Ho_Chi_Minh Asia/Jakarta Asia/Kuala_Lumpur Asia/Singapore Asia/Manila "
             "Asia/Hong_Kong Asia/Shanghai Asia/Taipei Asia/Seoul Asia/Tokyo"),
    "europe": (N_("Europe"), "Europe/Lisbon Europe/London Europe/Dublin Europe/Madrid Europe/Paris Europe/Amsterdam "
               "Europe/Berlin Europe/Zurich Europe/Rome Europe/Prague Europe/Warsaw Europe/Stockholm Europe/Athens "
               "Europe/Bucharest Europe/Helsinki Europe/Kyiv Europe/Istanbul Europe/Moscow"),
    "latin-america": (N_("Latin America"), "America/Mexico_City America/Guatemala America/Costa_Rica America/Panama "
                      "America/Havana America/Santo_Domingo America/Bogota America/Lima America/Caracas "
                      "America/La_Paz America/Santiago America/Asuncion America/Argentina/Buenos_Aires "
                      "America/Montevideo America/Sao_Paulo"),
    "middle-east": (N_("Middle East"), "Asia/Dubai Asia/Riyadh Asia/Qatar Asia/Kuwait Asia/Baghdad Asia/Tehran "
                    "Asia/Jerusalem Asia/Amman Asia/Beirut Europe/Istanbul Africa/Cairo"),
    "north-america": (N_("North America"), "America/St_Johns America/Halifax America/Toronto America/New_York "
                      "America/Chicago America/Winnipeg America/Monterrey America/Mexico_City America/Denver "
                      "America/Edmonton America/Phoenix America/Vancouver America/Los_Angeles America/Tijuana "
                      "America/Anchorage Pacific/Honolulu"),
    "oceania": (N_("Oceania"), "Australia/Perth Australia/Darwin Australia/Adelaide Australia/Brisbane "
                "Australia/Sydney "
                "Australia/Melbourne Australia/Hobart Pacific/Port_Moresby Pacific/Guam Pacific/Auckland "
                "Pacific/Fiji"),
}
DEFAULT_ONBOARDING_REGIONS = [
    {"key": key, "label": label, "timezones": zones.split()} for key, (label, zones) in _REGION_ZONES.items()
]


# The default wording is translated where it is shown; a server's own wording is shown as it wrote it.
DEFAULT_GREETING = N_(
    "Welcome to **{server}**! A few quick questions so we can point you to the right channels and people."
)


def _menu(defaults: list[dict[str, Any]], description: str) -> Any:
    return Field(default_factory=lambda: list(defaults), validate_default=True, description=description)


class OnboardingSettings(FeatureSettings):
    """The welcome flow and mentoring: the questions, what each answer gives, and the timing rules."""

    section_name: ClassVar[str] = "onboarding"

    enabled: bool = Field(True, description="send the welcome DM to new members")
    greeting: str = Field(
        DEFAULT_GREETING,
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
        20.0, gt=0, le=50, json_schema_extra=PROCESS_WIDE,
        description="welcome DMs started per second in a join wave (each costs one or two of Discord's ~50 requests/s)",
    )
    dm_workers: int = Field(
        4, ge=1, le=16, description="welcome DMs in flight at once", json_schema_extra=PROCESS_WIDE
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



def shown(text: str) -> str:
    """A label or line of the settings in the current language: the default wording is translated, a server's own
    wording is shown as it is (a catalog has no translation for it)."""
    return _(text) if text else text
