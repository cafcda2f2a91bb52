"""The `privacy` section of the settings file: how long the data of members who left is kept."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from bot.settings import FeatureSettings


class PrivacySettings(FeatureSettings):
    """Member data: retention of what is stored about members who left the server."""

    section_name: ClassVar[str] = "privacy"

    forget_left_after_days: int = Field(
        180, ge=0, le=3650,
        description="days after a member leaves before everything stored about them is forgotten (0: never)",
    )
