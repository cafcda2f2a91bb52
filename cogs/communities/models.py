"""The directory's data: a validated entry, what a member asks for and is recommended, suggestions and their outcome."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import IntEnum, StrEnum
from typing import Annotated, Any, NamedTuple
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from bot import i18n
from bot.i18n import N_, _
from cogs.communities.vocabulary import (
    ACCESS,
    COSTS,
    LEVELS,
    PLATFORMS,
    REGIONS,
    ROLES,
    TOPICS,
    Vocabulary,
    comma_list,
    normalise,
)

KEY_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


# The problems below are read by whoever edits the directory file (in English: no member is asking) and by
# members whose /communities suggest or add options do not validate (in their language: the interaction's).
_KINDS = {
    "role": N_("role"),
    "topic": N_("topic"),
    "region": N_("region"),
    "level": N_("level"),
    "platform": N_("platform"),
    "access": N_("access"),
    "cost": N_("cost"),
}


def _one_of(vocabulary: Vocabulary) -> Callable[[Any], str]:
    """A validator accepting a vocabulary key (or a label/alias, stored as the key)."""

    def check(value: Any) -> str:
        # the keys for whoever edits the file (in English); the labels, which are accepted too, for a member
        english = i18n.current() in (i18n.DEFAULT, i18n.PSEUDO)
        known = ", ".join(vocabulary.keys) if english else comma_list(term.shown for term in vocabulary)
        if not isinstance(value, str):
            raise ValueError(_("must be one of {known}").format(known=known))
        if value in vocabulary:
            return value
        term = vocabulary.resolve(value)
        if term is not None:
            return term.key
        close = difflib.get_close_matches(value, vocabulary.keys, n=1, cutoff=0.6)
        kind = _(_KINDS[vocabulary.name]) if vocabulary.name in _KINDS else vocabulary.name
        if close:
            raise ValueError(
                _("{value} is not a known {kind}; did you mean {close}? must be one of {known}").format(
                    value=repr(value), kind=kind, close=close[0], known=known
                )
            )
        raise ValueError(
            _("{value} is not a known {kind}; must be one of {known}").format(value=repr(value), kind=kind, known=known)
        )

    return check


def _url(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(_("must be a web address starting with https:// or http://"))
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in text or len(text) > 300:
        raise ValueError(_("{value} is not a web address starting with https:// or http://").format(value=repr(text[:80])))
    return text


def _key(value: Any) -> str:
    if not isinstance(value, str) or not KEY_PATTERN.match(value):
        raise ValueError(_("must be 1-40 lower-case letters, digits and dashes, such as data-talks-club"))
    return value


def _language(value: Any) -> str:
    if not isinstance(value, str) or not _LANGUAGE.match(value):
        raise ValueError(_("must be an ISO 639 language code such as en, fr or sw"))
    return value


def _single_line(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def _unique(values: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(values))


Key = Annotated[str, AfterValidator(_key)]
Url = Annotated[str, BeforeValidator(_url)]


# Text on one line (runs of white space collapsed) of a bounded length.
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=80), BeforeValidator(_single_line)]
Note = Annotated[str, StringConstraints(min_length=1, max_length=150), BeforeValidator(_single_line)]
Description = Annotated[str, StringConstraints(min_length=10, max_length=400), BeforeValidator(_single_line)]

PlatformKey = Annotated[str, BeforeValidator(_one_of(PLATFORMS))]
AccessKey = Annotated[str, BeforeValidator(_one_of(ACCESS))]
CostKey = Annotated[str, BeforeValidator(_one_of(COSTS))]
TopicKeys = Annotated[tuple[Annotated[str, BeforeValidator(_one_of(TOPICS))], ...], AfterValidator(_unique)]
RoleKeys = Annotated[tuple[Annotated[str, BeforeValidator(_one_of(ROLES))], ...], AfterValidator(_unique)]
RegionKeys = Annotated[tuple[Annotated[str, BeforeValidator(_one_of(REGIONS))], ...], AfterValidator(_unique)]
LevelKeys = Annotated[tuple[Annotated[str, BeforeValidator(_one_of(LEVELS))], ...], AfterValidator(_unique)]
Languages = Annotated[tuple[Annotated[str, BeforeValidator(_language)], ...], AfterValidator(_unique)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JoinWay(_Strict):
    """One way in: where, the link, and whether anyone can join or must apply."""

    platform: PlatformKey
    url: Url | None = None
    access: AccessKey = "open"
    note: Note | None = None


class EntryResource(_Strict):
    """Something notable the community offers, such as a free course."""

    name: ShortText
    url: Url | None = None
    free: bool = True


# The languages an entry may carry its own translations for: every language the bot speaks but English.
TRANSLATED = tuple(language for language in i18n.LANGUAGES if language != i18n.DEFAULT)
_TRANSLATED_BY_CODE = {language.casefold().replace("-", "_"): language for language in TRANSLATED}


class EntryTranslation(_Strict):
    """An entry's own words in one language (shown to members reading that language)."""

    description: Description


