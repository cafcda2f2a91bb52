"""What other features read of a member's answers (`member_profile`) comes from memory, and follows every change at
once: an answer, finishing, a forget, and (on PostgreSQL) another process's writes through the change notices."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.database import ALL, Database
from cogs.onboarding.api import MemberProfile
from cogs.onboarding.cache import ProfileCache
from cogs.onboarding.models import Step
from cogs.onboarding.store import OnboardingStore
from cogs.onboarding.store_member import OnboardingMemberData
from tests.communities.round_trips import counting

G, U = 100, 200
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
LATER = timedelta(days=3)
NOTICE_WITHIN_S = 2.0  # a PostgreSQL notice arrives in milliseconds; this only bounds a failing test


async def test_no_answers_yet_is_kept_and_an_answer_is_seen_at_once(db: Database) -> None:
    store = OnboardingStore(db)
    assert await store.member_profile(G, U) is None
    with counting(db) as trips:
        assert await store.member_profile(G, U) is None
    assert trips.statements == []  # "no profile" is remembered too

    await store.ensure_profile(G, U, NOW)  # the first question shown: still no answers
    assert await store.member_profile(G, U) is None
    await store.save_answer(G, U, {"role": "data-engineer"}, Step.LEVEL, NOW, LATER)
    assert await store.member_profile(G, U) == MemberProfile(role="data-engineer")
    await store.save_answer(G, U, {"level": "early-career"}, Step.INTERESTS, NOW, LATER)
    await store.finish(G, U, NOW)
    profile = await store.member_profile(G, U)
    assert profile == MemberProfile(role="data-engineer", level="early-career")
    with counting(db) as trips:
        assert await store.member_profile(G, U) == profile
    assert trips.statements == []


async def test_a_forgotten_member_is_forgotten_by_the_cache_too(db: Database) -> None:
    store = OnboardingStore(db)
    await store.save_answer(G, U, {"role": "data-engineer"}, Step.LEVEL, NOW, LATER)
    assert await store.member_profile(G, U) == MemberProfile(role="data-engineer")
    await OnboardingMemberData(db).forget(G, U, NOW)  # what /privacy forget and the retention job run
    assert await store.member_profile(G, U) is None


async def test_another_process_changes_reach_this_cache(db: Database, second_database: Database) -> None:
    mine, theirs = OnboardingStore(db), OnboardingStore(second_database)
    assert await mine.member_profile(G, U) is None
    await theirs.save_answer(G, U, {"role": "ml-engineer"}, Step.LEVEL, NOW, LATER)
    if db.backend == "sqlite":  # one process there: the notices of another Database do not travel
        pytest.skip("SQLite runs as one process; its notices are delivered in-process")
    started = time.monotonic()
    while await mine.member_profile(G, U) != MemberProfile(role="ml-engineer"):
        assert time.monotonic() - started < NOTICE_WITHIN_S, "the other process's answer never reached the cache"
        await asyncio.sleep(0.005)
    await OnboardingMemberData(second_database).forget(G, U, NOW)
    started = time.monotonic()
    while await mine.member_profile(G, U) is not None:
        assert time.monotonic() - started < NOTICE_WITHIN_S, "the other process's forget never reached the cache"
        await asyncio.sleep(0.005)


def test_a_read_that_raced_a_change_is_not_kept() -> None:
    cache = ProfileCache()
    generation = cache.generation
    cache.invalidate(f"{G}:{U}")  # a write committed while the read was on its way
    cache.put(G, U, MemberProfile(role="old"), generation)
    assert cache.get(G, U) == (False, None)
    cache.put(G, U, MemberProfile(role="new"), cache.generation)
    assert cache.get(G, U) == (True, MemberProfile(role="new"))
    cache.invalidate(ALL)  # notices were lost: nothing cached is trusted
    assert len(cache) == 0


def test_the_least_recently_asked_go_first() -> None:
    cache = ProfileCache(size=2)
    for user in (1, 2):
        cache.put(G, user, None, cache.generation)
    cache.get(G, 1)
    cache.put(G, 3, None, cache.generation)
    assert [cache.get(G, user)[0] for user in (1, 2, 3)] == [True, False, True]
