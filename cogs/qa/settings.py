"""The `qa` section of the settings file: nudges, surfacing to helpers, archiving and the leaderboard."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from bot.settings import FeatureSettings, OptionalRoleRef


class QASettings(FeatureSettings):
    """Q&A threads: nudges, surfacing to helpers, archiving and the leaderboard."""

    section_name: ClassVar[str] = "qa"

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