class EntryTranslations(_Strict):
    """`translations: {fr: {description: ...}, zh_CN: {description: ...}}`: one optional field per language."""

    fr: EntryTranslation | None = None
    zh_CN: EntryTranslation | None = None

    @model_validator(mode="before")
    @classmethod
    def _known_languages(cls, data: Any) -> Any:
        """Language codes as the bot writes them ("zh-CN" read as zh_CN); any other code is named."""
        if not isinstance(data, dict):
            return data
        unknown = [str(code) for code in data if str(code).casefold().replace("-", "_") not in _TRANSLATED_BY_CODE]
        if unknown:
            codes = ", ".join(repr(code) for code in unknown)
            raise ValueError(
                _("{codes}: not a language the bot translates into; use {languages}").format(
                    codes=codes, languages=i18n.join(TRANSLATED, alternatives=True)
                )
            )
        return {_TRANSLATED_BY_CODE[str(code).casefold().replace("-", "_")]: value for code, value in data.items()}

    def of(self, language: str) -> EntryTranslation | None:
        """The translation into `language`, if the entry has one."""
        found = getattr(self, language, None) if language in _TRANSLATED_BY_CODE.values() else None
        return found if isinstance(found, EntryTranslation) else None

    def given(self) -> list[EntryTranslation]:
        return [found for language in TRANSLATED if (found := self.of(language)) is not None]


class CommunityEntry(_Strict):
    """One community of the directory; the same shape for shipped entries and a server's own additions."""

    key: Key
    name: ShortText
    aliases: tuple[ShortText, ...] = Field((), max_length=5)
    website: Url
    join: JoinWay
    also: tuple[JoinWay, ...] = Field((), max_length=5)
    description: Description
    topics: TopicKeys = Field(min_length=1, max_length=10)
    roles: RoleKeys = Field(min_length=1)
    regions: RegionKeys = Field(min_length=1)
    location: ShortText | None = None
    languages: Languages = Field(("en",), min_length=1, max_length=10)
    levels: LevelKeys = Field(min_length=1)
    cost: CostKey = "free"
    resources: tuple[EntryResource, ...] = Field((), max_length=10)
    parent: Key | None = None
    last_checked: date
    translations: EntryTranslations = EntryTranslations()

    @field_validator("join")
    @classmethod
    def _main_way_has_link(cls, join: JoinWay) -> JoinWay:
        if join.url is None:
            raise ValueError(_("needs a url: the main way to join must have a link"))
        return join

    @property
    def beginner_friendly(self) -> bool:
        return "new-to-data" in self.levels

    @property
    def platforms(self) -> tuple[str, ...]:
        """Every platform the community can be reached on, the main one first."""
        return _unique((self.join.platform, *(way.platform for way in self.also)))

    @functools.cached_property
    def masks(self) -> tuple[int, int, int, int]:
        """Roles, topics, regions and levels as bit sets over the vocabulary, for fast ranking."""
        return (
            ROLES.mask(self.roles),
            TOPICS.mask(self.topics),
            REGIONS.mask(self.regions),
            LEVELS.mask(self.levels),
        )

    @property
    def shown_description(self) -> str:
        """The description in the language of the message being written when the entry has it, else as written."""
        own = self.translations.of(i18n.current())
        return own.description if own is not None else self.description

    @functools.cached_property
    def sort_name(self) -> str:
        return self.name.casefold()

    @functools.cached_property
    def search_text(self) -> str:
        """Name, aliases, description, location and resources, normalised like keywords are."""
        parts = [self.name, *self.aliases, self.description, self.location or "", *(r.name for r in self.resources)]
        parts += [translation.description for translation in self.translations.given()]  # found in any language
        return normalise(" ".join(parts))


def format_location(loc: tuple[int | str, ...]) -> str:
    """('join', 'platform') -> join.platform; ('topics', 2) -> topics[2]."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(entry)"


def describe_problems(error: ValidationError) -> list[tuple[str, str]]:
    """Each problem of a validation error as (field path, what is wrong), worded for people."""
    problems = []
    for item in error.errors():
        # BeforeValidators on tuple members add the validator's name to loc; keep only real fields and indexes.
        loc = tuple(p for p in item["loc"] if isinstance(p, int) or not str(p).startswith("function-"))
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = _("unknown field (check the spelling; docs/communities.md lists the fields)")
        elif item["type"] == "missing":
            message = _("is required")
        elif item["type"] == "string_too_short":
            bound = item["ctx"]["min_length"]
            message = (
                _("must not be empty")
                if bound == 1
                else _("must be at least {bound} characters (it has {count})").format(
                    bound=i18n.number(bound), count=i18n.number(len(item["input"]))
                )
            )
        elif item["type"] == "string_too_long":
            message = _("must be at most {bound} characters (it has {count})").format(
                bound=i18n.number(item["ctx"]["max_length"]), count=i18n.number(len(item["input"]))
            )
        elif item["type"] == "too_short":
            message = _(_AT_LEAST_ONE) if item["ctx"]["min_length"] == 1 else message
        elif item["type"] == "too_long":
            message = _("may list at most {count}").format(count=i18n.number(item["ctx"]["max_length"]))
        problems.append((format_location(loc), message))
    # A list whose only item was rejected is also reported as empty; the item's own problem says it all.
    itemised = {field.split("[")[0] for field, _m in problems if "[" in field}
    return [(f, m) for f, m in problems if not (f in itemised and m == _(_AT_LEAST_ONE))]


_AT_LEAST_ONE = N_("must list at least one")


class EntryError(ValueError):
    """An entry that does not validate; `problems` lists (field path, what is wrong)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {problem}" for field, problem in problems))
        self.problems = problems


