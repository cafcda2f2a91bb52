"""The timing rules of a question (nudge, surfacing to helpers, archive), computed from stored timestamps.

Pure functions over plain values, so the rules are tested against any clock and a restart cannot change
what they say: the database holds the timestamps, these functions say what is due and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cogs.qa.settings import QASettings as QA


class Action(StrEnum):
    """Something the bot does to a question by itself, once."""

    SURFACE = "surface"  # no reply at all after a day: a message for helpers
    NUDGE = "nudge"  # others replied, then quiet: ask the asker to mark the answer
    ARCHIVE = "archive"  # quiet long enough: archive the thread


# When several are due at once (after downtime), messages go out before the thread is archived.
ACTION_ORDER = (Action.SURFACE, Action.NUDGE, Action.ARCHIVE)

HOUR = 3600


@dataclass(frozen=True)
class Timing:
    """A guild's Q&A timings in seconds."""

    nudge_after: int
    unanswered_after: int
    archive_solved_after: int
    archive_open_after: int

    @classmethod
    def from_settings(cls, qa: QA) -> Timing:
        return cls(
            nudge_after=qa.nudge_after_hours * HOUR,
            unanswered_after=qa.unanswered_after_hours * HOUR,
            archive_solved_after=qa.archive_solved_after_hours * HOUR,
            archive_open_after=qa.archive_after_days * 24 * HOUR,
        )


@dataclass(frozen=True)
class QuestionTimes:
    """The stored facts the rules read (unix seconds)."""

    solved: bool
    created_at: int
    last_activity_at: int
    bot_activity_at: int | None
    reply_count: int
    nudged_at: int | None
    surfaced_at: int | None
    archived_at: int | None

    @property
    def quiet_since(self) -> int:
        """The last message in the thread by anyone, the bot's own notices and reminders included."""
        return max(self.last_activity_at, self.bot_activity_at or 0)


def pending_actions(q: QuestionTimes, timing: Timing) -> dict[Action, int]:
    """Each action still to do with the instant it falls due.

    - SURFACE: open, nobody but the asker wrote, `unanswered_after` after the question was asked.
    - NUDGE: open, someone else replied, then `nudge_after` of quiet.
    - ARCHIVE: not archived, quiet for `archive_solved_after` (solved) or `archive_open_after` (open).
    The reminders do not wait for the thread to be unarchived: posting one wakes the thread up.
    """
    due: dict[Action, int] = {}
    if not q.solved and q.surfaced_at is None and q.reply_count == 0:
        due[Action.SURFACE] = q.created_at + timing.unanswered_after
    if not q.solved and q.nudged_at is None and q.reply_count > 0:
        due[Action.NUDGE] = q.quiet_since + timing.nudge_after
    if q.archived_at is None:
        wait = timing.archive_solved_after if q.solved else timing.archive_open_after
        due[Action.ARCHIVE] = q.quiet_since + wait
    return due


def next_due(q: QuestionTimes, timing: Timing, retry_at: int | None = None) -> int | None:
    """The earliest instant any action falls due (not before a pending retry), or None."""
    due = pending_actions(q, timing)
    if not due:
        return None
    earliest = min(due.values())
    return max(earliest, retry_at) if retry_at is not None else earliest


def due_now(q: QuestionTimes, timing: Timing, now: int) -> list[Action]:
    """The actions due at `now`, in the order they should be carried out.

    An ARCHIVE that falls due together with a reminder waits: the reminder is activity, so the
    thread stays open for the full quiet period after it.
    """
    due = pending_actions(q, timing)
    ready = [action for action in ACTION_ORDER if action in due and due[action] <= now]
    if Action.ARCHIVE in ready and len(ready) > 1:
        ready.remove(Action.ARCHIVE)
    return ready
