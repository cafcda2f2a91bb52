"""Onboarding and mentors as features of the running bot: what other features may ask, and a clean unload and
load again (nothing left registered in between, everything working after)."""

from __future__ import annotations

from typing import Any

from bot.client import CommunityBot
from loopback import LoopbackDiscord
from tests.onboarding.helpers import join, pick, wait_dms

NAMES = {"onboarding": ["onboarding:presence", "onboarding:reminders"], "mentors": ["mentors:offers"]}
PREFIXES = ("onb", "mentor:")  # the custom_id templates of the features' persistent components


def dynamic_templates(bot: CommunityBot) -> set[str]:
    return {pattern.pattern for pattern in bot._connection._view_store._dynamic_items}  # no public listing


def ours(templates: set[str]) -> set[str]:
    return {t for t in templates if t.startswith(PREFIXES)}


def running(bot: CommunityBot, name: str) -> Any:
    # By name, not bot.feature(OnboardingApi): every stop of a bot in this process unloads the extension, and
    # discord.py then drops the package's modules, so a class imported here may be older than the running one.
    return next(feature for feature in bot.loaded_features() if feature.name == name)


async def test_profile_of_gives_only_known_vocabulary_keys(loopback: LoopbackDiscord, bot: CommunityBot) -> None:
    guild = loopback.guild.id
    api = running(bot, "onboarding")
    await bot.db.execute(
        "INSERT INTO onboarding_profiles (guild_id, user_id, role, level, interests, region, timezone, status,"
        " created_at, updated_at) VALUES (?, 1, 'data-engineer', 'guru', ?, 'mars', 'Europe/Berlin', 'started', 0, 0)",
        (guild, '["mlops", "knitting", "mlops", "nlp"]'),
    )
    await bot.db.execute(
        "INSERT INTO onboarding_profiles (guild_id, user_id, status, created_at, updated_at)"
        " VALUES (?, 2, 'new', 0, 0)",
        (guild,),
    )
    # A server's own keys ('guru', 'knitting', 'mars') mean nothing to the directory: they are left out.
    assert vars(await api.profile_of(guild, 1)) == {
        "role": "data-engineer", "level": None, "interests": ("mlops", "nlp"), "region": None,
        "timezone": "Europe/Berlin",
    }
    assert await api.profile_of(guild, 2) is None  # shown the first question, answered nothing
    assert await api.profile_of(guild, 3) is None


async def test_unload_leaves_nothing_registered_and_a_load_works_again(
    loopback: LoopbackDiscord, bot: CommunityBot
) -> None:
    for owner, names in NAMES.items():
        assert bot.scheduler.registered(owner) == names
    assert len(ours(dynamic_templates(bot))) == 4
    assert {"onboarding", "mentor"} <= {command.name for command in bot.tree.get_commands()}

    await bot.unload_extension("cogs.onboarding")
    for owner, names in NAMES.items():
        assert bot.scheduler.registered(owner) == []
        assert not any(bot.scheduler.has(name) for name in names)
    assert ours(dynamic_templates(bot)) == set()
    assert not {"onboarding", "mentor"} & {command.name for command in bot.tree.get_commands()}
    assert not {"onboarding", "mentors"} & {feature.name for feature in bot.loaded_features()}
    away = await join(loopback, "away")  # nobody listens: no welcome is recorded
    assert await bot.db.fetchval("SELECT COUNT(*) FROM onboarding_welcomes WHERE user_id = ?", (away.id,)) == 0

    await bot.load_extension("cogs.onboarding")
    for owner, names in NAMES.items():
        assert bot.scheduler.registered(owner) == names
    assert len(ours(dynamic_templates(bot))) == 4
    assert {"onboarding", "mentor"} <= {command.name for command in bot.tree.get_commands()}
    ray = await join(loopback, "ray")
    [welcome] = await wait_dms(loopback, ray.id)
    await pick(loopback, welcome.id, ray.id, "role", ["data-analyst"])  # the reloaded buttons answer
    assert "Where are you in your data journey?" in loopback.message(welcome.id).text()
    assert bot.scheduler.has("onboarding:reminders")  # the first answer armed the reminder
    await bot.scheduler.run_now("mentors:offers")
