"""The `communities` section of the settings file: the directory file and how /communities shows it."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from bot.settings import PROCESS_WIDE, FeatureSettings


class CommunitiesSettings(FeatureSettings):
    """The community directory and /communities."""

    section_name: ClassVar[str] = "communities"

    directory_file: str = Field(
        "data/communities.yaml",
        description="the shipped directory of communities (YAML), validated at start",
        json_schema_extra=PROCESS_WIDE,
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

    def check_files(self) -> None:
        """The directory file is validated before the bot connects: a broken one stops it with exit code 2."""
        from cogs.communities.directory_file import load_directory, resolve_data_path  # pydantic models: lazily

        load_directory(resolve_data_path(self.directory_file))
