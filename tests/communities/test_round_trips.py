"""Round trips to the database per busy interaction: the directory comes from the cache, not the database.

Counted with tests/communities/round_trips.py, which wraps the running bot's Database (nothing is mocked). Before
the change notices, /communities recommend made 3 statements (the member's profile and the version of two
directories) and /communities list 2; now a member's first recommend reads their profile, later ones nothing.
"""

from __future__ import annotations

import json

from loopback import LoopbackDiscord
from tests.communities.helpers import member, slash
from tests.communities.round_trips import counting

PROFILE_READ = "onboarding_profiles"
THE_COMMANDS_TABLES = ("community_", PROFILE_READ, "guild_settings")


async def test_recommend_reads_only_the_members_profile_and_list_nothing(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    await bot.db.execute(
        "INSERT INTO onboarding_profiles (guild_id, user_id, role, level, interests, region, status, created_at,"
        " updated_at) VALUES (?, ?, 'analytics-engineer', 'early-career', ?, 'africa', 'finished', ?, ?)",
        (loopback.guild.id, alice.id, json.dumps(["analytics-engineering"]), 1767225600, 1767225600),
    )
    await slash(loopback, alice.id, "list")  # the first use in a server reads its own additions, once
    with counting(bot.db) as trips:
        ix = await slash(loopback, alice.id, "recommend", region="global")
    assert "1. dbt Community" in ix.content_text()  # the profile was used
    # What the command reads: the tables it depends on (other statements counted meanwhile are background work
    # of other features, such as the scheduler's). The one read left is onboarding's answer to profile_of, the
    # first time a member asks; onboarding keeps it from then on (cogs/onboarding/cache.py).
    assert trips.touching(*THE_COMMANDS_TABLES) == trips.touching(PROFILE_READ)
    assert len(trips.touching(PROFILE_READ)) <= 1
    with counting(bot.db) as trips:
        ix = await slash(loopback, alice.id, "recommend", region="africa")
    assert "1. " in ix.content_text()
    assert trips.touching(*THE_COMMANDS_TABLES) == []

    for verb, options in (("list", {}), ("list", {"topic": "mlops"}), ("info", {"name": "dbt"})):
        with counting(bot.db) as trips:
            ix = await slash(loopback, alice.id, verb, **options)
        assert ix.responses[0]["data"].get("embeds"), ix.content_text()
        assert trips.touching(*THE_COMMANDS_TABLES) == [], verb


async def test_a_suggestion_reads_the_pending_ones_once(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    await slash(loopback, alice.id, "list")  # the server's own entries, read once
    with counting(bot.db) as trips:
        ix = await slash(
            loopback, alice.id, "suggest", name="Lagos Data Folk", join_url="https://discord.gg/lagosdata",
            platform="discord", description="Monthly meetups for data people in Lagos.", topics="analytics",
        )
    assert "went to the moderators" in ix.content_text()
    assert [sql.split()[0] for sql in trips.touching("community_")] == ["SELECT", "INSERT", "UPDATE"]
    assert trips.transactions == 0
