"""A mentor's Accept in their DM names the offer, not its server (`mentor:<offer>:accept`), and reaches shard 0's
process whatever server the offer is about. Mentoring's `guild_of_component` hook says which server that is, so
shard 0's process fetches it (bot/remote_guilds.py) and can tell the mentee; without it the mentee hears nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.database import DatabaseTarget
from bot.settings import Settings
from cogs.onboarding.mentors.store import MentorStore
from cogs.onboarding.mentors.views import offer_view
from loopback import LoopbackDiscord
from tests.scale.inprocess import ShardBots

COUNT = 2


@pytest.fixture
async def bots(loopback: LoopbackDiscord, database_target: DatabaseTarget, settings: Settings
               ) -> AsyncIterator[ShardBots]:
    loopback.max_concurrency = COUNT
    fleet = ShardBots(loopback, database_target, settings)
    try:
        yield fleet
    finally:
        await fleet.stop()


async def test_a_mentor_accepts_in_a_dm_handled_by_shard_0_for_a_server_of_shard_1(
    loopback: LoopbackDiscord, bots: ShardBots
) -> None:
    lb = loopback
    far = lb.add_guild("Far community", on_shard=(1, COUNT))
    mia, max_ = lb.add_user("mia"), lb.add_user("max")
    for user in (mia, max_):
        lb.add_member(far.id, user)
    # shard 0's process alone: it does not hold the far server, whose process sent the offer (below, as it would)
    [zero] = await bots.start(COUNT, [0], features=["onboarding"])
    assert zero.get_guild(far.id) is None
    now = datetime.now(UTC)
    store = MentorStore(zero.db)
    await store.join(far.id, mia.id, ["python"], 2, None, now)
    asked = await store.request(far.id, max_.id, ["python"], None, "command", now, timedelta(hours=48))
    assert asked.offer is not None and asked.offer.mentor_id == mia.id
    offer_id = asked.offer.id
    assert str(far.id) not in f"mentor:{offer_id}:accept"  # nothing in the custom_id names the server

    mentors = next(f for f in zero.loaded_features() if f.name == "mentors")  # (each test loads the cogs afresh)
    assert await mentors.guild_of_component(f"mentor:{offer_id}:accept") == far.id
    assert await mentors.guild_of_component(f"mentor:{offer_id + 100}:accept") is None  # no such offer
    assert await mentors.guild_of_component("ev:rsvp:1:1:g") is None  # not mentoring's

    dm = await (await zero.fetch_user(mia.id)).send("Someone would like a mentor", view=offer_view(offer_id))
    ix = await lb.click_button(dm.id, f"mentor:{offer_id}:accept", mia.id)
    await ix.wait_response(timeout=10)
    assert ix.guild_id is None and ix.shard_id == 0
    assert f"You're now mentoring <@{max_.id}>" in ix.content_text(), ix.content_text()
    assert len(lb.calls_to("GET", rf"^/guilds/{far.id}$")) == 1  # fetched for the click, as the hook named it
    status = await zero.db.fetchval("SELECT status FROM mentor_offers WHERE id = ?", (offer_id,))
    assert status == "accepted"
    # the mentee is told, by the process that had no cache of their server
    await lb.wait_until(lambda: any("accepted to be your mentor" in m.content for m in lb.dm_messages(max_.id)),
                        timeout=10)
