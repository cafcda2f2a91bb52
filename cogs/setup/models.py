"""What setup reasons about: the channels and roles the settings name, the server as plain facts, the plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Status(Enum):
    """One line of /setup check."""

    OK = "ok"
    MISSING = "missing"
    PROBLEM = "problem"


@dataclass(frozen=True)
class Reference:
    """One channel or role a setting names (found by walking the settings, not by knowing the features)."""

    path: str  # "channels.welcome", "onboarding.roles[data-scientist].discord_role", "onboarding.start_channels"
    value: str  # a name or an ID, as the settings hold it
    kinds: tuple[str, ...] = ()  # channel kinds the setting accepts; empty for a role
    settable: bool = False  # a per-server key (/config set), so it can be stored by ID; False inside lists
    fallback: str | None = None  # the settings file's name for it, when the server stored an ID that is gone
    given: bool = False  # a role the bot hands out (it must sit below the bot's highest role)

    @property
    def is_channel(self) -> bool:
        return bool(self.kinds)


@dataclass(frozen=True)
class TagSpec:
    """A forum tag a feature needs (the Q&A forum's Solved tag, its starter tags)."""

    name: str
    moderated: bool = False
    emoji: str | None = None


@dataclass(frozen=True)
class Hints:
    """What features say about how their channels are made: forums and their tags, private channels."""

    forum_tags: dict[str, tuple[TagSpec, ...]] = field(default_factory=dict)  # setting path -> tags
    private: dict[str, str] = field(default_factory=dict)  # channel setting path -> role setting path


@dataclass(frozen=True)
class ChannelFact:
    """A channel of the server as setup needs to know it."""

    id: int
    name: str
    kind: str  # "text", "forum", "category", "voice" or "other"
    parent_id: int | None = None
    tags: tuple[str, ...] = ()
    bot_can: frozenset[str] = frozenset()  # the bot's permissions here, by discord.py's flag names

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"


@dataclass(frozen=True)
class RoleFact:
    """A role of the server."""

    id: int
    name: str
    position: int
    managed: bool = False


@dataclass(frozen=True)
class GuildFacts:
    """The server as plain values, read once per command, so the rules run without Discord."""

    guild_id: int
    channels: tuple[ChannelFact, ...]
    roles: tuple[RoleFact, ...]  # @everyone excluded
    bot_top_position: int
    bot_role_name: str
    bot_permissions: frozenset[str]  # guild-wide, by discord.py's flag names
    members_intent: bool = True

    def channel(self, channel_id: int) -> ChannelFact | None:
        return next((c for c in self.channels if c.id == channel_id), None)


@dataclass(frozen=True)
class ChannelNeed:
    """A channel the settings need: every setting naming it, the kinds all of them accept, how to make it."""

    name: str  # the name it is (or will be) known by
    kinds: tuple[str, ...]
    paths: tuple[str, ...]
    refs: tuple[Reference, ...]
    found: ChannelFact | None = None
    other_kind: ChannelFact | None = None  # a channel of that name but the wrong kind ("General" the category)
    bot_posts: bool = False  # named by a per-server key: the bot posts there
    tags: tuple[TagSpec, ...] = ()
    private_to: str | None = None  # the role (name or ID) that, with the bot, alone sees it
    unresolvable: bool = False  # an ID that is gone, with no name to make it again

    @property
    def create_as(self) -> str:
        if self.tags and "forum" in self.kinds:
            return "forum"
        return "text" if "text" in self.kinds else self.kinds[0]


@dataclass(frozen=True)
class RoleNeed:
    """A role the settings need."""

    name: str
    paths: tuple[str, ...]
    refs: tuple[Reference, ...]
    found: RoleFact | None = None
    given: bool = False
    unresolvable: bool = False


@dataclass(frozen=True)
class CheckLine:
    """One line of the checklist: what, its state, and for anything not OK how to fix it."""

    status: Status
    subject: str
    detail: str = ""
    fix: str = ""


@dataclass(frozen=True)
class CheckSection:
    title: str
    lines: tuple[CheckLine, ...]


@dataclass(frozen=True)
class NewChannel:
    """A channel /setup create makes."""

    name: str
    kind: str  # "text" or "forum" (any kind a setting needs)
    category: str
    paths: tuple[str, ...]
    tags: tuple[TagSpec, ...] = ()
    private_to: str | None = None  # role name or ID


@dataclass(frozen=True)
class NewCategory:
    name: str


@dataclass(frozen=True)
class TagEdit:
    """Tags to add to a forum that exists."""

    channel_id: int
    channel_name: str
    add: tuple[TagSpec, ...]


@dataclass(frozen=True)
class Remember:
    """A per-server key to store by ID once its channel or role exists (so renaming it later breaks nothing)."""

    path: str
    target: str  # "channel" or "role"
    name: str  # the need's name, to find what was made
    existing_id: int | None = None


@dataclass(frozen=True)
class Plan:
    """Everything /setup create would do, and what stops it."""

    categories: tuple[NewCategory, ...] = ()
    channels: tuple[NewChannel, ...] = ()
    roles: tuple[str, ...] = ()
    tag_edits: tuple[TagEdit, ...] = ()
    remember: tuple[Remember, ...] = ()
    category_ids: dict[str, int] = field(default_factory=dict)  # existing categories reused, by name
    blockers: tuple[str, ...] = ()  # nothing is created while any remains
    warnings: tuple[str, ...] = ()  # shown, not in the way

    @property
    def writes(self) -> int:
        """Discord writes it makes."""
        return len(self.categories) + len(self.channels) + len(self.roles) + len(self.tag_edits)

    @property
    def empty(self) -> bool:
        return self.writes == 0 and not self.remember


@dataclass(frozen=True)
class Refusal:
    """Why a run stopped: what Discord would not create, kept as data so each reader gets it in their language
    (the manager who pressed Confirm, the moderators' log)."""

    target: str  # "role", "category", "channel" or "tags"
    name: str  # the role or channel name, or the forum's mention for "tags"
    forbidden: bool  # a 403: the bot lacks a permission
    status: int
    reason: str  # Discord's own text, as it sent it

    def __str__(self) -> str:  # for the log
        return f"Discord refused {self.target} {self.name} ({self.status}: {self.reason or 'no reason given'})"


@dataclass
class Outcome:
    """What a run of /setup create did."""

    created_channels: list[tuple[str, int]] = field(default_factory=list)  # (name, id)
    created_roles: list[tuple[str, int]] = field(default_factory=list)
    tags_added: list[tuple[str, str]] = field(default_factory=list)  # (forum name, tag)
    remembered: list[tuple[str, int]] = field(default_factory=list)  # (setting path, id)
    failure: Refusal | None = None
    seconds: float = 0.0
