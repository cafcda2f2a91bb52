"""The `qa` section of the settings file: nudges, surfacing to helpers, archiving and the leaderboard."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, field_validator

from bot.settings import FeatureSettings, OptionalRoleRef

# The questions forum's starter tags (members pick up to 5 per post with /ask); edit them in the settings file.
DEFAULT_FORUM_TAGS = ("Python", "SQL", "Machine learning", "Data engineering", "Analytics", "Career")


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
    forum_tags: list[str] = Field(
        default_factory=lambda: list(DEFAULT_FORUM_TAGS), max_length=19,
        description="tags /setup create gives the questions forum besides solved_tag (20 at most in all)",
    )

    @field_validator("forum_tags")
    @classmethod
    def _tags_fit_a_forum(cls, tags: list[str]) -> list[str]:
        cleaned = [tag.strip() for tag in tags]
        if any(not 1 <= len(tag) <= 20 for tag in cleaned):
            raise ValueError("each tag is 1-20 characters (Discord's limit for a forum tag)")
        folded = [tag.casefold() for tag in cleaned]
        if len(set(folded)) != len(folded):
            raise ValueError("a tag is listed twice")
        return cleaned

    def setup_forum_tags(self) -> dict[str, list[tuple[str, bool, str | None]]]:
        """What /setup create gives the questions forum, as (tag, moderated, emoji): the solved tag is moderated,
        so only the bot and moderators (Manage Threads) put it on a post."""
        tags: list[tuple[str, bool, str | None]] = [(self.solved_tag, True, "✅")]
        tags += [(tag, False, None) for tag in self.forum_tags if tag.casefold() != self.solved_tag.casefold()]
        return {"channels.questions": tags}

