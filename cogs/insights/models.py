"""Plain values of the insights feature: the areas, a chart's data, and a report (numbers plus charts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from bot.i18n import N_, _

_AREA_LABELS = {"overview": N_("Overview"), "onboarding": N_("Onboarding"), "qa": N_("Q&A"), "events": N_("Events"),
                "mentors": N_("Mentors")}


class Area(StrEnum):
    OVERVIEW = "overview"
    ONBOARDING = "onboarding"
    QA = "qa"
    EVENTS = "events"
    MENTORS = "mentors"

    @property
    def label(self) -> str:
        """The area's name in the current language."""
        return _(_AREA_LABELS[self.value])


class ChartKind(StrEnum):
    BARS = "bars"  # one or more series of bars over dates or categories (side by side, or stacked)
    LINES = "lines"  # series over dates
    HBARS = "hbars"  # one series over categories, horizontal (long labels: tags, roles, channels)


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class ChartSpec:
    """Everything a chart needs, as plain (picklable) values: the renderer does no I/O and knows no Discord.

    Its texts (title, labels, series names) are already in the reader's language, which `language` names for what
    the worker thread writes itself (dates and numbers on the axes, the font for Chinese): context variables, the
    current language among them, do not follow a job into the renderer's threads."""

    filename: str  # "members.png"
    title: str
    kind: ChartKind
    x: tuple[date, ...] | tuple[str, ...]  # dates (local to the server) or category labels
    series: tuple[Series, ...]
    x_label: str
    y_label: str
    stacked: bool = False
    negative_second: bool = False  # the second series is drawn below zero (leaves under joins)
    bar_days: float = 0.8  # width of a dated bar in days (a weekly series: 5, so weeks read as blocks)
    language: str = "en"  # i18n's language of the texts ("en", "fr", "zh_CN")

    @property
    def empty(self) -> bool:
        return not self.x or all(not any(s.values) for s in self.series)


@dataclass(frozen=True)
class Period:
    """The days a report covers, in the server's time zone: `first` to `last` inclusive (the last is today)."""

    days: int
    first: date
    last: date
    since: int  # unix seconds of the start of `first`, local midnight
    until: int  # now
    zone: str

    def dates(self) -> list[date]:
        from datetime import timedelta

        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


@dataclass
class Report:
    """One area's answer: key numbers as (label, value) lines, charts, and a sentence per chart."""

    area: Area
    period: Period
    numbers: list[tuple[str, str]] = field(default_factory=list)
    lists: list[tuple[str, list[str]]] = field(default_factory=list)  # "Busiest tags": ["python 12", ...]
    charts: list[ChartSpec] = field(default_factory=list)
    chart_notes: list[str] = field(default_factory=list)  # the text equivalent of each chart, or why there is none
    alt_texts: list[str] = field(default_factory=list)  # the text equivalent of each drawn chart, in `charts` order


@dataclass(frozen=True)
class WeekFigures:
    """The figures of one week, for the digest's comparison with the week before."""

    joins: int
    leaves: int
    messages: int
    active_members: int
    onboarding_finished: int
    questions: int
    answered_in_24h: int
    events_held: int
    going: int
