"""Series keep their wall-clock time across daylight-saving changes, in their own zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cogs.events.recurrence import Recurrence, Series, nth_weekday_date, nth_weekday_of

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def starts(series: Series, first: datetime, count: int) -> list[datetime]:
    found, previous = [first], first
    for _ in range(count - 1):
        previous, _notes = series.next_start(previous, not_before=previous)
        found.append(previous)
    return found


def test_weekly_1800_stays_1800_across_the_spring_change() -> None:
    first = datetime(2025, 3, 20, 17, 0, tzinfo=UTC)  # Thu 18:00 CET
    series = Series.from_first(Recurrence.WEEKLY, first, BERLIN, time(18, 0))
    got = starts(series, first, 4)
    assert [s.astimezone(BERLIN).strftime("%a %d %H:%M") for s in got] == [
        "Thu 20 18:00", "Thu 27 18:00", "Thu 03 18:00", "Thu 10 18:00",
    ]  # fmt: skip
    # the UTC hour moves by one when Berlin moves to summer time on 30 March
    assert [s.hour for s in got] == [17, 17, 16, 16]


def test_fortnightly_in_new_york_across_the_autumn_change() -> None:
    first = datetime(2025, 10, 23, 22, 30, tzinfo=UTC)  # Thu 18:30 EDT
    series = Series.from_first(Recurrence.BIWEEKLY, first, NEW_YORK, time(18, 30))
    got = starts(series, first, 3)
    assert [s.astimezone(NEW_YORK).strftime("%m-%d %H:%M") for s in got] == ["10-23 18:30", "11-06 18:30",
                                                                            "11-20 18:30"]  # fmt: skip
    assert got[1] - got[0] == timedelta(days=14, hours=1)  # one hour longer: clocks went back on 2 November


def test_monthly_on_the_second_thursday_and_on_the_last_friday() -> None:
    first = datetime(2025, 1, 9, 17, 0, tzinfo=UTC)  # 2nd Thursday of January
    series = Series.from_first(Recurrence.MONTHLY, first, BERLIN, time(18, 0))
    assert series.nth == 2
    got = [s.astimezone(BERLIN).date() for s in starts(series, first, 4)]
    assert got == [date(2025, 1, 9), date(2025, 2, 13), date(2025, 3, 13), date(2025, 4, 10)]
    last_friday = datetime(2025, 1, 31, 17, 0, tzinfo=UTC)  # a fifth Friday: kept as "the last"
    series = Series.from_first(Recurrence.MONTHLY, last_friday, BERLIN, time(18, 0))
    assert series.nth == -1 and series.describe().startswith("Monthly on the last Friday")
    got = [s.astimezone(BERLIN).date() for s in starts(series, last_friday, 3)]
    assert got == [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 28)]


def test_a_time_in_the_gap_moves_forward_that_week_only() -> None:
    first = datetime(2025, 3, 23, 1, 30, tzinfo=UTC)  # Sun 02:30 CET
    series = Series.from_first(Recurrence.WEEKLY, first, BERLIN, time(2, 30))
    gap_start, notes = series.next_start(first, not_before=first)
    assert gap_start.astimezone(BERLIN).strftime("%d %H:%M") == "30 03:30"
    assert "does not exist" in notes[0]
    after, notes = series.next_start(gap_start, not_before=gap_start)
    assert after.astimezone(BERLIN).strftime("%d %H:%M") == "06 02:30" and notes == ()


def test_next_start_skips_what_passed_while_the_bot_was_down() -> None:
    first = datetime(2025, 1, 2, 17, 0, tzinfo=UTC)
    series = Series.from_first(Recurrence.WEEKLY, first, BERLIN, time(18, 0))
    later, _ = series.next_start(first, not_before=datetime(2025, 2, 1, tzinfo=UTC))
    assert later.astimezone(BERLIN).date() == date(2025, 2, 6)


def test_nth_weekday_helpers() -> None:
    assert nth_weekday_of(date(2025, 3, 6)) == 1
    assert nth_weekday_of(date(2025, 3, 27)) == 4
    assert nth_weekday_of(date(2025, 1, 31)) == -1
    assert nth_weekday_date(2025, 2, 3, -1) == date(2025, 2, 27)
    assert nth_weekday_date(2025, 6, 0, 1) == date(2025, 6, 2)


ZONES = st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Sydney", "America/Santiago",
                         "Europe/London", "Asia/Tehran", "UTC"])  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    zone=ZONES,
    day=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    at=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    rule=st.sampled_from([Recurrence.WEEKLY, Recurrence.BIWEEKLY, Recurrence.MONTHLY]),
)
def test_every_start_agrees_with_the_icalendar_rule(zone: str, day: date, at: time, rule: Recurrence) -> None:
    """Our starts are exactly what a calendar app expands from the RRULE we export (outside DST gaps)."""
    tz = ZoneInfo(zone)
    series = Series.from_first(rule, datetime.combine(day, at, tz).astimezone(UTC), tz, at)
    first, first_notes = series.start_on(day if rule is not Recurrence.MONTHLY else _first_monthly(series, day))
    assume(not first_notes)  # a first start inside a gap is shifted; the gap test covers that
    ours = starts(series, first, 8)
    parts = ";".join(f"{k}={v}" for k, v in series.rrule().items())
    theirs = list(rrulestr(f"RRULE:{parts};COUNT=8", dtstart=first.astimezone(tz).replace(tzinfo=None)))
    for mine, expected in zip(ours, theirs, strict=True):
        local = mine.astimezone(tz)
        assert local.date() == expected.date()
        if local.time() != expected.time():  # only when the wall time does not exist that day
            assert series.start_on(expected.date())[1], (local, expected)
        else:
            assert local.replace(tzinfo=None) == expected


def _first_monthly(series: Series, day: date) -> date:
    return nth_weekday_date(day.year, day.month, series.weekday, series.nth)
