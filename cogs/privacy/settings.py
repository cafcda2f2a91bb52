"""The `privacy` section of the settings file: how long the data of members who left is kept."""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field

from bot.settings import PROCESS_WIDE, FeatureSettings


def _time_of_day(value: Any) -> str:
    if isinstance(value, int) and 0 <= value < 24 * 60:  # YAML 1.1 reads an unquoted 03:30 as 210 (minutes)
        value = f"{value // 60}:{value % 60:02d}"
    text = str(value).strip()
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", text)
    if match is None:
        raise ValueError("must be a time of day in UTC as HH:MM, e.g. 03:30")
    return f"{int(match[1]):02d}:{match[2]}"


TimeOfDay = Annotated[str, BeforeValidator(_time_of_day)]


class PrivacySettings(FeatureSettings):
    """Member data: retention of what is stored about members who left the server."""

    section_name: ClassVar[str] = "privacy"

    forget_left_after_days: int = Field(
        180, ge=0, le=3650,
        description="days after a member leaves before everything stored about them is forgotten (0: never)",
    )


class BackupsSettings(FeatureSettings):
    """Scheduled backups of the database: where, how many are kept, and when (docs/backups.md)."""

    section_name: ClassVar[str] = "backups"

    directory: str = Field(
        "", json_schema_extra=PROCESS_WIDE, description="folder for the daily backups; empty: no scheduled backups"
    )
    keep: int = Field(7, ge=1, le=365, json_schema_extra=PROCESS_WIDE, description="backups kept (the oldest go)")
    at: TimeOfDay = Field("03:30", json_schema_extra=PROCESS_WIDE, description="when the daily backup runs (UTC)")
