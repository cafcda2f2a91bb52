"""Q&A's plain values: stored questions and drafts, search hits, report rows, actions and refusals."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum

from bot.database import Row
from bot.i18n import _

SOLVED_PREFIX = "[Solved] "
THREAD_NAME_LIMIT = 100
MAX_APPLIED_TAGS = 5  # Discord's limit of tags on one forum post
# Snippet markers that cannot occur in text: the snippet is markdown-escaped before they become bold.
HIT_START, HIT_END = "\x02", "\x03"


class QuestionAction(StrEnum):
    """Something the bot does to a question by itself, once."""

    SURFACE = "surface"  # no reply at all after a day: a message for helpers
    NUDGE = "nudge"  # others replied, then quiet: ask the asker to mark the answer
    ARCHIVE = "archive"  # quiet long enough: archive the thread


class AnswerRefusal(StrEnum):
    """Why a member may not mark or reopen a question's accepted answer."""

    NOT_ASKER_MARK = "not asker (mark)"
    NOT_ASKER_REOPEN = "not asker (reopen)"
    QUESTION_ITSELF = "the question itself"
    FROM_A_BOT = "from a bot"
    ALREADY_ACCEPTED = "already accepted"
    ALREADY_OPEN = "already open"


def join_tags(names: list[str]) -> str:
    """The stored (and searched) form of a question's tags."""
    return "\n".join(names)


def split_tags(stored: str) -> list[str]:
    return [name for name in stored.split("\n") if name]


@dataclass(frozen=True)
class QuestionTimes:
    """The stored facts the timing rules read (unix seconds)."""

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


@dataclass(frozen=True)
class NewQuestion:
    """A question as first seen: from /ask, or a post made directly in the forum."""

    thread_id: int
    guild_id: int
    channel_id: int
    asker_id: int
    title: str
    body: str
    tags: list[str]
    source: str  # "ask" | "direct"
    created_at: int


@dataclass(frozen=True)
class Question:
    """A stored question row."""

    thread_id: int
    guild_id: int
    channel_id: int
    asker_id: int
    title: str
    body: str
    tags: str
    source: str
    state: str
    created_at: int
    last_activity_at: int
    last_message_id: int
    bot_activity_at: int | None
    first_reply_at: int | None
    reply_count: int
    solved_at: int | None
    answer_message_id: int | None
    answer_author_id: int | None
    answer_text: str
    answer_marked_by: int | None
    answer_marked_at: int | None
    notice_message_id: int | None
    nudged_at: int | None
    surfaced_at: int | None
    archived_at: int | None
    pending_action: str | None
    pending_since: int | None
    attempts: int
    retry_at: int | None
    next_due_at: int | None
    claimed_by: str | None  # the process carrying out its due actions now (0003_claims)
    claimed_at: int | None

    @classmethod
    def from_row(cls, row: Row) -> Question:
        return cls(**{f.name: row[f.name] for f in fields(cls)})

    @property
    def solved(self) -> bool:
        return self.state == "solved"

    @property
    def tag_names(self) -> list[str]:
        return split_tags(self.tags)

    def times(self) -> QuestionTimes:
        return QuestionTimes(
            solved=self.solved,
            created_at=self.created_at,
            last_activity_at=self.last_activity_at,
            bot_activity_at=self.bot_activity_at,
            reply_count=self.reply_count,
            nudged_at=self.nudged_at,
            surfaced_at=self.surfaced_at,
            archived_at=self.archived_at,
        )


QUESTION_COLUMNS = ", ".join(f.name for f in fields(Question))


@dataclass(frozen=True)
class Draft:
    """A question typed into /ask and not posted yet."""

    draft_id: int
    guild_id: int
    user_id: int
    title: str
    body: str
    tags: str
    created_at: int


@dataclass(frozen=True)
class Hit:
    """One search result."""

    thread_id: int
    channel_id: int
    title: str
    solved: bool
    answer_message_id: int | None
    answer_author_id: int | None
    created_at: int
    tags: str
    snippet: str


@dataclass(frozen=True)
class OpenQuestion:
    """A row of /qa unanswered."""

    thread_id: int
    channel_id: int
    title: str
    created_at: int
    reply_count: int
    tags: str


@dataclass(frozen=True)
class TagStats:
    """Figures for one tag (or for all questions when `name` is None)."""

    name: str | None
    asked: int
    solved: int
    median_first_reply: float | None  # seconds
    median_to_answer: float | None  # seconds

    @property
    def solved_share(self) -> float:
        return self.solved / self.asked if self.asked else 0.0


@dataclass(frozen=True)
class Actor:
    """The member invoking a command, as far as the rules care."""

    user_id: int
    can_manage_threads: bool  # Manage Threads in the thread, Manage Server, or the moderator role


@dataclass(frozen=True)
class Problem:
    """Something that kept Discord from showing a change; written out in the reader's language when shown (the
    member who acted reads it in theirs, the moderators' log in the server's)."""

    text: str  # English with {placeholders}, marked with N_() where it is written
    values: tuple[tuple[str, str | int], ...] = ()

    def render(self) -> str:
        return _(self.text).format(**dict(self.values))

    @property
    def key(self) -> str:
        """The same in every language: what the moderators' log is told once about."""
        return self.text.format(**dict(self.values))


def problem(text: str, **values: str | int) -> Problem:
    return Problem(text, tuple(values.items()))


@dataclass
class Outcome:
    """What happened in Discord, for the reply to the member and the moderators' log."""

    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
