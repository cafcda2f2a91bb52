"""The reports: each area's figures gathered from the store into numbers, lists and chart data (no Discord).

Written in the current language (a report answers a moderator's command, so the member's Discord language): every
label, chart title, axis, series name and chart note is translated here, before the chart goes to a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot import i18n
from bot.i18n import _, ngettext
from cogs.insights.models import Area, ChartKind, ChartSpec, Period, Report, Series, WeekFigures
from cogs.insights.rules import day_text, duration_text, local_midnight, share_text
from cogs.insights.store import InsightsStore, OccurrenceFigures, weekly

MAX_EVENT_BARS = 20


def _n(value: int) -> str:
    return i18n.number(value)


def _signed(value: int) -> str:
    """"+2", "-3" (net growth), in the current language's digits."""
    return ("+" if value >= 0 else "") + i18n.number(value)


def _pair(name: str, count: int) -> str:
    """One item of a list: "#general: 3"."""
    return _("{item}: {count}").format(item=name, count=_n(count))


class InsightsReports:
    """Builds a `Report` per area over a period; `channel_name` turns a channel ID into a name for labels."""

    def __init__(self, store: InsightsStore) -> None:
        self.store = store

    async def build(
        self, area: Area, guild_id: int, period: Period, *, leaderboard: bool = True,
        channel_name: Callable[[int], str] = str,
    ) -> Report:
        report = Report(area, period)
        if area is Area.OVERVIEW:
            await self._overview(report, guild_id, channel_name)
        elif area is Area.ONBOARDING:
            await self._onboarding(report, guild_id)
        elif area is Area.QA:
            await self._qa(report, guild_id, leaderboard)
        elif area is Area.EVENTS:
            await self._events(report, guild_id)
        else:
            await self._mentors(report, guild_id)
        return report

    # --- areas ---------------------------------------------------------------------------------------------------

    async def _overview(self, report: Report, guild_id: int, channel_name: Callable[[int], str]) -> None:
        period, dates = report.period, report.period.dates()
        members = await self.store.member_days(guild_id, period)
        joins = [members.get(d, (0, 0))[0] for d in dates]
        leaves = [members.get(d, (0, 0))[1] for d in dates]
        messages = await self.store.message_days(guild_id, period)
        newcomers = await self.store.newcomers(guild_id, period)
        active_7 = await self.store.active_members(guild_id, period.last - timedelta(days=6), period.last)
        weeks = await self.store.active_weeks(guild_id, period)
        channels = await self.store.message_channels(guild_id, period.first, period.last)
        report.numbers += [
            (_("Joins"), _n(sum(joins))),
            (_("Leaves"), _n(sum(leaves))),
            (_("Net growth"), _signed(sum(joins) - sum(leaves))),
            (_("New members who finished onboarding"),
             share_text(newcomers.finished_onboarding, newcomers.joined)),
            (_("Still here after 7 days"), share_text(newcomers.stayed_7, newcomers.eligible_7)),
            (_("Still here after 30 days"), share_text(newcomers.stayed_30, newcomers.eligible_30)),
            (_("Posted in their first week"), share_text(newcomers.posted_first_week, newcomers.joined)),
            (_("Messages"), _n(sum(messages.values()))),
            (_("Active members, last 7 days"), _n(active_7)),
        ]
        if channels:
            report.lists.append((_("Busiest channels"), [_pair(channel_name(c), n) for c, n in channels[:5]]))
        self._chart(report, ChartSpec(
            "members.png", _("Joins and leaves per day"), ChartKind.BARS, tuple(dates),
            (Series(_("Joins"), tuple(map(float, joins))), Series(_("Leaves"), tuple(map(float, leaves)))),
            _day_label(period), _("Members"), negative_second=True,
        ), _peak_note(_("Joins per day"), dates, joins) + " " + _peak_note(_("Leaves per day"), dates, leaves))
        daily = [messages.get(d, 0) for d in dates]
        self._chart(report, ChartSpec(
            "messages.png", _("Messages per day"), ChartKind.LINES, tuple(dates),
            (Series(_("Messages"), tuple(map(float, daily))),), _day_label(period), _("Messages"),
        ), _peak_note(_("Messages per day"), dates, daily))
        week_list = sorted(w for w in weeks if w >= period.first - timedelta(days=6))
        counts = [weeks[w] for w in week_list]
        self._chart(report, ChartSpec(
            "active-members.png", _("Active members per week"), ChartKind.BARS, tuple(week_list),
            (Series(_("Members who posted"), tuple(map(float, counts))),), _week_label(period), _("Members"),
            bar_days=5,
        ), _weekly_note(_("Active members per week"), week_list, counts))

    async def _onboarding(self, report: Report, guild_id: int) -> None:
        period, dates = report.period, report.period.dates()
        counts = await self.store.onboarding_counts(guild_id, period)
        started = await self.store.onboarding_days(guild_id, period, "started_at")
        finished = await self.store.onboarding_days(guild_id, period, "finished_at")
        finished_count, median_finish = await self.store.onboarding_finish_time(guild_id, period)
        dropoff = await self.store.onboarding_dropoff(guild_id, period)
        roles = await self.store.onboarding_roles(guild_id, period)
        report.numbers += [
            (_("Welcomed"), _n(counts.get("welcomed", 0))),
            (_("Started"), _n(sum(started.values()))),
            (_("Finished"), _n(finished_count)),
            (_("Median time to finish"), duration_text(median_finish)),
            (_("DMs closed"), _n(counts.get("dm_closed", 0))),
        ]
        if dropoff:
            report.lists.append((_("Stopped at (not finished)"), [_pair(step, n) for step, n in dropoff]))
        if roles:
            report.lists.append((_("Role mix (finished)"), [_pair(role, n) for role, n in roles]))
        s_list, f_list = [started.get(d, 0) for d in dates], [finished.get(d, 0) for d in dates]
        self._chart(report, ChartSpec(
            "onboarding.png", _("Onboarding started and finished per day"), ChartKind.LINES, tuple(dates),
            (Series(_("Started"), tuple(map(float, s_list))), Series(_("Finished"), tuple(map(float, f_list)))),
            _day_label(period), _("Members"),
        ), _peak_note(_("Started per day"), dates, s_list) + " " + _peak_note(_("Finished per day"), dates, f_list))
        self._chart(report, _categories("dropoff.png", _("Where members stopped"), dropoff, _("Members"),
                                        _("Question")),
                    _("Where members stopped: {counts}").format(counts=_pairs(dropoff)))
        self._chart(report, _categories("roles.png", _("Role mix of members who finished"), roles, _("Members"),
                                        _("Role")),
                    _("Role mix: {counts}").format(counts=_pairs(roles)))

    async def _qa(self, report: Report, guild_id: int, leaderboard: bool) -> None:
        period, dates = report.period, report.period.dates()
        f = await self.store.qa_figures(guild_id, period)
        asked = f["asked_days"]
        solved = await self.store.qa_days(guild_id, period, "solved_at")
        tags = await self.store.qa_tags(guild_id, period)
        report.numbers += [
            (_("Asked"), _n(f["asked"])),
            (_("Answered within 24 h"), share_text(f["in_24h"], f["asked"])),
            (_("Median time to first reply"), duration_text(f["first_reply"])),
            (_("Solved"), share_text(f["solved"], f["asked"])),
            (_("Median time to solution"), duration_text(f["to_solution"])),
            (_("Unanswered now"), _n(f["unanswered"])),
        ]
        if tags:
            report.lists.append((_("Busiest tags"), [_pair(tag, n) for tag, n in tags]))
        if leaderboard:
            helpers = await self.store.qa_helpers(guild_id, period)
            if helpers:
                report.lists.append((_("Top helpers (accepted answers)"), [_pair(f"<@{u}>", n) for u, n in helpers]))
        a_list, s_list = [asked.get(d, 0) for d in dates], [solved.get(d, 0) for d in dates]
        self._chart(report, ChartSpec(
            "questions.png", _("Questions asked and solved per day"), ChartKind.LINES, tuple(dates),
            (Series(_("Asked"), tuple(map(float, a_list))), Series(_("Solved"), tuple(map(float, s_list)))),
            _day_label(period), _("Questions"),
        ), _peak_note(_("Asked per day"), dates, a_list) + " " + _peak_note(_("Solved per day"), dates, s_list))
        self._chart(report, _categories("tags.png", _("Busiest tags"), tags, _("Questions"), _("Tag")),
                    _("Busiest tags: {counts}").format(counts=_pairs(tags)))

    async def _events(self, report: Report, guild_id: int) -> None:
        period = report.period
        occurrences = await self.store.occurrences(guild_id, period)
        held = [o for o in occurrences if o.state != "cancelled" and o.starts_at <= period.until]
        cancelled = [o for o in occurrences if o.state == "cancelled"]
        report.numbers += [
            (_("Events held"), _n(len(held))),
            (_("Going (all events)"), _n(sum(o.going for o in held))),
            (_("Maybe (all events)"), _n(sum(o.maybe for o in held))),
            (_("Reminders delivered"), _n(await self.store.reminders_delivered(guild_id, period))),
            (_("Cancelled"), _n(len(cancelled))),
        ]
        shown = held[-MAX_EVENT_BARS:]
        zone = ZoneInfo(period.zone)
        labels = tuple(f"{o.title[:18]} {day_text(datetime.fromtimestamp(o.starts_at, zone).date(), year=False)}"
                       for o in shown)
        self._chart(report, ChartSpec(
            "events.png", _("Going and Maybe per event"), ChartKind.BARS, labels,
            (Series(_("Going"), tuple(float(o.going) for o in shown)),
             Series(_("Maybe"), tuple(float(o.maybe) for o in shown))),
            _("Event"), _("Members"), stacked=True,
        ), _events_note(labels, shown, len(held)))

    async def _mentors(self, report: Report, guild_id: int) -> None:
        period = report.period
        f = await self.store.mentor_figures(guild_id, period)
        created = await self.store.mentor_days(guild_id, period, "created_at")
        matched = await self.store.mentor_days(guild_id, period, "matched_at")
        capacity = ngettext("{share} places of {mentors} mentor", "{share} places of {mentors} mentors",
                            int(f["mentors"])).format(share=share_text(f["matched"], f["capacity"]),
                                                      mentors=_n(f["mentors"]))
        report.numbers += [
            (_("Requests"), _n(f["requests"])),
            (_("Accepted"), _n(f["accepted"])),
            (_("Median time to accept"), duration_text(f["to_accept"])),
            (_("Capacity used now"), capacity),
            (_("Waiting mentees now"), _n(f["waiting"])),
        ]
        w_requests, w_matched = weekly(created, period.first, period.last), weekly(matched, period.first, period.last)
        weeks = sorted(w_requests)
        self._chart(report, ChartSpec(
            "mentors.png", _("Mentor requests and acceptances per week"), ChartKind.BARS, tuple(weeks),
            (Series(_("Requests"), tuple(float(w_requests[w]) for w in weeks)),
             Series(_("Accepted"), tuple(float(w_matched.get(w, 0)) for w in weeks))),
            _week_label(period), _("Mentees"), bar_days=5,
        ), _weekly_note(_("Requests per week"), weeks, [w_requests[w] for w in weeks]) + " "
           + _weekly_note(_("Accepted per week"), weeks, [w_matched.get(w, 0) for w in weeks]))

    # --- the digest ----------------------------------------------------------------------------------------------

    async def week(self, guild_id: int, first: date, zone_name: str) -> WeekFigures:
        """The figures of the 7 local days from `first`."""
        zone = ZoneInfo(zone_name)
        last = first + timedelta(days=6)
        since, until = local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone) - 1
        period = Period(7, first, last, since, until, zone_name)
        members = await self.store.member_days(guild_id, period)
        messages = await self.store.message_days(guild_id, period)
        # the digest's weeks are the last two: their marks are still kept (35 days), whatever day the week starts
        active = await self.store.active_members(guild_id, first, last)
        qa = await self.store.qa_figures(guild_id, period)
        occurrences = await self.store.occurrences(guild_id, period)
        held = [o for o in occurrences if o.state != "cancelled"]
        finished, _median = await self.store.onboarding_finish_time(guild_id, period)
        return WeekFigures(
            joins=sum(j for j, _left in members.values()), leaves=sum(v for _joined, v in members.values()),
            messages=sum(messages.values()), active_members=active,
            onboarding_finished=finished, questions=qa["asked"], answered_in_24h=qa["in_24h"],
            events_held=len(held), going=sum(o.going for o in held),
        )

    @staticmethod
    def _chart(report: Report, spec: ChartSpec, note: str) -> None:
        """Add a chart with its text equivalent (also its alt text), or say there is nothing to draw."""
        if spec.empty:
            report.chart_notes.append(_("{chart}: nothing in this period, so no chart.").format(chart=spec.title))
            return
        report.charts.append(replace(spec, language=i18n.current()))
        report.chart_notes.append(note)
        report.alt_texts.append(note)


