"""The rules without I/O: the digest setting, its next instant across daylight saving, periods, medians, texts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogs.insights.rules import (
    change_text,
    duration_text,
    median,
    next_digest,
    parse_digest,
    period_of,
    share_text,
)

BERLIN = ZoneInfo("Europe/Berlin")


def test_the_digest_setting_is_a_day_and_a_time_or_off() -> None:
    assert parse_digest("monday 09:00") == (0, time(9, 0))
    assert parse_digest(" Sun 18:30 ") == (6, time(18, 30))
    assert parse_digest("off") is None
    for bad, why in (("funday 09:00", "not a day"), ("monday 25:00", "not a time"), ("monday", "day and time"),
                     ("mo 09:00", "not a day"), ("t 09:00", "not a day")):
        with pytest.raises(ValueError, match=why):
            parse_digest(bad)


@given(st.text(max_size=30))
def test_any_text_is_a_schedule_or_a_clear_error(text: str) -> None:
    try:
        parse_digest(text)
    except ValueError as error:
        assert str(error)


def test_the_next_digest_is_local_time_and_follows_daylight_saving() -> None:
    schedule = (0, time(9, 0))  # monday 09:00 Berlin
    # Sunday 25 Oct 2026 is the last day of summer time in Berlin: the next Monday 09:00 is 08:00 UTC
    when, week = next_digest(schedule, datetime(2026, 10, 24, 12, 0, tzinfo=UTC), BERLIN)
    assert when == datetime(2026, 10, 26, 8, 0, tzinfo=UTC) and week == "2026-10-19"
    # a week earlier, still summer time: 09:00 in Berlin is 07:00 UTC
    when, week = next_digest(schedule, datetime(2026, 10, 19, 6, 0, tzinfo=UTC), BERLIN)
    assert when == datetime(2026, 10, 19, 7, 0, tzinfo=UTC) and week == "2026-10-12"


def test_the_next_digest_is_strictly_after_now() -> None:
    at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday 09:00 UTC: this one is due now, the next is in a week
    when, week = next_digest((0, time(9, 0)), at, ZoneInfo("UTC"))
    assert when == datetime(2026, 11, 9, 9, 0, tzinfo=UTC) and week == "2026-11-02"


def test_a_period_is_whole_local_days_today_included() -> None:
    period = period_of(7, datetime(2026, 3, 29, 1, 30, tzinfo=UTC), "Europe/Berlin")  # 03:30 summer time
    assert (period.first, period.last) == (date(2026, 3, 23), date(2026, 3, 29))
    assert period.since == int(datetime(2026, 3, 22, 23, 0, tzinfo=UTC).timestamp())  # midnight, winter time
    assert len(period.dates()) == 7


def test_medians_and_texts() -> None:
    assert median([]) is None and median([5]) == 5 and median([4, 1, 3, 2]) == 2.5
    assert duration_text(None) == "n/a" and duration_text(30) == "1 min" and duration_text(5400) == "1.5 h"
    assert duration_text(3 * 86400) == "3.0 days"
    assert share_text(0, 0) == "0 of 0" and share_text(2, 3) == "2 of 3 (67%)"
    assert change_text(5, 5) == "5 (same as the week before)"
    assert change_text(3, 9) == "3 (▼ 6 from 9)" and change_text(9, 3) == "9 (▲ 6 from 3)"
