"""What members see of Q&A: the bot's notices and reminders, replies, search results, lists and statistics."""

from __future__ import annotations

import re

import discord

from bot import formatting
from bot.discord_helpers import clip, jump_url
from cogs.qa.models import (
    HIT_END,
    HIT_START,
    AnswerRefusal,
    Hit,
    OpenQuestion,
    Outcome,
    Question,
    QuestionAction,
    TagStats,
    split_tags,
)

MESSAGE_LIMIT = 2000
SEARCH_COLOUR = 0x2B7A78
LEADERBOARD_COLOUR = 0xF2B705
STATS_COLOUR = 0x3B82F6
MEDALS = ("🥇", "🥈", "🥉")

# The bot's reminders start with these, so after a crash it can tell whether one went out already.
ACTION_PREFIX = {QuestionAction.NUDGE: "🔔 ", QuestionAction.SURFACE: "🙋 "}

_FENCE = re.compile(r"^\s*```(\S*)")
_MARKDOWN = re.compile(r"([\\*_~`|>#\[\]<])")


# --- users' text inside the bot's messages ---------------------------------------------------------


def inert(text: str) -> str:
    """User text to embed inside the bot's own formatting, shown literally."""
    # Pings are already impossible (every message goes out with allowed_mentions none); this keeps a title like
    # `# **@everyone** [link](x) <@123>` from changing how the bot's message looks: markdown, masked links,
    # headings, quotes and mention or emoji syntax are escaped, mass mentions broken.
    return discord.utils.escape_mentions(_MARKDOWN.sub(r"\\\1", text))


def _hard_cut(line: str, limit: int) -> list[str]:
    return [line[i : i + limit] for i in range(0, len(line), limit)] or [""]


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut text into messages of at most `limit` characters, at line breaks where possible."""
    # A code block cut in two is closed at the end of one part and reopened (same language) at the start of the
    # next, so the asker's code still renders as code.
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


def _tag_text(stored: str) -> str:
    tags = ", ".join(split_tags(stored))
    return f" · {inert(tags)}" if tags else ""


# --- what the bot writes in question threads -------------------------------------------------------


def post_header(asker_id: int) -> str:
    return f"-# Asked by <@{asker_id}> with /ask"


FORGOTTEN_POST_HEADER = "-# Asked with /ask"  # the header once the asker asked the bot to forget them


def who(user_id: int | None) -> str:
    """A member as the bot names them; None or 0 once they asked the bot to forget them (bot/member_data.py)."""
    return f"<@{user_id}>" if user_id else "a former member"


def text_post_starter(title: str, asker_id: int) -> str:
    """The starter message of a question thread in a text channel (forum posts carry the title themselves)."""
    return f"❓ **{inert(title)}**\n{post_header(asker_id)}"


def accepted_notice(question: Question, marked_by: int, *, moved: bool) -> str:
    """The reply in the thread that links the accepted answer (no pings: it goes out with none)."""
    link = jump_url(question.guild_id, question.thread_id, question.answer_message_id)
    author = "" if question.answer_author_id == marked_by else f" by {who(question.answer_author_id)}"
    verb = "moved the accepted answer to" if moved else "marked"
    tail = "" if moved else " as the accepted answer"
    return (
        f"✅ **Solved.** <@{marked_by}> {verb} [this reply]({link}){author}{tail}.\n"
        "-# Someone else with the same question can search for it with `/qa search`."
    )


def reopened_notice(by_id: int) -> str:
    return f"🔓 <@{by_id}> reopened this question: it needs an answer again."


def nudge_text(asker_id: int) -> str:
    return (
        f"{ACTION_PREFIX[QuestionAction.NUDGE]}<@{asker_id}>, did a reply here solve your question? Right-click it"
        " (or long-press on mobile) and choose **Apps → Mark as answer**, so others with the same question find it."
    )


def surface_text(role_id: int | None, hours: int) -> str:
    when = "a day" if hours == 24 else f"{hours} hours"
    who = f"<@&{role_id}> " if role_id else ""
    return (
        f"{ACTION_PREFIX[QuestionAction.SURFACE]}{who}This question has had no reply for {when}. If you know"
        " something that could help, even a pointer, please jump in."
    )


def action_failed_report(action: QuestionAction, thread_mention: str, status: int, detail: str) -> str:
    """For the moderators' log: an action given up after several tries."""
    return (
        f"Q&A: I could not {action.value} {thread_mention} after several tries ({status}: {detail or 'no detail'})."
        " Check my permissions in the questions channel."
    )


