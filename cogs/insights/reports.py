"""The reports: each area's figures gathered from the store into numbers, lists and chart data (no Discord)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from cogs.insights.models import Area, ChartKind, ChartSpec, Period, Report, Series, WeekFigures
from cogs.insights.rules import duration_text, local_midnight, share_text
from cogs.insights.store import InsightsStore, OccurrenceFigures, weekly

MAX_EVENT_BARS = 20


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
            ("Joins", f"{sum(joins):,}"),
            ("Leaves", f"{sum(leaves):,}"),
            ("Net growth", f"{sum(joins) - sum(leaves):+,d}"),
            ("New members who finished onboarding", share_text(newcomers.finished_onboarding, newcomers.joined)),
            ("Still here after 7 days", share_text(newcomers.stayed_7, newcomers.eligible_7)),
            ("Still here after 30 days", share_text(newcomers.stayed_30, newcomers.eligible_30)),
            ("Posted in their first week", share_text(newcomers.posted_first_week, newcomers.joined)),
            ("Messages", f"{sum(messages.values()):,}"),
            ("Active members, last 7 days", f"{active_7:,}"),
        ]
        if channels:
            report.lists.append(("Busiest channels", [f"{channel_name(c)}: {n:,}" for c, n in channels[:5]]))
        self._chart(report, ChartSpec(
            "members.png", "Joins and leaves per day", ChartKind.BARS, tuple(dates),
            (Series("Joins", tuple(map(float, joins))), Series("Leaves", tuple(map(float, leaves)))),
            _day_label(period), "Members", negative_second=True,
        ), _peak_note("Joins per day", dates, joins) + " " + _peak_note("Leaves per day", dates, leaves))
        daily = [messages.get(d, 0) for d in dates]
        self._chart(report, ChartSpec(
            "messages.png", "Messages per day", ChartKind.LINES, tuple(dates),
            (Series("Messages", tuple(map(float, daily))),), _day_label(period), "Messages",
        ), _peak_note("Messages per day", dates, daily))
        week_list = sorted(w for w in weeks if w >= period.first - timedelta(days=6))
        counts = [weeks[w] for w in week_list]
        self._chart(report, ChartSpec(
            "active-members.png", "Active members per week", ChartKind.BARS, tuple(week_list),
            (Series("Members who posted", tuple(map(float, counts))),), f"Week starting ({period.zone})", "Members",
            bar_days=5,
        ), _weekly_note("Active members per week", week_list, counts))

    async def _onboarding(self, report: Report, guild_id: int) -> None:
        period, dates = report.period, report.period.dates()
        counts = await self.store.onboarding_counts(guild_id, period)
        started = await self.store.onboarding_days(guild_id, period, "started_at")
        finished = await self.store.onboarding_days(guild_id, period, "finished_at")
        finished_count, median_finish = await self.store.onboarding_finish_time(guild_id, period)
        dropoff = await self.store.onboarding_dropoff(guild_id, period)
        roles = await self.store.onboarding_roles(guild_id, period)
        report.numbers += [
            ("Welcomed", f"{counts.get('welcomed', 0):,}"),
            ("Started", f"{sum(started.values()):,}"),
            ("Finished", f"{finished_count:,}"),
            ("Median time to finish", duration_text(median_finish)),
            ("DMs closed", f"{counts.get('dm_closed', 0):,}"),
        ]
        if dropoff:
            report.lists.append(("Stopped at (not finished)", [f"{step}: {n:,}" for step, n in dropoff]))
        if roles:
            report.lists.append(("Role mix (finished)", [f"{role}: {n:,}" for role, n in roles]))
        s_list, f_list = [started.get(d, 0) for d in dates], [finished.get(d, 0) for d in dates]
        self._chart(report, ChartSpec(
            "onboarding.png", "Onboarding started and finished per day", ChartKind.LINES, tuple(dates),
            (Series("Started", tuple(map(float, s_list))), Series("Finished", tuple(map(float, f_list)))),
            _day_label(period), "Members",
        ), _peak_note("Started per day", dates, s_list) + " " + _peak_note("Finished per day", dates, f_list))
        self._chart(report, _categories("dropoff.png", "Where members stopped", dropoff, "Members", "Question"),
                    "Where members stopped: " + _pairs(dropoff))
        self._chart(report, _categories("roles.png", "Role mix of members who finished", roles, "Members", "Role"),
                    "Role mix: " + _pairs(roles))

    async def _qa(self, report: Report, guild_id: int, leaderboard: bool) -> None:
        period, dates = report.period, report.period.dates()
        f = await self.store.qa_figures(guild_id, period)
        asked = f["asked_days"]
        solved = await self.store.qa_days(guild_id, period, "solved_at")
        tags = await self.store.qa_tags(guild_id, period)
        report.numbers += [
            ("Asked", f"{f['asked']:,}"),
            ("Answered within 24 h", share_text(f["in_24h"], f["asked"])),
            ("Median time to first reply", duration_text(f["first_reply"])),
            ("Solved", share_text(f["solved"], f["asked"])),
            ("Median time to solution", duration_text(f["to_solution"])),
            ("Unanswered now", f"{f['unanswered']:,}"),
        ]
        if tags:
            report.lists.append(("Busiest tags", [f"{tag}: {n:,}" for tag, n in tags]))
        if leaderboard:
            helpers = await self.store.qa_helpers(guild_id, period)
            if helpers:
                report.lists.append(("Top helpers (accepted answers)", [f"<@{u}>: {n:,}" for u, n in helpers]))
        a_list, s_list = [asked.get(d, 0) for d in dates], [solved.get(d, 0) for d in dates]
        self._chart(report, ChartSpec(
            "questions.png", "Questions asked and solved per day", ChartKind.LINES, tuple(dates),
            (Series("Asked", tuple(map(float, a_list))), Series("Solved", tuple(map(float, s_list)))),
            _day_label(period), "Questions",
        ), _peak_note("Asked per day", dates, a_list) + " " + _peak_note("Solved per day", dates, s_list))
        self._chart(report, _categories("tags.png", "Busiest tags", tags, "Questions", "Tag"),
                    "Busiest tags: " + _pairs(tags))

    async def _events(self, report: Report, guild_id: int) -> None:
        period = report.period
        occurrences = await self.store.occurrences(guild_id, period)
        held = [o for o in occurrences if o.state != "cancelled" and o.starts_at <= period.until]
        cancelled = [o for o in occurrences if o.state == "cancelled"]
        report.numbers += [
            ("Events held", f"{len(held):,}"),
            ("Going (all events)", f"{sum(o.going for o in held):,}"),
            ("Maybe (all events)", f"{sum(o.maybe for o in held):,}"),
            ("Reminders delivered", f"{await self.store.reminders_delivered(guild_id, period):,}"),
            ("Cancelled", f"{len(cancelled):,}"),
        ]
        shown = held[-MAX_EVENT_BARS:]
        zone = ZoneInfo(period.zone)
        labels = tuple(f"{o.title[:18]} {datetime.fromtimestamp(o.starts_at, zone):%d %b}" for o in shown)
        self._chart(report, ChartSpec(
            "events.png", "Going and Maybe per event", ChartKind.BARS, labels,
            (Series("Going", tuple(float(o.going) for o in shown)),
             Series("Maybe", tuple(float(o.maybe) for o in shown))),
            "Event", "Members", stacked=True,
        ), _events_note(labels, shown, len(held)))

    async def _mentors(self, report: Report, guild_id: int) -> None:
        period = report.period
        f = await self.store.mentor_figures(guild_id, period)
        created = await self.store.mentor_days(guild_id, period, "created_at")
        matched = await self.store.mentor_days(guild_id, period, "matched_at")
        report.numbers += [
            ("Requests", f"{f['requests']:,}"),
            ("Accepted", f"{f['accepted']:,}"),
            ("Median time to accept", duration_text(f["to_accept"])),
            ("Capacity used now", share_text(f["matched"], f["capacity"]) + f" places of {f['mentors']:,} mentors"),
            ("Waiting mentees now", f"{f['waiting']:,}"),
        ]
        w_requests, w_matched = weekly(created, period.first, period.last), weekly(matched, period.first, period.last)
        weeks = sorted(w_requests)
        self._chart(report, ChartSpec(
            "mentors.png", "Mentor requests and acceptances per week", ChartKind.BARS, tuple(weeks),
            (Series("Requests", tuple(float(w_requests[w]) for w in weeks)),
             Series("Accepted", tuple(float(w_matched.get(w, 0)) for w in weeks))),
            f"Week starting ({period.zone})", "Mentees", bar_days=5,
        ), _weekly_note("Requests per week", weeks, [w_requests[w] for w in weeks]) + " "
           + _weekly_note("Accepted per week", weeks, [w_matched.get(w, 0) for w in weeks]))

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
        finished, _ = await self.store.onboarding_finish_time(guild_id, period)
        return WeekFigures(
            joins=sum(j for j, _ in members.values()), leaves=sum(v for _, v in members.values()),
            messages=sum(messages.values()), active_members=active,
            onboarding_finished=finished, questions=qa["asked"], answered_in_24h=qa["in_24h"],
            events_held=len(held), going=sum(o.going for o in held),
        )

    @staticmethod
    def _chart(report: Report, spec: ChartSpec, note: str) -> None:
        """Add a chart with its text equivalent, or say there is nothing to draw."""
        if spec.empty:
            report.chart_notes.append(f"{spec.title}: nothing in this period, so no chart.")
            return
        report.charts.append(spec)
        report.chart_notes.append(note)


def _day_label(period: Period) -> str:
    return f"Day ({period.zone})"


def _categories(filename: str, title: str, pairs: list[tuple[str, int]], x_label: str, y_label: str) -> ChartSpec:
    top = pairs[:10]
    return ChartSpec(filename, title, ChartKind.HBARS, tuple(k for k, _ in top),
                     (Series(x_label, tuple(float(n) for _, n in top)),), x_label, y_label)


def _pairs(pairs: list[tuple[str, int]]) -> str:
    return ", ".join(f"{k} {n:,}" for k, n in pairs[:10])


SPELLED_OUT = 8  # weeks or events listed one by one in a chart's text; more are summed up


def _weekly_note(name: str, weeks: list[date], counts: list[int]) -> str:
    """"Active members per week: 02 Nov 12, 09 Nov 15." or, over many weeks, the range, mean and extremes."""
    if not weeks:
        return f"{name}: none."
    if len(weeks) <= SPELLED_OUT:
        return f"{name}: " + ", ".join(f"{w:%d %b} {n:,}" for w, n in zip(weeks, counts, strict=True)) + "."
    high = max(range(len(counts)), key=lambda i: (counts[i], -i))
    low = min(range(len(counts)), key=lambda i: (counts[i], i))
    return (f"{name}: {len(weeks)} weeks from {weeks[0]:%d %b %Y}, {sum(counts) / len(counts):,.0f} a week on "
            f"average, most in the week of {weeks[high]:%d %b %Y} ({counts[high]:,}), fewest in the week of "
            f"{weeks[low]:%d %b %Y} ({counts[low]:,}); the last week {counts[-1]:,}.")


def _events_note(labels: tuple[str, ...], shown: list[OccurrenceFigures], held: int) -> str:
    if len(shown) <= SPELLED_OUT:
        return "Going/Maybe per event: " + "; ".join(
            f"{label}: {o.going} going, {o.maybe} maybe" for label, o in zip(labels, shown, strict=True)) + "."
    busiest = max(shown, key=lambda o: (o.going, o.maybe))
    return (f"Going/Maybe for the last {len(shown)} of {held:,} events held: {sum(o.going for o in shown):,} going, "
            f"{sum(o.maybe for o in shown):,} maybe; the most going: {busiest.title} "
            f"({busiest.going} going, {busiest.maybe} maybe).")


def _peak_note(name: str, dates: list[date], values: list[int]) -> str:
    """"Joins per day: 42 in all, most on 03 Nov (7)."""
    total = sum(values)
    if not total:
        return f"{name}: none."
    peak = max(range(len(values)), key=lambda i: (values[i], -i))
    return f"{name}: {total:,} in all, most on {dates[peak]:%d %b %Y} ({values[peak]:,})."
