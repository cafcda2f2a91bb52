"""Closed DMs fall back to the welcome channel; the questions survive a restart of the bot."""

from __future__ import annotations

from loopback import LoopbackDiscord
from tests.harness import BotHarness
from tests.onboarding.helpers import component, join, pick, wait_dms


async def test_closed_dms_fall_back_to_the_welcome_channel_once(loopback: LoopbackDiscord, bot) -> None:
    guild = loopback.guild
    welcome_channel = guild.channel("welcome")
    cy = loopback.add_user("cy")
    loopback.close_dms(cy.id)
    await loopback.join_member(guild.id, cy)

    await loopback.wait_until(lambda: loopback.channel_messages(welcome_channel.id), timeout=5)
    [post] = loopback.channel_messages(welcome_channel.id)
    assert f"<@{cy.id}>" in post.content and cy.id in post.mention_ids  # the intended ping
    assert post.allowed_mentions == {"users": [cy.id], "parse": []}  # only cy can be pinged
    dm_attempts = loopback.calls_to("POST", r"/channels/\d+/messages")
    assert [c.status for c in dm_attempts if c.path != f"/channels/{welcome_channel.id}/messages"] == [403]

    # The button runs the same questions, as messages only cy sees.
    ix = await loopback.click_button(post.id, component(post, "onbstart:"), cy.id)
    await ix.wait_response()
    assert ix.ephemeral
    assert "What do you do?" in ix.content_text()
    first = ix.original
    await pick(loopback, first.id, cy.id, "role", ["data-analyst"])
    assert "Where are you in your data journey?" in loopback.message(first.id).text()

    # Closed DMs are remembered: a rejoin is not DMed again, and no second 403 is spent on it.
    await loopback.remove_member(guild.id, cy.id)
    await loopback.join_member(guild.id, cy)
    await loopback.wait_until(lambda: len(loopback.channel_messages(welcome_channel.id)) == 2, timeout=5)
    forbidden = [c for c in loopback.calls if c.status == 403]
    assert len(forbidden) == 1
    closed = await bot.db.fetchval("SELECT COUNT(*) FROM dm_closed WHERE user_id = ?", (cy.id,))
    assert closed == 1


async def test_a_restart_between_two_questions_keeps_the_next_click_working(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    await harness.start()
    dee = await join(loopback, "dee")
    [welcome] = await wait_dms(loopback, dee.id)
    await pick(loopback, welcome.id, dee.id, "role", ["ml-engineer"])

    await harness.restart()
    ix = await pick(loopback, welcome.id, dee.id, "level", ["experienced"])
    assert ix.responses[0]["type"] == 7  # the message was updated in place
    assert "What are you interested in?" in loopback.message(welcome.id).text()
    profile = await harness.bot.db.fetchrow("SELECT role, level, step FROM onboarding_profiles WHERE user_id = ?",
                                            (dee.id,))
    assert tuple(profile) == ("ml-engineer", "experienced", "interests")
    assert len(loopback.dm_messages(dee.id)) == 1  # the restart did not welcome dee again