def build_entry(data: dict[str, Any]) -> CommunityEntry:
    """Validate one entry; raises EntryError naming each bad field."""
    try:
        return CommunityEntry.model_validate(data)
    except ValidationError as error:
        raise EntryError(describe_problems(error)) from None




# --- what a member asks for, and what they are recommended ------------------------------------------------------


class MatchStrength(IntEnum):
    """How well an entry meets one thing the person asked for."""

    NONE = 0
    PARTIAL = 1  # a worldwide community for someone who asked for a region; a keyword found in the description
    FULL = 2


class Criterion(IntEnum):
    """What a person can ask for, in the order reasons are shown."""

    ROLE = 0
    TOPIC = 1
    KEYWORD = 2
    REGION = 3
    LEVEL = 4


# The ranking's weights (rules.py): points per criterion at full strength are WEIGHTS * 2, partial WEIGHTS * 1.
WEIGHTS: dict[Criterion, int] = {
    Criterion.ROLE: 3,
    Criterion.TOPIC: 2,
    Criterion.KEYWORD: 2,  # a keyword only ever matches partly: worth half a topic
    Criterion.REGION: 2,
    Criterion.LEVEL: 1,
}


@dataclass(frozen=True)
class Preferences:
    """What a person is looking for, as vocabulary keys (plus free keywords that are not topics)."""

    role: str | None = None
    interests: tuple[str, ...] = ()  # topic keys
    region: str | None = None
    level: str | None = None
    keywords: tuple[str, ...] = ()  # lower-case words that are not topics, matched against descriptions

    def is_empty(self) -> bool:
        return not (self.role or self.interests or self.region or self.level or self.keywords)

    def asked(self) -> list[tuple[Criterion, str]]:
        """Each separate thing asked for: the components of the score."""
        items: list[tuple[Criterion, str]] = []
        if self.role:
            items.append((Criterion.ROLE, self.role))
        items += [(Criterion.TOPIC, topic) for topic in self.interests]
        items += [(Criterion.KEYWORD, word) for word in self.keywords]
        if self.region:
            items.append((Criterion.REGION, self.region))
        if self.level:
            items.append((Criterion.LEVEL, self.level))
        return items


class CriterionMatch(NamedTuple):
    """One thing asked for that an entry meets, and how well (a tuple: each answer makes dozens)."""

    criterion: Criterion
    value: str
    strength: MatchStrength

    @property
    def points(self) -> int:
        return WEIGHTS[self.criterion] * int(self.strength)


@dataclass(frozen=True)
class Recommendation:
    """An entry picked for a person, with its score and the reasons in words."""

    entry: CommunityEntry
    score: int
    matches: tuple[CriterionMatch, ...]
    reasons: tuple[str, ...]
    why_text: str


@dataclass(frozen=True)
class InterestParse:
    """What a person typed as interests, read as topic keys and leftover keywords, with notes to show them."""

    topics: tuple[str, ...]
    keywords: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class EntryLookup:
    """The entry a name refers to, or the closest names when none matches."""

    entry: CommunityEntry | None
    suggestions: tuple[CommunityEntry, ...] = ()


# --- the stored directory and suggestions ---------------------------------------------------------------------


class SuggestionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class SyncReport:
    """What loading the shipped file changed."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    restored: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()
    unchanged: int = 0

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} added",
            f"{len(self.updated)} updated",
            f"{len(self.restored)} restored",
            f"{len(self.retired)} retired",
            f"{self.unchanged} unchanged",
        ]
        return ", ".join(parts)


@dataclass(frozen=True)
class CommunitySuggestion:
    """A member's suggestion and, once decided, who decided it and when."""

    id: int
    guild_id: int
    entry: CommunityEntry
    suggested_by: int
    suggested_at: datetime
    status: SuggestionStatus
    decided_by: int | None
    decided_at: datetime | None
    entry_key: str | None
    channel_id: int | None
    message_id: int | None


@dataclass(frozen=True)
class SuggestionOutcome:
    """The outcome of a moderator's click: the suggestion as it now stands, and whether this click decided it."""

    suggestion: CommunitySuggestion
    decided_now: bool
