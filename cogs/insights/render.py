"""What moderators read: a report's numbers as text beside its charts, and the weekly digest."""

from __future__ import annotations

from datetime import date, timedelta

from bot.discord_helpers import clip
from cogs.insights.models import Report, WeekFigures
from cogs.insights.rules import change_text, share_text

MESSAGE_LIMIT = 2000


def report_text(report: Report) -> str:
    """The key numbers, the lists and one sentence per chart (the text equivalent), within one message."""
    p = report.period
    lines = [f"**Insights: {report.area.label}**, last {p.days} days ({p.first:%d %b %Y} to {p.last:%d %b %Y}, "
             f"{p.zone})"]
    lines += [f"- {label}: **{value}**" for label, value in report.numbers]
    for title, items in report.lists:
        lines.append(f"**{title}:** " + ", ".join(items))
    if report.chart_notes:
        lines.append("**Charts:**")
        lines += [f"{i}. {note}" for i, note in enumerate(report.chart_notes, start=1)]
    return clip("\n".join(lines), MESSAGE_LIMIT)


def digest_text(server: str, first: date, this: WeekFigures, before: WeekFigures) -> str:
    """The weekly digest: last week's figures, each beside the week before."""
    last = first + timedelta(days=6)
    lines = [
        f"📊 **Weekly insights for {server}**: {first:%a %d %b} to {last:%a %d %b %Y}, compared with the week before",
        f"- Joins: {change_text(this.joins, before.joins)}",
        f"- Leaves: {change_text(this.leaves, before.leaves)}",
        f"- Messages: {change_text(this.messages, before.messages)}",
        f"- Active members: {change_text(this.active_members, before.active_members)}",
        f"- Finished onboarding: {change_text(this.onboarding_finished, before.onboarding_finished)}",
        f"- Questions asked: {change_text(this.questions, before.questions)}",
        f"- Answered within 24 h: {share_text(this.answered_in_24h, this.questions)}"
        f" (the week before: {share_text(before.answered_in_24h, before.questions)})",
        f"- Events held: {change_text(this.events_held, before.events_held)}, "
        f"Going in all: {change_text(this.going, before.going)}",
        "Charts and more with `/insights overview`.",
    ]
    return clip("\n".join(lines), MESSAGE_LIMIT)