def _day_label(period: Period) -> str:
    return _("Day ({zone})").format(zone=period.zone)


def _week_label(period: Period) -> str:
    return _("Week starting ({zone})").format(zone=period.zone)


def _categories(filename: str, title: str, pairs: list[tuple[str, int]], x_label: str, y_label: str) -> ChartSpec:
    top = pairs[:10]
    return ChartSpec(filename, title, ChartKind.HBARS, tuple(k for k, _count in top),
                     (Series(x_label, tuple(float(n) for _key, n in top)),), x_label, y_label)


def _pairs(pairs: list[tuple[str, int]]) -> str:
    return i18n.join([_("{name} {count}").format(name=k, count=_n(n)) for k, n in pairs[:10]])


SPELLED_OUT = 8  # weeks or events listed one by one in a chart's text; more are summed up


def _weekly_note(name: str, weeks: list[date], counts: list[int]) -> str:
    """"Active members per week: 02 Nov 12, 09 Nov 15." or, over many weeks, the range, mean and extremes."""
    if not weeks:
        return _("{chart}: none.").format(chart=name)
    if len(weeks) <= SPELLED_OUT:
        items = [_("{name} {count}").format(name=day_text(w, year=False), count=_n(n))
                 for w, n in zip(weeks, counts, strict=True)]
        return _("{chart}: {counts}.").format(chart=name, counts=i18n.join(items))
    high = max(range(len(counts)), key=lambda i: (counts[i], -i))
    low = min(range(len(counts)), key=lambda i: (counts[i], i))
    return ngettext(
        "{chart}: {weeks} week from {first}, {mean} a week on average, most in the week of {high_week} ({high}), "
        "fewest in the week of {low_week} ({low}); the last week {last}.",
        "{chart}: {weeks} weeks from {first}, {mean} a week on average, most in the week of {high_week} ({high}), "
        "fewest in the week of {low_week} ({low}); the last week {last}.",
        len(weeks),
    ).format(
        chart=name, weeks=_n(len(weeks)), first=day_text(weeks[0]), mean=_n(round(sum(counts) / len(counts))),
        high_week=day_text(weeks[high]), high=_n(counts[high]), low_week=day_text(weeks[low]), low=_n(counts[low]),
        last=_n(counts[-1]),
    )


