"""The `setup` section of the settings file: where /setup create puts the channels it makes."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from bot.settings import FeatureSettings


class SetupSettings(FeatureSettings):
    """/setup: the category new channels go in."""

    section_name: ClassVar[str] = "setup"

    category: str = Field(
        "Community", min_length=1, max_length=100,
        description="the category /setup create puts the channels it makes in (reused when it exists)",
    )
