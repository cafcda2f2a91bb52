"""Pure text helpers for Q&A: thread titles, splitting long questions, tags, ages; no Discord objects."""

from __future__ import annotations

import re

import discord

SOLVED_PREFIX = "[Solved] "
THREAD_NAME_LIMIT = 100
MESSAGE_LIMIT = 2000
MAX_APPLIED_TAGS = 5
TAG_NAME_LIMIT = 20

_FENCE = re.compile(r"^\s*```(\S*)")


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


_MARKDOWN = re.compile(r"([\\*_~`|>#\[\]<])")


def inert(text: str) -> str:
    """User text to embed inside the bot's own formatting, shown literally.

    Pings are already impossible (every message goes out with allowed_mentions none); this keeps a
    title like `# **@everyone** [link](x) <@123>` from changing how the bot's message looks: markdown,
    masked links, headings, quotes and mention or emoji syntax are escaped, mass mentions broken.
    """
    return discord.utils.escape_mentions(_MARKDOWN.sub(r"\\\1", text))


def _hard_cut(line: str, limit: int) -> list[str]:
    return [line[i : i + limit] for i in range(0, len(line), limit)] or [""]


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut text into messages of at most `limit` characters, at line breaks where possible.

    A code block cut in two is closed at the end of one part and reopened (same language) at the start
    of the next, so the asker's code still renders as code.
    """
    if limit < 40:
        raise ValueError("limit too small to split safely")
    text = text.strip("\n")
    if len(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    current: list[str] = []
    size = 0
    fence: str | None = None  # the opening fence line when inside a code block
    reserve = 4  # room for a closing "\n```"

    def flush() -> None:
        nonlocal current, size
        body = "\n".join(current)
        if fence is not None:
            body += "\n```"
        if body.strip():
            parts.append(body)
        current = [fence] if fence is not None else []
        size = len(fence) + 1 if fence is not None else 0

    for line in text.split("\n"):
        pieces = _hard_cut(line, limit - 44) if len(line) > limit - 44 else [line]
        for piece in pieces:
            if size + len(piece) + 1 + reserve > limit and current:
                flush()
            current.append(piece)
            size += len(piece) + 1
            match = _FENCE.match(piece)
            if match and piece.strip().count("```") % 2 == 1:
                fence = None if fence is not None else "```" + match.group(1)[:20]
    # an asker who left a block open at the very end gets it as written: no closing fence is invented
    body = "\n".join(current)
    if body.strip():
        parts.append(body)
    return parts


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
    matched, unknown = [], []
    for name in requested:
        found = by_lower.get(name.lower())
        if found is None:
            unknown.append(name)
        elif found not in matched:
            matched.append(found)
    return matched, unknown


def join_tags(names: list[str]) -> str:
    """The stored (and searched) form of a question's tags."""
    return "\n".join(names)


def split_tags(stored: str) -> list[str]:
    return [name for name in stored.split("\n") if name]


def format_age(seconds: float) -> str:
    """A short human age: 45 min, 5 h, 3 d."""
    seconds = max(0, int(seconds))
    if seconds < 3600:
        return f"{max(1, seconds // 60)} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def format_duration(seconds: float | None) -> str:
    """A median duration for statistics; '—' when there is none."""
    if seconds is None:
        return "—"
    seconds = int(seconds)
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"
    return f"{seconds // 86400}d{(seconds % 86400) // 3600:02d}h"
