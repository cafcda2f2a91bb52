"""Who may do what to a question, and the words the bot uses; plain values only, no Discord objects."""

from __future__ import annotations

from dataclasses import dataclass

from bot.discord_helpers import clip, jump_url
from cogs.qa.rules import Action
from cogs.qa.search import HIT_END, HIT_START, Hit
from cogs.qa.store import Question
from cogs.qa.text import format_age, inert, split_tags

# The bot's reminders start with these, so after a crash it can tell whether one went out already.
ACTION_PREFIX = {Action.NUDGE: "🔔 ", Action.SURFACE: "🙋 "}
ANSWER_TEXT_LIMIT = 4000


@dataclass(frozen=True)
class Actor:
    """The member invoking a command, as far as the rules care."""

    user_id: int
    can_manage_threads: bool  # Manage Threads in the thread, Manage Server, or the moderator role


def mark_refusal(
    question: Question, actor: Actor, *, message_id: int, author_id: int, author_is_bot: bool
) -> str | None:
    """Why `actor` may not accept this message as the answer, or None when they may."""
    if actor.user_id != question.asker_id and not actor.can_manage_threads:
        return (
            f"Only the person who asked (<@{question.asker_id}>) or someone who can manage threads can mark "
            "the accepted answer here."
        )
    if message_id == question.thread_id:
        return "That is the question itself. Pick the reply that answered it."
    if author_is_bot:
        return "Pick a member's reply: a message from a bot cannot be the accepted answer."
    if question.solved and question.answer_message_id == message_id:
        return "That reply is already the accepted answer."
    return None


def reopen_refusal(question: Question, actor: Actor) -> str | None:
    """Why `actor` may not reopen this question, or None."""
    if not question.solved:
        return "This question is open already."
    if actor.user_id != question.asker_id and not actor.can_manage_threads:
        return f"Only the person who asked (<@{question.asker_id}>) or someone who can manage threads can reopen it."
    return None


# --- what the bot writes ---------------------------------------------------------------------------


def post_header(asker_id: int) -> str:
    return f"-# Asked by <@{asker_id}> with /ask"


def accepted_notice(question: Question, marked_by: int, *, moved: bool) -> str:
    """The reply in the thread that links the accepted answer (no pings: it goes out with none)."""
    link = jump_url(question.guild_id, question.thread_id, question.answer_message_id)
    who = "" if question.answer_author_id == marked_by else f" by <@{question.answer_author_id}>"
    verb = "moved the accepted answer to" if moved else "marked"
    tail = "" if moved else " as the accepted answer"
    return (
        f"✅ **Solved.** <@{marked_by}> {verb} [this reply]({link}){who}{tail}.\n"
        "-# Someone else with the same question can search for it with `/qa search`."
    )


def reopened_notice(by_id: int) -> str:
    return f"🔓 <@{by_id}> reopened this question: it needs an answer again."


def nudge_text(asker_id: int) -> str:
    return (
        f"{ACTION_PREFIX[Action.NUDGE]}<@{asker_id}>, did a reply here solve your question? Right-click it (or"
        " long-press on mobile) and choose **Apps → Mark as answer**, so others with the same question find it."
    )


def surface_text(role_id: int | None, hours: int) -> str:
    when = "a day" if hours == 24 else f"{hours} hours"
    who = f"<@&{role_id}> " if role_id else ""
    return (
        f"{ACTION_PREFIX[Action.SURFACE]}{who}This question has had no reply for {when}. If you know something"
        " that could help, even a pointer, please jump in."
    )


def snippet_text(snippet: str, limit: int = 160) -> str:
    """A search snippet made inert, with the matched words in bold."""
    flat = clip(" ".join(snippet.split()), limit)
    if flat.count(HIT_START) > flat.count(HIT_END):  # the cut fell inside a highlighted word
        flat += HIT_END
    return inert(flat).replace(HIT_START, "**").replace(HIT_END, "**")


def hit_line(hit: Hit, guild_id: int, now: int) -> str:
    mark = "✅" if hit.solved else "❓"
    title = inert(clip(hit.title, 90))
    tags = ", ".join(split_tags(hit.tags))
    tag_text = f" · {inert(tags)}" if tags else ""
    answer = ""
    if hit.solved and hit.answer_message_id:
        answer = f" · [answer]({jump_url(guild_id, hit.thread_id, hit.answer_message_id)})"
    age = format_age(now - hit.created_at)
    line = f"{mark} [{title}]({jump_url(guild_id, hit.thread_id)}){answer}{tag_text} · {age} ago"
    snippet = snippet_text(hit.snippet)
    return f"{line}\n> {snippet}" if snippet.strip() else line


def answer_text(content: str) -> str:
    """What is stored of an accepted answer's text."""
    return clip(content, ANSWER_TEXT_LIMIT)
