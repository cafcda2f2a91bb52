"""Q&A's decisions without I/O: the timing rules, who may mark or reopen, titles and tags, statistics.

Pure functions over plain values, so the rules are tested against any clock and a restart cannot change
what they say: the database holds the timestamps, these functions say what is due and when.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from bot.database import Row
from bot.discord_helpers import clip
from cogs.qa.models import (
    SOLVED_PREFIX,
    THREAD_NAME_LIMIT,
    Actor,
    AnswerRefusal,
    Question,
    QuestionAction,
    QuestionTimes,
    TagStats,
)
from cogs.qa.settings import QASettings

TAG_NAME_LIMIT = 20
ANSWER_TEXT_LIMIT = 4000
PERIODS: dict[str, int | None] = {"week": 7, "month": 30, "year": 365, "all": None}

# When several are due at once (after downtime), messages go out before the thread is archived.
ACTION_ORDER = (QuestionAction.SURFACE, QuestionAction.NUDGE, QuestionAction.ARCHIVE)

HOUR = 3600


@dataclass(frozen=True)
class Timing:
    """A guild's Q&A timings in seconds."""

    nudge_after: int
    unanswered_after: int
    archive_solved_after: int
    archive_open_after: int

    @classmethod
    def from_settings(cls, qa: QASettings) -> Timing:
        return cls(
            nudge_after=qa.nudge_after_hours * HOUR,
            unanswered_after=qa.unanswered_after_hours * HOUR,
            archive_solved_after=qa.archive_solved_after_hours * HOUR,
            archive_open_after=qa.archive_after_days * 24 * HOUR,
        )


def pending_actions(q: QuestionTimes, timing: Timing) -> dict[QuestionAction, int]:
    """Each action still to do with the instant it falls due."""
    # SURFACE: open, nobody but the asker wrote, `unanswered_after` after the question was asked.
    # NUDGE: open, someone else replied, then `nudge_after` of quiet.
    # ARCHIVE: not archived, quiet for `archive_solved_after` (solved) or `archive_open_after` (open).
    # The reminders do not wait for the thread to be unarchived: posting one wakes the thread up.
    due: dict[QuestionAction, int] = {}
    if not q.solved and q.surfaced_at is None and q.reply_count == 0:
        due[QuestionAction.SURFACE] = q.created_at + timing.unanswered_after
    if not q.solved and q.nudged_at is None and q.reply_count > 0:
        due[QuestionAction.NUDGE] = q.quiet_since + timing.nudge_after
    if q.archived_at is None:
        wait = timing.archive_solved_after if q.solved else timing.archive_open_after
        due[QuestionAction.ARCHIVE] = q.quiet_since + wait
    return due


def next_due(q: QuestionTimes, timing: Timing, retry_at: int | None = None) -> int | None:
    """The earliest instant any action falls due (not before a pending retry), or None."""
    due = pending_actions(q, timing)
    if not due:
        return None
    earliest = min(due.values())
    return max(earliest, retry_at) if retry_at is not None else earliest


def due_now(q: QuestionTimes, timing: Timing, now: int) -> list[QuestionAction]:
    """The actions due at `now`, in the order they should be carried out."""
    due = pending_actions(q, timing)
    ready = [action for action in ACTION_ORDER if action in due and due[action] <= now]
    # An archive due together with a reminder waits: the reminder is activity, so the thread stays open for the
    # full quiet period after it.
    if QuestionAction.ARCHIVE in ready and len(ready) > 1:
        ready.remove(QuestionAction.ARCHIVE)
    return ready


# --- who may change the accepted answer ----------------------------------------------------------


def mark_refusal(
    question: Question, actor: Actor, *, message_id: int, author_is_bot: bool
) -> AnswerRefusal | None:
    """Why `actor` may not accept this message as the answer, or None when they may."""
    if actor.user_id != question.asker_id and not actor.can_manage_threads:
        return AnswerRefusal.NOT_ASKER_MARK
    if message_id == question.thread_id:
        return AnswerRefusal.QUESTION_ITSELF
    if author_is_bot:
        return AnswerRefusal.FROM_A_BOT
    if question.solved and question.answer_message_id == message_id:
        return AnswerRefusal.ALREADY_ACCEPTED
    return None


