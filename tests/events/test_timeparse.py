"""The time parser: examples organisers type, refusals with a suggestion, DST, and properties over many inputs."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bot import i18n
from cogs.events.render import offsets_text
from cogs.events.timeparse import (
    TimeParseError,
    localize,
    parse_offsets,
    parse_span,
    parse_when,
    resolve_zone,
    zone_choices,
    zone_names,
)
from tests.languages import assert_in_language

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
# Monday 3 March 2025, 10:00 in Berlin
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def wall(*parts: int) -> datetime:
    """A wall-clock reading (naive on purpose) to compare with the local time in the zone."""
    return datetime(*parts)  # noqa: DTZ001


def local(text: str, zone: ZoneInfo = BERLIN, now: datetime = NOW) -> datetime:
    return parse_when(text, zone, now).local.replace(tzinfo=None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-06 18:00", wall(2025, 3, 6, 18, 0)),
        ("2025-03-06T18:00", wall(2025, 3, 6, 18, 0)),
        ("2025-03-06 6pm", wall(2025, 3, 6, 18, 0)),
        ("next thursday 18:00", wall(2025, 3, 6, 18, 0)),
        ("thursday 18:00", wall(2025, 3, 6, 18, 0)),
        ("Thu, 6:30 PM", wall(2025, 3, 6, 18, 30)),
        ("next monday 9am", wall(2025, 3, 10, 9, 0)),  # today is Monday: "next" is never today
        ("monday 11:00", wall(2025, 3, 3, 11, 0)),  # later today
        ("monday 9:00", wall(2025, 3, 10, 9, 0)),  # earlier today has passed: a week on
        ("dec 3 6pm", wall(2025, 12, 3, 18, 0)),
        ("December 3rd at 6:15pm", wall(2025, 12, 3, 18, 15)),
        ("3 dec 18:00", wall(2025, 12, 3, 18, 0)),
        ("3rd of december 2026 18h30", wall(2026, 12, 3, 18, 30)),
        ("jan 10 noon", wall(2026, 1, 10, 12, 0)),  # passed this year: next year
        ("tomorrow 7:30pm", wall(2025, 3, 4, 19, 30)),
        ("today 18:00", wall(2025, 3, 3, 18, 0)),
        ("tonight 8 pm", wall(2025, 3, 3, 20, 0)),
        ("18:00", wall(2025, 3, 3, 18, 0)),
        ("9:30", wall(2025, 3, 4, 9, 30)),  # passed today: tomorrow
        ("25/12 18:00", wall(2025, 12, 25, 18, 0)),  # unambiguous day-first
        ("12/25 18:00", wall(2025, 12, 25, 18, 0)),  # unambiguous month-first
        ("4/4 18:00", wall(2025, 4, 4, 18, 0)),  # both readings agree
        ("2025/12/03 18:00", wall(2025, 12, 3, 18, 0)),
        ("12am tomorrow", wall(2025, 3, 4, 0, 0)),
        ("tomorrow 12pm", wall(2025, 3, 4, 12, 0)),
    ],
)
def test_phrases_organisers_type(text: str, expected: datetime) -> None:
    assert local(text) == expected


def test_relative_times_are_exact_to_the_minute() -> None:
    now = datetime(2025, 3, 3, 9, 0, 27, tzinfo=UTC)
    assert parse_when("in 2 hours", BERLIN, now).instant == datetime(2025, 3, 3, 11, 0, tzinfo=UTC)
    assert parse_when("in 1h30m", BERLIN, now).instant == datetime(2025, 3, 3, 10, 30, tzinfo=UTC)
    assert parse_when("in an hour", BERLIN, now).instant == datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
    assert parse_when("in 3 days", BERLIN, now).instant == datetime(2025, 3, 6, 9, 0, tzinfo=UTC)


def test_explicit_offsets_and_utc_give_that_instant() -> None:
    assert parse_when("2025-03-06T18:00Z", BERLIN, NOW).instant == datetime(2025, 3, 6, 18, tzinfo=UTC)
    assert parse_when("2025-03-06 18:00+05:30", BERLIN, NOW).instant == datetime(2025, 3, 6, 12, 30, tzinfo=UTC)


def test_same_phrase_in_two_zones_is_two_instants() -> None:
    berlin = parse_when("2025-03-06 18:00", BERLIN, NOW).instant
    new_york = parse_when("2025-03-06 18:00", NEW_YORK, NOW).instant
    assert new_york - berlin == timedelta(hours=6)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3/4 6pm", "could be 3 April or March 4"),
        ("3/4/2025 18:00", "`3 apr` or `mar 4`"),
        ("at 6", "could be 6am or 6pm"),
        ("tomorrow", "Add a time of day"),
        ("dec 3", "Add a time of day"),
        ("2025-03-06", "Add a time of day"),
        ("2025-03-01 18:00", "in the past"),
        ("today 9:00", "in the past"),
        ("feb 30 18:00", "February has no day 30"),
        ("25:00", "not a time on a 24-hour clock"),
        ("13pm", "not a time on a 12-hour clock"),
        ("sometime soon", "I could not read `sometime soon`"),
        ("tomorrow friday 18:00", "names the day twice"),
        ("18:00 19:00", "two times of day"),
        ("midnight tomorrow", "ambiguous"),
        ("feb 28 18:00", "has just passed"),
        ("in 10 parsecs", "not a unit"),
        ("next week 18:00", "name the day"),
        ("", "Say when"),
    ],
)
def test_refusals_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(TimeParseError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_when(text, BERLIN, NOW)


def test_next_weekday_says_how_it_was_read() -> None:
    parsed = parse_when("next thursday 18:00", BERLIN, NOW)
    assert any("coming one, Thu 06 Mar" in note for note in parsed.notes)


def test_dst_gap_is_shifted_forward_with_a_note() -> None:
    # 30 March 2025: Berlin jumps from 02:00 to 03:00
    parsed = parse_when("2025-03-30 02:30", BERLIN, NOW)
    assert parsed.local.replace(tzinfo=None) == wall(2025, 3, 30, 3, 30)
    assert parsed.instant == datetime(2025, 3, 30, 1, 30, tzinfo=UTC)
    assert "does not exist" in parsed.notes[0] and "03:30" in parsed.notes[0]


def test_dst_overlap_takes_the_first_with_a_note() -> None:
    # 26 October 2025: Berlin goes from 03:00 back to 02:00, so 02:30 happens twice
    parsed = parse_when("2025-10-26 02:30", BERLIN, NOW)
    assert parsed.instant == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)  # CEST, the first
    assert "happens twice" in parsed.notes[0]


def test_zones_resolve_case_insensitively_and_suggest() -> None:
    assert resolve_zone("europe/berlin").key == "Europe/Berlin"
    assert resolve_zone("America/New York").key == "America/New_York"
    with pytest.raises(TimeParseError, match="Did you mean `Europe/Berlin`"):
        resolve_zone("Europe/Berln")
    with pytest.raises(TimeParseError, match="not an IANA time zone"):
        resolve_zone("Mars/Olympus")


def test_zone_autocomplete_is_within_discords_limit() -> None:
    assert "Europe/Berlin" in zone_choices("berl")
    assert zone_choices("new_y")[0] == "America/New_York"
    assert len(zone_choices("a")) == 25
    assert zone_choices("")[0] == "UTC"


def test_spans_and_offsets() -> None:
    assert parse_span("90m") == timedelta(minutes=90)
    assert parse_span("1h30m") == timedelta(minutes=90)
    assert parse_span("2 hours and 15 minutes") == timedelta(minutes=135)
    assert parse_span("1.5h") == timedelta(minutes=90)
    assert parse_offsets("1d,1h,10m") == (86400, 3600, 600)
    assert parse_offsets("10m, 1d, 10m") == (86400, 600)
    assert parse_offsets("none") == ()
    assert offsets_text((86400, 5400, 600)) == "1 d, 1 h 30 min, 10 min"
    with pytest.raises(TimeParseError, match="at least 1 minute"):
        parse_offsets("30s")
    with pytest.raises(TimeParseError, match="at most 28 days"):
        parse_offsets("5w")
    with pytest.raises(TimeParseError, match="At most 10"):
        parse_offsets(",".join(f"{n}m" for n in range(1, 12)))


# ---------------------------------------------------------------- properties

ZONES = st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
                         "Africa/Lagos", "Pacific/Chatham", "America/Sao_Paulo"])  # fmt: skip
NOWS = st.datetimes(min_value=wall(2024, 1, 1), max_value=wall(2030, 1, 1)).map(lambda d: d.replace(tzinfo=UTC))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(zone=ZONES, now=NOWS, days=st.integers(1, 700), at=st.times())
def test_iso_round_trips_to_the_same_wall_clock(zone: str, now: datetime, days: int, at: time) -> None:
    tz = ZoneInfo(zone)
    wanted = datetime.combine(now.astimezone(tz).date() + timedelta(days=days), at.replace(second=0, microsecond=0))
    aware, notes = localize(wanted, tz)
    assume(not notes)  # gaps and overlaps have their own tests
    parsed = parse_when(f"{wanted:%Y-%m-%d %H:%M}", tz, now)
    assert parsed.local.replace(tzinfo=None) == wanted
    assert parsed.instant == aware.astimezone(UTC)


@settings(max_examples=200)
@given(zone=ZONES, now=NOWS, day=st.integers(1, 28), month=st.integers(1, 12), hour=st.integers(1, 12),
       pm=st.booleans(), style=st.integers(0, 2))  # fmt: skip
def test_month_name_dates_land_on_that_date_in_the_future(
    zone: str, now: datetime, day: int, month: int, hour: int, pm: bool, style: int
) -> None:
    tz = ZoneInfo(zone)
    name = calendar.month_abbr[month].lower()
    clock = f"{hour}{'pm' if pm else 'am'}"
    text = [f"{name} {day} {clock}", f"{day} {name} {clock}", f"{day}th of {calendar.month_name[month]} at {clock}"]
    try:
        parsed = parse_when(text[style], tz, now)
    except TimeParseError as error:
        # the only refusals: a date in the last week, or today at an hour that has passed
        today = now.astimezone(tz).date()
        if "in the past" in str(error):
            assert date(today.year, month, day) == today
        else:
            assert "has just passed" in str(error)
            assert 0 < (today - date(today.year, month, day)).days <= 7
        return
    got = parsed.local
    assert (got.month, got.day) == (month, day)
    assert parsed.instant > now
    assert parsed.instant - now < timedelta(days=367)
    if not parsed.notes or all("year" in n for n in parsed.notes):
        assert got.hour == hour % 12 + (12 if pm else 0)


@settings(max_examples=200)
@given(zone=ZONES, now=NOWS, weekday=st.integers(0, 6), next_=st.booleans(), hour=st.integers(0, 23))
def test_weekday_phrases_are_within_a_week_and_on_that_day(
    zone: str, now: datetime, weekday: int, next_: bool, hour: int
) -> None:
    tz = ZoneInfo(zone)
    text = f"{'next ' if next_ else ''}{calendar.day_name[weekday]} {hour:02d}:00"
    parsed = parse_when(text, tz, now)
    got = parsed.local
    assert got.weekday() == weekday
    assert timedelta(0) < parsed.instant - now <= timedelta(days=8)
    if next_:
        assert got.date() != now.astimezone(tz).date()


@settings(max_examples=100)
@given(a=st.integers(1, 12), b=st.integers(1, 12), hour=st.integers(0, 23))
def test_numeric_dates_that_read_two_ways_are_always_refused(a: int, b: int, hour: int) -> None:
    assume(a != b)
    with pytest.raises(TimeParseError, match="could be"):
        parse_when(f"{a}/{b} {hour:02d}:00", BERLIN, NOW)


@settings(max_examples=100)
@given(amount=st.integers(1, 500), unit=st.sampled_from(["m", "minutes", "h", "hours", "d", "days"]), now=NOWS)
def test_relative_phrases_add_exactly_that_much(amount: int, unit: str, now: datetime) -> None:
    seconds = {"m": 60, "minutes": 60, "h": 3600, "hours": 3600, "d": 86400, "days": 86400}[unit]
    parsed = parse_when(f"in {amount} {unit}", BERLIN, now)
    assert parsed.instant == (now + timedelta(seconds=amount * seconds)).replace(second=0, microsecond=0)


@settings(max_examples=500)
@given(text=st.text(max_size=120), zone=ZONES)
@example(text="²", zone="UTC")  # a Unicode digit that is not 0-9 once crashed the bare-hour message
@example(text="at ٦", zone="UTC")
def test_any_text_is_parsed_or_refused_with_a_message(text: str, zone: str) -> None:
    try:
        parsed = parse_when(text, ZoneInfo(zone), NOW)
    except TimeParseError as error:
        message = str(error)
        assert 0 < len(message) < 400
        assert "@everyone" not in message or "`" in message
        return
    assert parsed.instant > NOW


@settings(max_examples=200)
@given(offsets=st.lists(st.integers(1, 28 * 24 * 60), min_size=1, max_size=10, unique=True))
def test_offsets_round_trip_through_their_text(offsets: list[int]) -> None:
    seconds = tuple(sorted((m * 60 for m in offsets), reverse=True))
    assert parse_offsets(offsets_text(seconds)) == seconds  # what the bot shows, an organiser can type back


def test_every_listed_zone_resolves() -> None:
    for name in zone_names()[::25]:
        assert resolve_zone(name).key == name


# ---------------------------------------------------------------- French and Chinese phrases

SHANGHAI = ZoneInfo("Asia/Shanghai")
PARIS = ZoneInfo("Europe/Paris")
# Monday 3 March 2025: 10:00 in Paris, 17:00 in Shanghai
NOW_FR = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("明天晚上7点", wall(2025, 3, 4, 19, 0)),
        ("明天19:00", wall(2025, 3, 4, 19, 0)),
        ("明天 19：00", wall(2025, 3, 4, 19, 0)),  # a full-width colon
        ("后天下午3点", wall(2025, 3, 5, 15, 0)),
        ("下周四18:30", wall(2025, 3, 13, 18, 30)),  # the Thursday of next week, not the coming one
        ("周四18:30", wall(2025, 3, 6, 18, 30)),  # the coming Thursday
        ("这周四晚上8点", wall(2025, 3, 6, 20, 0)),
        ("周五晚上8点半", wall(2025, 3, 7, 20, 30)),
        ("星期五晚上八点半", wall(2025, 3, 7, 20, 30)),
        ("今天晚上9点", wall(2025, 3, 3, 21, 0)),
        ("今晚9点", wall(2025, 3, 3, 21, 0)),
        ("明晚7点一刻", wall(2025, 3, 4, 19, 15)),
        ("明天上午10点", wall(2025, 3, 4, 10, 0)),
        ("明天中午12点", wall(2025, 3, 4, 12, 0)),
        ("明天12点", wall(2025, 3, 4, 12, 0)),  # twelve alone is noon
        ("下周一早上9点15分", wall(2025, 3, 10, 9, 15)),
        ("周日下午两点", wall(2025, 3, 9, 14, 0)),
        ("12月12日晚上7点", wall(2025, 12, 12, 19, 0)),
        ("12月12号 19:00", wall(2025, 12, 12, 19, 0)),
        ("2026年1月5日上午10点", wall(2026, 1, 5, 10, 0)),
        ("2小时后", wall(2025, 3, 3, 19, 0)),
        ("半小时后", wall(2025, 3, 3, 17, 30)),
        ("三天后", wall(2025, 3, 6, 17, 0)),
        ("tomorrow 7:30pm", wall(2025, 3, 4, 19, 30)),  # English keeps working in any zone
        ("2025-03-06 18:00", wall(2025, 3, 6, 18, 0)),
    ],
)
def test_chinese_phrases(text: str, expected: datetime) -> None:
    assert local(text, SHANGHAI, NOW_FR) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("demain 19h", wall(2025, 3, 4, 19, 0)),
        ("demain à 19h30", wall(2025, 3, 4, 19, 30)),
        ("Demain à 19 h 30", wall(2025, 3, 4, 19, 30)),
        ("jeudi prochain 18:30", wall(2025, 3, 6, 18, 30)),
        ("lundi prochain 9h", wall(2025, 3, 10, 9, 0)),  # today is Monday: "prochain" is never today
        ("vendredi 20h", wall(2025, 3, 7, 20, 0)),
        ("ce vendredi à 20h", wall(2025, 3, 7, 20, 0)),
        ("ce soir 21h", wall(2025, 3, 3, 21, 0)),
        ("ce soir 9h", wall(2025, 3, 3, 21, 0)),
        ("demain soir 8h", wall(2025, 3, 4, 20, 0)),
        ("demain matin 9h", wall(2025, 3, 4, 9, 0)),
        ("demain midi", wall(2025, 3, 4, 12, 0)),
        ("aujourd'hui 18h", wall(2025, 3, 3, 18, 0)),
        ("après-demain 10h", wall(2025, 3, 5, 10, 0)),
        ("apres-demain 10h", wall(2025, 3, 5, 10, 0)),
        ("dans 2 heures", wall(2025, 3, 3, 12, 0)),
        ("dans une heure", wall(2025, 3, 3, 11, 0)),
        ("dans 1h30", wall(2025, 3, 3, 11, 30)),
        ("dans 3 jours", wall(2025, 3, 6, 10, 0)),
        ("le 12 décembre à 18h", wall(2025, 12, 12, 18, 0)),
        ("12 decembre 18h", wall(2025, 12, 12, 18, 0)),
        ("le 1er avril 2026 à 18h30", wall(2026, 4, 1, 18, 30)),
        ("3 déc 18h", wall(2025, 12, 3, 18, 0)),
        ("next thursday 18:00", wall(2025, 3, 6, 18, 0)),  # English keeps working
    ],
)
def test_french_phrases(text: str, expected: datetime) -> None:
    assert local(text, PARIS, NOW_FR) == expected


@pytest.mark.parametrize(
    ("text", "language", "message"),
    [
        ("明天3点", "zh_CN", "可能是上午 3 点，也可能是下午 3 点"),  # which half of the day is not said
        ("明天什么时候", "zh_CN", "无法识别 `明天什么时候`"),
        ("明天", "zh_CN", "请加上具体时间"),
        ("3/4 18:00", "zh_CN", "可能是4月3日，也可能是3月4日"),
        ("2025-03-01 18:00", "zh_CN", "已经过去"),
        ("", "zh_CN", "`下周四18:30`"),
        ("bientôt", "fr", "Je n'ai pas compris `bientôt`"),
        ("demain", "fr", "Ajoutez une heure"),
        ("3/4 18:00", "fr", "peut désigner le 3 avril ou le 4 mars"),
        ("25:00", "fr", "n'est pas une heure valide sur 24 heures"),
        ("", "fr", "`jeudi prochain 18:30`"),
        ("sometime soon", "en", "I could not read `sometime soon`"),
    ],
)
def test_refusals_are_in_the_members_language(text: str, language: str, message: str) -> None:
    with i18n.using(language), pytest.raises(TimeParseError) as refused:
        parse_when(text, PARIS, NOW_FR)
    assert message in str(refused.value)
    if language != "en":
        assert_in_language(str(refused.value), language, allowed={"sometime", "soon"})


def test_a_next_weekday_note_is_in_the_members_language() -> None:
    with i18n.using("fr"):
        parsed = parse_when("jeudi prochain 18:30", PARIS, NOW_FR)
    assert parsed.notes == ("« jeudi prochain » compris comme le prochain à venir, jeu. 6 mars.",)
    with i18n.using("zh_CN"):
        parsed = parse_when("next thursday 18:30", PARIS, NOW_FR)
    assert parsed.notes == ("“下一个星期四”理解为即将到来的那天：3月6日周四。",)


@pytest.mark.parametrize("language", ["fr", "zh_CN"])
def test_offsets_shown_in_a_language_can_be_typed_back(language: str) -> None:
    offsets = (86400, 5400, 600)
    with i18n.using(language):
        shown = offsets_text(offsets)
    assert shown == {"fr": "1 j, 1 h 30 min, 10 min", "zh_CN": "1天、1小时 30分钟、10分钟"}[language]
    assert parse_offsets(shown) == offsets
    assert parse_span("2 heures et 15 minutes") == timedelta(minutes=135)
    assert parse_span("2小时30分钟") == timedelta(minutes=150)
