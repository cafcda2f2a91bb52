"""What members see of Q&A: the bot's notices and reminders, replies, search results, lists and statistics."""

from __future__ import annotations

import re

import discord

from bot import formatting, i18n
from bot.discord_helpers import clip, inert, jump_url
from bot.i18n import N_, _, ngettext
from cogs.qa.models import (
    HIT_END,
    HIT_START,
    AnswerRefusal,
    Hit,
    OpenQuestion,
    Outcome,
    Problem,
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


# --- users' text inside the bot's messages ---------------------------------------------------------


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


# --- durations written out (formatting.age and formatting.duration, in the current language) ---------------------

_UNITS = ((N_("{n} d"), 86400), (N_("{n} h"), 3600), (N_("{n} min"), 60), (N_("{n} s"), 1))


def age(seconds: float) -> str:
    """How long ago, in one unit, never "0": "1 min", "5 h", "3 d" (as formatting.age, translated)."""
    seconds = max(0, int(seconds))
    if seconds < 3600:
        return _("{n} min").format(n=i18n.number(max(1, seconds // 60)))
    if seconds < 2 * 86400:
        return _("{n} h").format(n=i18n.number(seconds // 3600))
    return _("{n} d").format(n=i18n.number(seconds // 86400))


def duration(seconds: float | None, *, parts: int = 2) -> str:
    """A duration in its largest units: "45 s", "3 h 5 min" (as formatting.duration, translated)."""
    if seconds is None:
        return formatting.NONE_SHOWN
    left = max(0, int(seconds))
    shown: list[tuple[str, int]] = []
    for unit, size in _UNITS:
        count, left = divmod(left, size)
        if count or (shown and len(shown) < parts):
            shown.append((unit, count))
        if len(shown) == parts:
            break
    while len(shown) > 1 and shown[-1][1] == 0:
        shown.pop()
    if not shown:
        shown = [(_UNITS[-1][0], 0)]
    return " ".join(_(unit).format(n=i18n.number(count)) for unit, count in shown)


# --- what the bot writes in question threads -------------------------------------------------------


def post_header(asker_id: int) -> str:
    return "-# " + _("Asked by {asker} with /ask").format(asker=f"<@{asker_id}>")


def forgotten_post_header() -> str:
    """The header once the asker asked the bot to forget them."""
    return "-# " + _("Asked with /ask")


def who(user_id: int | None) -> str:
    """A member as the bot names them; None or 0 once they asked the bot to forget them (bot/member_data.py)."""
    return f"<@{user_id}>" if user_id else _("a former member")


def text_post_starter(title: str, asker_id: int) -> str:
    """The starter message of a question thread in a text channel (forum posts carry the title themselves)."""
    return f"❓ **{inert(title)}**\n{post_header(asker_id)}"


def accepted_notice(question: Question, marked_by: int | None, *, moved: bool) -> str:
    """The reply in the thread that links the accepted answer (no pings: it goes out with none)."""
    link = jump_url(question.guild_id, question.thread_id, question.answer_message_id)
    values = {"marker": who(marked_by), "link": link, "author": who(question.answer_author_id)}
    same = question.answer_author_id == marked_by
    if moved:
        text = (
            _("✅ **Solved.** {marker} moved the accepted answer to [this reply]({link}).")
            if same
            else _("✅ **Solved.** {marker} moved the accepted answer to [this reply]({link}) by {author}.")
        )
    else:
        text = (
            _("✅ **Solved.** {marker} marked [this reply]({link}) as the accepted answer.")
            if same
            else _("✅ **Solved.** {marker} marked [this reply]({link}) by {author} as the accepted answer.")
        )
    return (
        text.format(**values)
        + "\n-# "
        + _("Someone else with the same question can search for it with `/qa search`.")
    )


def reopened_notice(by_id: int) -> str:
    return "🔓 " + _("{member} reopened this question: it needs an answer again.").format(member=f"<@{by_id}>")


def nudge_text(asker_id: int) -> str:
    return ACTION_PREFIX[QuestionAction.NUDGE] + _(
        "{asker}, did a reply here solve your question? Right-click it (or long-press on mobile) and choose"
        " **Apps → Mark as answer**, so others with the same question find it."
    ).format(asker=f"<@{asker_id}>")


def surface_text(role_id: int | None, hours: int) -> str:
    role = f"<@&{role_id}> " if role_id else ""
    if hours == 24:
        text = _(
            "This question has had no reply for a day. If you know something that could help, even a pointer,"
            " please jump in."
        )
    else:
        text = ngettext(
            "This question has had no reply for {hours} hour. If you know something that could help, even a"
            " pointer, please jump in.",
            "This question has had no reply for {hours} hours. If you know something that could help, even a"
            " pointer, please jump in.",
            hours,
        ).format(hours=i18n.number(hours))
    return f"{ACTION_PREFIX[QuestionAction.SURFACE]}{role}{text}"


def action_failed_report(action: QuestionAction, thread_mention: str, status: int, detail: str) -> str:
    """For the moderators' log: an action given up after several tries."""
    text = {
        QuestionAction.NUDGE: _(
            "Q&A: I could not nudge {thread} after several tries ({status}: {detail})."
            " Check my permissions in the questions channel."
        ),
        QuestionAction.SURFACE: _(
            "Q&A: I could not surface {thread} after several tries ({status}: {detail})."
            " Check my permissions in the questions channel."
        ),
        QuestionAction.ARCHIVE: _(
            "Q&A: I could not archive {thread} after several tries ({status}: {detail})."
            " Check my permissions in the questions channel."
        ),
    }[action]
    return text.format(thread=thread_mention, status=status, detail=detail or _("no detail"))


def problem_report(problem: Problem) -> str:
    """A problem for the moderators' log."""
    return _("Q&A: {problem}").format(problem=problem.render())


# --- replies to the member -------------------------------------------------------------------------


def refusal_text(refusal: AnswerRefusal, question: Question) -> str:
    asker = who(question.asker_id)
    if refusal is AnswerRefusal.NOT_ASKER_MARK:
        return _(
            "Only the person who asked ({asker}) or someone who can manage threads can mark the accepted answer here."
        ).format(asker=asker)
    if refusal is AnswerRefusal.NOT_ASKER_REOPEN:
        return _("Only the person who asked ({asker}) or someone who can manage threads can reopen it.").format(
            asker=asker
        )
    return {
        AnswerRefusal.QUESTION_ITSELF: _("That is the question itself. Pick the reply that answered it."),
        AnswerRefusal.FROM_A_BOT: _("Pick a member's reply: a message from a bot cannot be the accepted answer."),
        AnswerRefusal.ALREADY_ACCEPTED: _("That reply is already the accepted answer."),
        AnswerRefusal.ALREADY_OPEN: _("This question is open already."),
    }[refusal]


def _with_problems(text: str, outcome: Outcome) -> str:
    return text + ("\n-# " + " ".join(p.render() for p in outcome.problems) if outcome.problems else "")


def marked_reply(before: Question, after: Question, outcome: Outcome) -> str:
    """What the member who marked (or moved) the accepted answer is told."""
    author = f"<@{after.answer_author_id}>"
    if not before.solved:
        text = _("Marked the reply by {author} as the accepted answer.").format(author=author)
    elif before.answer_author_id != after.answer_author_id:
        text = _("Moved the accepted answer to the reply by {author}; the credit moved from {previous}.").format(
            author=author, previous=who(before.answer_author_id)
        )
    else:
        text = _("Moved the accepted answer to another reply by {author}.").format(author=author)
    if after.answer_author_id == after.asker_id:
        text += " " + _("(Answering your own question earns no leaderboard credit.)")
    return _with_problems(text, outcome)


def reopened_reply(before: Question, outcome: Outcome) -> str:
    text = _("Reopened. The accepted answer by {author} is no longer marked (nor credited).").format(
        author=who(before.answer_author_id)
    )
    return _with_problems(text, outcome)


def snippet_text(snippet: str, limit: int = 160) -> str:
    """A search snippet made inert, with the matched words in bold."""
    return _bold(inert(_flat_snippet(snippet, limit)))


def _flat_snippet(snippet: str, limit: int) -> str:
    flat = clip(" ".join(snippet.split()), limit)
    if flat.count(HIT_START) > flat.count(HIT_END):  # the cut fell inside a highlighted word
        flat += HIT_END
    return flat


def _bold(text: str) -> str:
    return text.replace(HIT_START, "**").replace(HIT_END, "**")


# Joins the member-written parts of the results so they are made inert in one pass (two regular expressions) instead
# of three per result; neither expression matches it or across it, and it is taken out of the parts first.
_PART = "\x1f"


def hit_lines(hits: list[Hit], guild_id: int, now: int) -> list[str]:
    """One line per result: solved or open, the title linked to the post, the answer's link, tags, age, snippet."""
    parts = []
    for hit in hits:
        parts += [clip(hit.title, 90), ", ".join(split_tags(hit.tags)), _flat_snippet(hit.snippet, 160)]
    safe = inert(_PART.join(part.replace(_PART, " ") for part in parts)).split(_PART)
    link_text, ago = _("answer"), _("{age} ago")
    lines = []
    for i, hit in enumerate(hits):
        title, tags, snippet = safe[3 * i : 3 * i + 3]
        mark = "✅" if hit.solved else "❓"
        answer = ""
        if hit.solved and hit.answer_message_id:
            answer = f" · [{link_text}]({jump_url(guild_id, hit.thread_id, hit.answer_message_id)})"
        tag_text = f" · {tags}" if tags else ""
        when = ago.format(age=age(now - hit.created_at))
        line = f"{mark} [{title}]({jump_url(guild_id, hit.thread_id)}){answer}{tag_text} · {when}"
        lines.append(f"{line}\n> {_bold(snippet)}" if snippet.strip() else line)
    return lines


def similar_text(guild_id: int, hits: list[Hit], now: int) -> str:
    """Shown before posting: solved questions that look like the new one."""
    lines = hit_lines(hits, guild_id, now)
    heading = _(
        "**Before you post:** these solved questions look similar. If one answers yours, there is no need to post."
    )
    return (heading + "\n\n" + "\n".join(lines))[:MESSAGE_LIMIT]


def no_match_text(query: str) -> str:
    shown = inert(clip(" ".join(query.split()), 80))
    return _("No question matches `{query}`. Try other words, or ask it with /ask.").format(query=shown)


def search_embed(query: str, hits: list[Hit], loose: bool, guild_id: int, now: int) -> discord.Embed:
    lines = hit_lines(hits, guild_id, now)
    title = _("Questions matching “{query}”").format(query=" ".join(query.split()))
    embed = discord.Embed(title=clip(title, 256), colour=SEARCH_COLOUR)
    embed.description = clip("\n".join(lines), 4096)
    if loose:
        footer = _("Best matches first. ✅ solved · ❓ open · no question had every word, so these have some of them")
    else:
        footer = _("Best matches first. ✅ solved · ❓ open")
    embed.set_footer(text=footer)
    return embed


def no_open_text(tag: str | None) -> str:
    """/qa unanswered when nothing is open."""
    if tag:
        return _("No open questions tagged `{tag}`. 🎉").format(tag=inert(tag))
    return _("No open questions. 🎉")


def unanswered_embed(
    questions: list[OpenQuestion], total: int, tag: str | None, guild_id: int, now: int
) -> discord.Embed:
    lines = []
    for q in questions:
        if q.reply_count == 0:
            replies = _("no reply yet")
        else:
            replies = ngettext("{n} reply", "{n} replies", q.reply_count).format(n=i18n.number(q.reply_count))
        old = _("{age} old").format(age=age(now - q.created_at))
        lines.append(
            f"❓ [{inert(clip(q.title, 90))}]({jump_url(guild_id, q.thread_id)}) · {old} · {replies}{_tag_text(q.tags)}"
        )
    title = _("Open questions tagged `{tag}`").format(tag=inert(tag)) if tag else _("Open questions")
    embed = discord.Embed(title=title[:256], description=clip("\n".join(lines), 4096))
    embed.set_footer(
        text=_("Showing {shown} of {total}, oldest first. Archived posts are not listed.").format(
            shown=i18n.number(len(questions)), total=i18n.number(total)
        )
    )
    return embed


def _answers(count: int) -> str:
    return ngettext("{n} accepted answer", "{n} accepted answers", count).format(n=i18n.number(count))


def leaderboard_embed(period_name: str, rows: list[tuple[int, int]], mine: int | None) -> discord.Embed:
    """The most helpful members; `mine` is the caller's own count when they are not listed."""
    places = [MEDALS[i] if i < len(MEDALS) else f"`{i + 1}.`" for i in range(len(rows))]
    lines = [
        f"{place} <@{user_id}> · {_answers(count)}" for place, (user_id, count) in zip(places, rows, strict=True)
    ]
    if mine is not None:
        lines.append("\n" + _("You: {answers}").format(answers=_answers(mine)))
    embed = discord.Embed(
        title=_("Most helpful members · {period}").format(period=period_name),
        description="\n".join(lines),
        colour=LEADERBOARD_COLOUR,
    )
    embed.set_footer(
        text=_("An answer counts when the asker (or a moderator) marks it. Self-answers do not count.")
    )
    return embed


def stats_embed(period_name: str, overall: TagStats, tags: list[TagStats]) -> discord.Embed:
    embed = discord.Embed(title=_("Q&A · {period}").format(period=period_name), colour=STATS_COLOUR)
    embed.description = stats_table(overall, tags)
    embed.set_footer(
        text=_("reply: median time to a first reply by someone else · answer: to an accepted answer")
    )
    return embed


def stats_table(overall: TagStats, tags: list[TagStats]) -> str:
    """A monospace table: asked, solved share, median time to first reply and to an accepted answer."""
    # durations are up to 11 characters ("23 h 59 min"), so their columns are 12 wide
    tag, asked, solved, reply, answer = _("tag"), _("asked"), _("solved"), _("reply"), _("answer")
    header = f"{tag:<16}{asked:>6}{solved:>8}{reply:>12}{answer:>12}"

    def row(stats: TagStats) -> str:
        name = clip(stats.name or _("all questions"), 15).replace("`", "'")
        return (
            f"{name:<16}{i18n.number(stats.asked):>6}{i18n.percent(stats.solved_share):>8}"
            f"{duration(stats.median_first_reply):>12}{duration(stats.median_to_answer):>12}"
        )

    if overall.asked == 0:
        return _("No questions were asked in this period.")
    lines = [header, row(overall), *(row(t) for t in tags)]
    return "```\n" + "\n".join(lines) + "\n```"