def reopen_refusal(question: Question, actor: Actor) -> AnswerRefusal | None:
    """Why `actor` may not reopen this question, or None."""
    if not question.solved:
        return AnswerRefusal.ALREADY_OPEN
    if actor.user_id != question.asker_id and not actor.can_manage_threads:
        return AnswerRefusal.NOT_ASKER_REOPEN
    return None


def answer_text(content: str) -> str:
    """What is stored of an accepted answer's text."""
    return clip(content, ANSWER_TEXT_LIMIT)


# --- titles and tags as members type them ----------------------------------------------------------


def bare_title(name: str) -> str:
    """A thread name without the bot's solved prefix (what is stored and searched)."""
    stripped = name
    while stripped.lower().startswith(SOLVED_PREFIX.lower()):
        stripped = stripped[len(SOLVED_PREFIX) :]
    return stripped.strip() or name.strip()


def solved_title(name: str) -> str:
    """`[Solved] name`, cut to Discord's 100-character thread name limit."""
    title = SOLVED_PREFIX + bare_title(name)
    return title if len(title) <= THREAD_NAME_LIMIT else title[: THREAD_NAME_LIMIT - 1] + "…"


def clean_title(raw: str) -> str:
    """A title from a modal: one line, spaces collapsed, within the thread name limit."""
    title = " ".join(raw.split())
    return title[:THREAD_NAME_LIMIT]


def parse_tags(raw: str) -> list[str]:
    """Tag names from what an asker typed: comma (or line) separated, '#' optional, no duplicates."""
    seen: dict[str, str] = {}
    for piece in re.split(r"[,\n]", raw):
        name = " ".join(piece.strip().lstrip("#").split())
        if name and name.lower() not in seen:
            seen[name.lower()] = name[:TAG_NAME_LIMIT]
    return list(seen.values())


def match_tags(requested: list[str], available: list[str]) -> tuple[list[str], list[str]]:
    """The available tag names the asker meant (case-insensitive), and the names that matched none."""
    by_lower = {name.lower(): name for name in available}
    matched: list[str] = []
    unknown: list[str] = []
    for name in requested:
        found = by_lower.get(name.lower())
        if found is None:
            unknown.append(name)
        elif found not in matched:
            matched.append(found)
    return matched, unknown


# --- statistics ------------------------------------------------------------------------------------


def period_start(period: str, now: int) -> int | None:
    """The first instant of a report period ("week", "month", ...); None for all time."""
    days = PERIODS.get(period, 30)
    return None if days is None else now - days * 86400


# (created_at, first_reply_at, solved_at) of one question
StatsRow = tuple[int, int | None, int | None]


def _median(values: list[int]) -> float | None:
    return statistics.median(values) if values else None


def _figures(name: str | None, rows: list[StatsRow]) -> TagStats:
    return TagStats(
        name=name,
        asked=len(rows),
        solved=sum(1 for _, _, solved in rows if solved is not None),
        median_first_reply=_median([first - created for created, first, _ in rows if first is not None]),
        median_to_answer=_median([solved - created for created, _, solved in rows if solved is not None]),
    )


def tag_figures(rows: Iterable[Row], tag_rows: Iterable[Row], max_tags: int) -> tuple[TagStats, list[TagStats]]:
    """Figures for all questions and per tag (most asked first); tags differing only in case are one."""
    # rows: (thread, created_at, first_reply_at, solved_at); tag_rows: (tag, thread)
    by_thread: dict[int, StatsRow] = {row[0]: (row[1], row[2], row[3]) for row in rows}
    per_tag: dict[str, list[StatsRow]] = defaultdict(list)
    names: dict[str, str] = {}
    for tag, thread_id in tag_rows:
        names.setdefault(tag.lower(), tag)
        per_tag[tag.lower()].append(by_thread[thread_id])
    overall = _figures(None, list(by_thread.values()))
    tags = sorted(per_tag, key=lambda key: (-len(per_tag[key]), key))[:max_tags]
    return overall, [_figures(names[key], per_tag[key]) for key in tags]
