"""Setup without Discord: walking any settings for channels and roles, the plan for a server's facts, its limits."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from pydantic import BaseModel, Field, ValidationError, create_model

from bot.settings import FeatureSettings, OptionalRoleRef, Settings, TextChannelRef, settings_model
from cogs.qa.settings import QASettings
from cogs.setup.models import ChannelFact, GuildFacts, RoleFact
from cogs.setup.needs import hints, references
from cogs.setup.rules import channel_needs, digest, plan, role_needs

ALL = frozenset({"manage_channels", "manage_roles", "view_channel", "send_messages", "embed_links",
                 "read_message_history"})  # fmt: skip


class Board(BaseModel):
    """An option of a feature that does not exist yet."""

    key: str
    channels: list[TextChannelRef] = Field(default_factory=list)
    discord_role: OptionalRoleRef = None


class KudosSettings(FeatureSettings):
    """A feature that does not exist yet: setup knows nothing of it."""

    section_name: ClassVar[str] = "kudos"
    channel: TextChannelRef = "kudos"
    judge_role: OptionalRoleRef = "Judges"
    boards: list[Board] = Field(
        default_factory=lambda: [Board(key="monthly", channels=["hall-of-fame"], discord_role="Star")]
    )


def fresh(channels: int = 0, roles: int = 0, permissions: frozenset[str] = ALL) -> GuildFacts:
    """A fresh server's facts, with extra channels or roles to reach Discord's limits."""
    found = [ChannelFact(1, "General", "category"), ChannelFact(2, "general", "text", parent_id=1),
             ChannelFact(3, "General", "voice", parent_id=1)]  # fmt: skip
    found += [ChannelFact(100 + n, f"extra-{n}", "text") for n in range(channels)]
    return GuildFacts(
        guild_id=10, channels=tuple(found), roles=tuple(RoleFact(500 + n, f"r{n}", 1) for n in range(roles)),
        bot_top_position=50, bot_role_name="Community Bot", bot_permissions=permissions,
    )


def planned(settings: Settings, facts: GuildFacts, category: str = "Community") -> Any:
    refs = references(settings, settings)
    return plan(channel_needs(refs, facts, hints(settings)), role_needs(refs, facts), facts, category)


def test_the_shipped_settings_name_16_channels_and_12_roles(settings: Settings) -> None:
    refs = references(settings, settings)
    facts = fresh()
    channels = channel_needs(refs, facts, hints(settings))
    roles = role_needs(refs, facts)
    assert len(channels) == 16 and len(roles) == 12
    general = next(c for c in channels if c.name == "general")
    assert general.found is not None and general.found.kind == "text"  # not the category, not the voice channel
    assert {r.name for r in roles if r.given} == {r.name for r in roles} - {"Moderators"}
    questions = next(c for c in channels if c.name == "questions")
    assert questions.create_as == "forum" and questions.tags[0].name == "Solved" and questions.tags[0].moderated
    mod_log = next(c for c in channels if c.name == "mod-log")
    assert mod_log.private_to == "Moderators" and mod_log.bot_posts
    analytics = next(c for c in channels if c.name == "analytics")
    assert len(analytics.paths) == 4 and analytics.create_as == "text" and not analytics.bot_posts


def test_a_future_features_channels_and_roles_are_found_without_editing_setup() -> None:
    composed = create_model("Composed", __base__=settings_model(), kudos=(KudosSettings, KudosSettings()))
    refs = {ref.path: ref for ref in references(composed())}
    assert refs["kudos.channel"].kinds == ("text",) and refs["kudos.channel"].value == "kudos"
    assert refs["kudos.judge_role"].kinds == () and not refs["kudos.judge_role"].given
    assert refs["kudos.boards[monthly].channels"].value == "hall-of-fame"
    assert refs["kudos.boards[monthly].discord_role"].given


def test_a_fresh_server_gets_one_category_fifteen_channels_and_twelve_roles(settings: Settings) -> None:
    result = planned(settings, fresh())
    assert [c.name for c in result.categories] == ["Community"]
    assert len(result.channels) == 15 and all(c.category == "Community" for c in result.channels)
    assert [c.name for c in result.channels if c.kind == "forum"] == ["questions"]
    assert [c.name for c in result.channels if c.private_to] == ["mod-log"]
    assert len(result.roles) == 12 and result.roles[0] == "Moderators"
    assert {r.path for r in result.remember} == {
        "channels.welcome", "channels.questions", "channels.events", "channels.mod_log", "roles.moderator"}
    assert not result.blockers and not result.warnings
    assert digest(result) == digest(planned(settings, fresh())) and len(digest(result)) == 16


def test_nothing_to_do_once_everything_exists_by_id(settings: Settings) -> None:
    first = planned(settings, fresh())
    made = [ChannelFact(900, "Community", "category")]
    made += [ChannelFact(1000 + n, c.name, c.kind, parent_id=900, tags=tuple(t.name for t in c.tags))
             for n, c in enumerate(first.channels)]  # fmt: skip
    roles = tuple(RoleFact(2000 + n, name, 1) for n, name in enumerate(first.roles))
    facts = fresh()
    facts = GuildFacts(facts.guild_id, facts.channels + tuple(made), roles, 50, "Community Bot", ALL)
    data = settings.model_dump()
    ids = {c.name: c.id for c in made}
    data["channels"] = {"welcome": str(ids["welcome"]), "questions": str(ids["questions"]),
                        "events": str(ids["events"]), "mod_log": str(ids["mod-log"])}  # fmt: skip
    data["roles"] = {"moderator": "2000"}
    stored = settings_model().model_validate(data)
    refs = references(stored, settings)
    again = plan(channel_needs(refs, facts, hints(stored)), role_needs(refs, facts), facts, "Community")
    assert again.empty and digest(again) != digest(first)


def test_a_role_the_bot_gives_above_its_own_is_a_warning(settings: Settings) -> None:
    facts = fresh()
    facts = GuildFacts(facts.guild_id, facts.channels, (RoleFact(7, "Student", 60),), 50, "Community Bot", ALL)
    result = planned(settings, facts)
    assert "Student" not in result.roles
    assert any("<@&7>" in w and "Drag **Community Bot** above it" in w for w in result.warnings)


def test_missing_permissions_block_everything(settings: Settings) -> None:
    result = planned(settings, fresh(permissions=ALL - {"manage_roles", "embed_links"}))
    assert len(result.blockers) == 1
    assert "**Manage Roles**" in result.blockers[0] and "**Embed Links**" in result.blockers[0]


def test_discords_limits(settings: Settings) -> None:
    assert "Discord's 500" in planned(settings, fresh(channels=490)).blockers[0]
    assert "Discord's 250" in planned(settings, fresh(roles=240)).blockers[0]
    full = fresh()
    crowded = [ChannelFact(900, "Community", "category")] + [
        ChannelFact(901 + n, f"old-{n}", "text", parent_id=900) for n in range(45)]
    facts = GuildFacts(10, full.channels + tuple(crowded), (), 50, "Community Bot", ALL)
    result = planned(settings, facts)
    assert [c.name for c in result.categories] == ["Community 2"] and result.category_ids == {"Community": 900}
    assert [c.category for c in result.channels].count("Community") == 5
    assert [c.category for c in result.channels].count("Community 2") == 10


def test_qa_forum_tags_fit_a_forum() -> None:
    assert QASettings().setup_forum_tags()["channels.questions"][0] == ("Solved", True, "✅")
    with pytest.raises(ValidationError):
        QASettings(forum_tags=["x" * 21])
    with pytest.raises(ValidationError):
        QASettings(forum_tags=["SQL", "sql"])
    with pytest.raises(ValidationError):
        QASettings(forum_tags=[f"t{n}" for n in range(20)])  # with Solved that would be 21