# --- replies to the member -------------------------------------------------------------------------


def refusal_text(refusal: AnswerRefusal, question: Question) -> str:
    asker = who(question.asker_id)
    return {
        AnswerRefusal.NOT_ASKER_MARK: (
            f"Only the person who asked ({asker}) or someone who can manage threads can mark "
            "the accepted answer here."
        ),
        AnswerRefusal.NOT_ASKER_REOPEN: (
            f"Only the person who asked ({asker}) or someone who can manage threads can reopen it."
        ),
        AnswerRefusal.QUESTION_ITSELF: "That is the question itself. Pick the reply that answered it.",
        AnswerRefusal.FROM_A_BOT: "Pick a member's reply: a message from a bot cannot be the accepted answer.",
        AnswerRefusal.ALREADY_ACCEPTED: "That reply is already the accepted answer.",
        AnswerRefusal.ALREADY_OPEN: "This question is open already.",
    }[refusal]


def _with_problems(text: str, outcome: Outcome) -> str:
    return text + ("\n-# " + " ".join(outcome.problems) if outcome.problems else "")


def marked_reply(before: Question, after: Question, outcome: Outcome) -> str:
    """What the member who marked (or moved) the accepted answer is told."""
    author = f"<@{after.answer_author_id}>"
    if not before.solved:
        text = f"Marked the reply by {author} as the accepted answer."
    elif before.answer_author_id != after.answer_author_id:
        previous = who(before.answer_author_id)
        text = f"Moved the accepted answer to the reply by {author}; the credit moved from {previous}."
    else:
        text = f"Moved the accepted answer to another reply by {author}."
    if after.answer_author_id == after.asker_id:
        text += " (Answering your own question earns no leaderboard credit.)"
    return _with_problems(text, outcome)


def reopened_reply(before: Question, outcome: Outcome) -> str:
    text = f"Reopened. The accepted answer by {who(before.answer_author_id)} is no longer marked (nor credited)."
    return _with_problems(text, outcome)


def snippet_text(snippet: str, limit: int = 160) -> str:
    """A search snippet made inert, with the matched words in bold."""
    flat = clip(" ".join(snippet.split()), limit)
    if flat.count(HIT_START) > flat.count(HIT_END):  # the cut fell inside a highlighted word
        flat += HIT_END
    return inert(flat).replace(HIT_START, "**").replace(HIT_END, "**")


def hit_line(hit: Hit, guild_id: int, now: int) -> str:
    mark = "✅" if hit.solved else "❓"
    title = inert(clip(hit.title, 90))
    answer = ""
    if hit.solved and hit.answer_message_id:
        answer = f" · [answer]({jump_url(guild_id, hit.thread_id, hit.answer_message_id)})"
    age = formatting.age(now - hit.created_at)
    line = f"{mark} [{title}]({jump_url(guild_id, hit.thread_id)}){answer}{_tag_text(hit.tags)} · {age} ago"
    snippet = snippet_text(hit.snippet)
    return f"{line}\n> {snippet}" if snippet.strip() else line


def similar_text(guild_id: int, hits: list[Hit], now: int) -> str:
    """Shown before posting: solved questions that look like the new one."""
    lines = [hit_line(hit, guild_id, now) for hit in hits]
    return (
        "**Before you post:** these solved questions look similar. If one answers yours, there is no need"
        " to post.\n\n" + "\n".join(lines)
    )[:MESSAGE_LIMIT]


