"""What moderators read: a report's numbers as text beside its charts, and the weekly digest.

Both are written in the current language: a report in the moderator's (it answers their command), the digest in the
server's (the sender wraps it in `i18n.using(languages.of_server(...))`).
"""

from __future__ import annotations

from datetime import date

from bot import i18n
from bot.discord_helpers import clip
from bot.i18n import _, ngettext
from cogs.insights.models import Report, WeekFigures
from cogs.insights.rules import change_text, day_text, share_text, week_range

MESSAGE_LIMIT = 2000


def report_text(report: Report) -> str:
    """The key numbers, the lists and one sentence per chart (the text equivalent), within one message."""
    p = report.period
    lines = [ngettext(
        "**Insights: {area}**, last {days} day ({first} to {last}, {zone})",
        "**Insights: {area}**, last {days} days ({first} to {last}, {zone})",
        p.days,
    ).format(area=report.area.label, days=i18n.number(p.days), first=day_text(p.first), last=day_text(p.last),
             zone=p.zone)]
    lines += ["- " + _("{label}: **{value}**").format(label=label, value=value) for label, value in report.numbers]
    for title, items in report.lists:
        lines.append(_("**{title}:** {items}").format(title=title, items=i18n.join(items)))
    if report.chart_notes:
        lines.append(_("**Charts:**"))
        lines += [f"{i}. {note}" for i, note in enumerate(report.chart_notes, start=1)]
    return clip("\n".join(lines), MESSAGE_LIMIT)


def digest_text(server: str, first: date, this: WeekFigures, before: WeekFigures) -> str:
    """The weekly digest: last week's figures, each beside the week before."""

    def line(label: str, value: str) -> str:
        return "- " + _("{label}: {value}").format(label=label, value=value)

    lines = [
        _("📊 **Weekly insights for {server}**: {week}, compared with the week before").format(
            server=server, week=week_range(first)
        ),
        line(_("Joins"), change_text(this.joins, before.joins)),
        line(_("Leaves"), change_text(this.leaves, before.leaves)),
        line(_("Messages"), change_text(this.messages, before.messages)),
        line(_("Active members"), change_text(this.active_members, before.active_members)),
        line(_("Finished onboarding"), change_text(this.onboarding_finished, before.onboarding_finished)),
        line(_("Questions asked"), change_text(this.questions, before.questions)),
        line(_("Answered within 24 h"), _("{share} (the week before: {before})").format(
            share=share_text(this.answered_in_24h, this.questions),
            before=share_text(before.answered_in_24h, before.questions),
        )),
        line(_("Events held"), _("{held}, Going in all: {going}").format(
            held=change_text(this.events_held, before.events_held), going=change_text(this.going, before.going)
        )),
        _("Charts and more with `/insights overview`."),
    ]
    return clip("\n".join(lines), MESSAGE_LIMIT)
