"""Closed DMs are one fact for the whole bot: what events learned, onboarding knows, and the reverse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from loopback import LoopbackDiscord
from tests.events.test_on_the_wire import create_and_confirm, member, rsvp, slash
from tests.harness import BotHarness


async def test_a_refusal_noticed_by_one_feature_spares_the_others(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    lb = loopback
    welcome = lb.guild.channel("welcome")
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    bot = await harness.start(clock=clock)
    event_id, announcement = await create_and_confirm(lb, when="in 3 hours", reminders="2h,1h")

    # Events notices first: alice's reminder DM is refused once.
    alice = member(lb, "alice")
    lb.close_dms(alice)
    await rsvp(lb, announcement.id, event_id, alice, "g")
    clock.advance(timedelta(hours=1))
    await bot.scheduler.run_now("events:reminders")
    assert [c.status for c in lb.calls if c.status == 403] == [403]

    # Onboarding then greets her in the welcome channel without spending a DM (and a 403) on it.
    await lb.remove_member(lb.guild.id, alice)
    await lb.join_member(lb.guild.id, lb.world.user(alice))
    await lb.wait_until(lambda: lb.channel_messages(welcome.id), timeout=5)
    [post] = lb.channel_messages(welcome.id)
    assert f"<@{alice}>" in post.content
    assert len([c for c in lb.calls if c.status == 403]) == 1 and lb.dm_messages(alice) == []

    # The reverse: onboarding notices cy's closed DMs at the welcome; cy's event reminder is not tried as a DM.
    cy = lb.add_user("cy")
    lb.close_dms(cy.id)
    await lb.join_member(lb.guild.id, cy)
    await lb.wait_until(lambda: len(lb.channel_messages(welcome.id)) == 2, timeout=5)
    assert len([c for c in lb.calls if c.status == 403]) == 2
    await rsvp(lb, announcement.id, event_id, cy.id, "g")
    clock.advance(timedelta(hours=1))
    await bot.scheduler.run_now("events:reminders")
    assert len([c for c in lb.calls if c.status == 403]) == 2 and lb.dm_messages(cy.id) == []
    assert await bot.dm_closed.count() == 2

    # `/event reminders on` says "my DMs are open": every feature may DM cy again.
    lb.close_dms(cy.id, closed=False)
    ix = await slash(lb, cy.id, "on", group="reminders")
    assert "try your DMs again" in ix.content_text()
    assert not await bot.dm_closed.is_closed(cy.id) and await bot.dm_closed.is_closed(alice)
