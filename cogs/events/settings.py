"""The `events` section of the settings file: who organises, default reminders and the timing rules."""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field

from bot.settings import PROCESS_WIDE, FeatureSettings, OptionalRoleRef

_OFFSET_LIST = re.compile(r"^\s*(none|off|(\d+\s*[mhdw]\s*)+(,\s*(\d+\s*[mhdw]\s*)+)*)\s*$", re.IGNORECASE)


def _reminder_offsets(value: Any) -> str:
    if not isinstance(value, str) or not _OFFSET_LIST.match(value):
        raise ValueError("must be offsets before the start such as '1d,1h,10m' (m, h, d, w), or 'none'")
    return value.strip().lower()


ReminderOffsets = Annotated[str, BeforeValidator(_reminder_offsets)]


class EventsSettings(FeatureSettings):
    """Meetups: who may organise them, what reminders they get by default, and the timing rules."""

    section_name: ClassVar[str] = "events"

    organiser_role: OptionalRoleRef = Field(
        None, description="members with this role may create and manage events (besides Manage Events)"
    )
    default_reminders: ReminderOffsets = Field("1d,1h", description="reminders before each event, e.g. 1d,1h,10m")
    default_duration_minutes: int = Field(60, ge=5, le=20160, description="how long an event lasts unless given")
    reminder_grace_minutes: int = Field(
        30, ge=0, le=1440, description="a reminder that fell due while the bot was offline is sent if this late"
    )
    dm_reminders: bool = Field(True, description="also DM reminders to members who said Going")
    claim_lease_seconds: int = Field(
        180, ge=10, le=3600, json_schema_extra=PROCESS_WIDE,
        description="PostgreSQL with several processes: how long a reminder claimed by another process is left to it",
    )