def _going(going: int, maybe: int) -> str:
    """"2 going, 1 maybe"."""
    return _("{going} going, {maybe} maybe").format(going=_n(going), maybe=_n(maybe))


def _events_note(labels: tuple[str, ...], shown: list[OccurrenceFigures], held: int) -> str:
    if len(shown) <= SPELLED_OUT:
        items = [_("{event}: {rsvps}").format(event=label, rsvps=_going(o.going, o.maybe))
                 for label, o in zip(labels, shown, strict=True)]
        return _("Going/Maybe per event: {events}.").format(events="; ".join(items))
    busiest = max(shown, key=lambda o: (o.going, o.maybe))
    return ngettext(
        "Going/Maybe for the last {shown} of {held} event held: {rsvps}; the most going: {title} ({busiest}).",
        "Going/Maybe for the last {shown} of {held} events held: {rsvps}; the most going: {title} ({busiest}).",
        held,
    ).format(
        shown=_n(len(shown)), held=_n(held), rsvps=_going(sum(o.going for o in shown), sum(o.maybe for o in shown)),
        title=busiest.title, busiest=_going(busiest.going, busiest.maybe),
    )


def _peak_note(name: str, dates: list[date], values: list[int]) -> str:
    """"Joins per day: 42 in all, most on 03 Nov 2026 (7)."""
    total = sum(values)
    if not total:
        return _("{chart}: none.").format(chart=name)
    peak = max(range(len(values)), key=lambda i: (values[i], -i))
    return _("{chart}: {total} in all, most on {day} ({count}).").format(
        chart=name, total=_n(total), day=day_text(dates[peak]), count=_n(values[peak])
    )
