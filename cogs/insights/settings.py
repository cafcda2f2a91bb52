"""The `insights` section of the settings file: the weekly digest and how many charts render at once."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, field_validator

from bot.settings import PROCESS_WIDE, FeatureSettings
from cogs.insights.rules import parse_digest


class InsightsSettings(FeatureSettings):
    """Insights: the weekly digest to the moderators' log, and the chart renderer's bound."""

    section_name: ClassVar[str] = "insights"

    digest: str = Field(
        "monday 09:00",
        description="weekly digest to the moderators' log: day and time in the server's time zone, or off",
    )
    render_workers: int = Field(
        2, ge=1, le=8, json_schema_extra=PROCESS_WIDE,
        description="charts rendered at once (each a worker thread; more wait their turn)",
    )

    @field_validator("digest")
    @classmethod
    def _digest_is_a_day_and_time(cls, value: str) -> str:
        parse_digest(value)  # raises ValueError with the problem
        return value.strip().lower()