def no_match_text(query: str) -> str:
    shown = inert(clip(" ".join(query.split()), 80))
    return f"No question matches `{shown}`. Try other words, or ask it with /ask."


def search_embed(query: str, hits: list[Hit], loose: bool, guild_id: int, now: int) -> discord.Embed:
    lines = [hit_line(hit, guild_id, now) for hit in hits]
    embed = discord.Embed(title=clip(f"Questions matching “{' '.join(query.split())}”", 256), colour=SEARCH_COLOUR)
    embed.description = clip("\n".join(lines), 4096)
    footer = "Best matches first. ✅ solved · ❓ open"
    if loose:
        footer += " · no question had every word, so these have some of them"
    embed.set_footer(text=footer)
    return embed


def tag_label(tag: str | None) -> str:
    return f" tagged `{inert(tag)}`" if tag else ""


def unanswered_embed(
    questions: list[OpenQuestion], total: int, tag: str | None, guild_id: int, now: int
) -> discord.Embed:
    lines = []
    for q in questions:
        replies = "no reply yet" if q.reply_count == 0 else formatting.plural(q.reply_count, "reply", "replies")
        lines.append(
            f"❓ [{inert(clip(q.title, 90))}]({jump_url(guild_id, q.thread_id)})"
            f" · {formatting.age(now - q.created_at)} old · {replies}{_tag_text(q.tags)}"
        )
    embed = discord.Embed(title=f"Open questions{tag_label(tag)}"[:256], description=clip("\n".join(lines), 4096))
    embed.set_footer(text=f"Showing {len(questions)} of {total}, oldest first. Archived posts are not listed.")
    return embed


def leaderboard_embed(period_name: str, rows: list[tuple[int, int]], mine: int | None) -> discord.Embed:
    """The most helpful members; `mine` is the caller's own count when they are not listed."""
    places = [MEDALS[i] if i < len(MEDALS) else f"`{i + 1}.`" for i in range(len(rows))]
    lines = [
        f"{place} <@{user_id}> · {formatting.plural(count, 'accepted answer')}"
        for place, (user_id, count) in zip(places, rows, strict=True)
    ]
    if mine is not None:
        lines.append(f"\nYou: {formatting.plural(mine, 'accepted answer')}")
    embed = discord.Embed(
        title=f"Most helpful members · {period_name}", description="\n".join(lines), colour=LEADERBOARD_COLOUR
    )
    embed.set_footer(text="An answer counts when the asker (or a moderator) marks it. Self-answers do not count.")
    return embed


def stats_embed(period_name: str, overall: TagStats, tags: list[TagStats]) -> discord.Embed:
    embed = discord.Embed(title=f"Q&A · {period_name}", colour=STATS_COLOUR)
    embed.description = stats_table(overall, tags)
    embed.set_footer(text="reply: median time to a first reply by someone else · answer: to an accepted answer")
    return embed


def stats_table(overall: TagStats, tags: list[TagStats]) -> str:
    """A monospace table: asked, solved share, median time to first reply and to an accepted answer."""
    # durations are up to 11 characters ("23 h 59 min"), so their columns are 12 wide
    header = f"{'tag':<16}{'asked':>6}{'solved':>8}{'reply':>12}{'answer':>12}"

    def row(stats: TagStats) -> str:
        name = clip(stats.name or "all questions", 15).replace("`", "'")
        return (
            f"{name:<16}{stats.asked:>6}{stats.solved_share:>8.0%}"
            f"{formatting.duration(stats.median_first_reply):>12}{formatting.duration(stats.median_to_answer):>12}"
        )

    if overall.asked == 0:
        return "No questions were asked in this period."
    lines = [header, row(overall), *(row(t) for t in tags)]
    return "```\n" + "\n".join(lines) + "\n```"
