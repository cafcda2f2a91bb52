"""The rest of a newcomer's life on the loopback: screening, the reminder across restarts, rejoining, roles the bot
cannot give, moderators' stats, and a mentor who does not answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from loopback import LoopbackDiscord, payloads
from tests.harness import BotHarness, eventually
from tests.onboarding.helpers import component_ids, join, pick, press, wait_dms


async def finish_flow(lb: LoopbackDiscord, message_id: int, user_id: int, role: str = "data-analyst") -> None:
    await pick(lb, message_id, user_id, "role", [role])
    await pick(lb, message_id, user_id, "level", ["early-career"])
    await pick(lb, message_id, user_id, "interests", ["analytics"])
    await press(lb, message_id, user_id, "region", "skip")
    await lb.wait_until(lambda: "all set" in lb.message(message_id).text())


async def test_membership_screening_delays_the_welcome_until_accepted(loopback: LoopbackDiscord, bot) -> None:
    guild = loopback.guild
    gil = loopback.add_user("gil")
    member = loopback.add_member(guild.id, gil)
    member.pending = True
    await loopback.gateway.dispatch("GUILD_MEMBER_ADD", {**payloads.member(member), "guild_id": str(guild.id)})
    await loopback.wait_until(lambda: bot.get_guild(guild.id).get_member(gil.id))
    # The join's handler stores the state after discord.py has cached the member: wait for the row (on PostgreSQL
    # under the two-worker suite it came a moment after the cache).
    stored = "SELECT state FROM onboarding_welcomes WHERE user_id = ?"
    assert await eventually(lambda: bot.db.fetchval(stored, (gil.id,))) == "screening"
    assert loopback.dm_messages(gil.id) == []

    member.pending = False
    await loopback.member_updated(member)
    [welcome] = await wait_dms(loopback, gil.id)
    assert "What do you do?" in welcome.text()


async def test_one_reminder_after_the_set_days_neither_lost_nor_repeated_by_restarts(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    clock = ManualClock(datetime.now(UTC))
    await harness.start(clock=clock)
    hal = await join(loopback, "hal")
    [welcome] = await wait_dms(loopback, hal.id)
    await pick(loopback, welcome.id, hal.id, "role", ["researcher"])
    await harness.stop()

    clock.advance(timedelta(days=3, minutes=1))  # due while the bot was down
    bot = await harness.start(clock=clock)  # the rebuilt job fires at once for what fell due
    reminders = await wait_dms(loopback, hal.id, 2)
    assert "didn't finish" in reminders[1].text()
    assert "Where are you in your data journey?" in reminders[1].text()  # where hal stopped
    assert all(c.endswith(":r") for c in component_ids(reminders[1]) if c.startswith("onb"))
    await loopback.wait_until(lambda: not bot.scheduler.has("onboarding:reminders"))

    await harness.restart(clock=clock)
    clock.advance(timedelta(days=30))
    await harness.bot.scheduler.run_now("onboarding:reminders")
    assert len(loopback.dm_messages(hal.id)) == 2
    state = await harness.bot.db.fetchval("SELECT state FROM onboarding_reminders WHERE user_id = ?", (hal.id,))
    assert state == "sent"

    # The reminder's menu continues the same flow.
    await pick(loopback, reminders[1].id, hal.id, "level", ["experienced"])
    assert "What are you interested in?" in loopback.message(reminders[1].id).text()


async def test_a_member_who_leaves_and_rejoins_is_welcomed_back_with_their_roles(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    guild = loopback.guild
    analyst = loopback.add_role(guild.id, "Data Analyst")
    await harness.start()
    ivy = await join(loopback, "ivy")
    [welcome] = await wait_dms(loopback, ivy.id)
    await finish_flow(loopback, welcome.id, ivy.id)
    assert analyst.id in loopback.member(guild.id, ivy.id).roles

    await loopback.remove_member(guild.id, ivy.id)
    await loopback.join_member(guild.id, ivy)  # Discord gives a rejoining member no roles
    back = (await wait_dms(loopback, ivy.id, 2))[1]
    assert "Welcome back to Data Community" in back.text()
    assert "Data analyst" in back.text()
    assert not [c for c in component_ids(back) if c.startswith("onb:")]  # not asked again
    await loopback.wait_until(lambda: analyst.id in loopback.member(guild.id, ivy.id).roles)

    # "Change my answers" reopens the questions in the same DM.
    await press(loopback, back.id, ivy.id, "role", "again")
    assert "What do you do?" in loopback.message(back.id).text()


async def test_a_role_the_bot_cannot_give_is_reported_once_not_per_member(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    guild = loopback.guild
    high = loopback.add_role(guild.id, "Data Analyst")
    high.position = 5000  # above the bot's own role
    await harness.start()
    for name in ("jo", "kit"):
        user = await join(loopback, name)
        [welcome] = await wait_dms(loopback, user.id)
        await finish_flow(loopback, welcome.id, user.id)
    reports = [m for m in loopback.channel_messages(guild.channel("mod-log").id) if "Data Analyst" in m.content]
    assert len(reports) == 1
    assert "above my highest role" in reports[0].content
    assert loopback.calls_to("PUT", r"/roles/") == []  # no request doomed to a 403


async def test_stats_for_moderators_only(loopback: LoopbackDiscord, harness: BotHarness) -> None:
    guild = loopback.guild
    lee = loopback.add_user("lee")
    loopback.add_member(guild.id, lee)
    await harness.start()
    for name in ("mia", "ned"):
        user = await join(loopback, name)
        [welcome] = await wait_dms(loopback, user.id)
        if name == "mia":
            await finish_flow(loopback, welcome.id, user.id, role="data-engineer")
        else:
            await pick(loopback, welcome.id, user.id, "role", ["student"])
    general = guild.channel("general").id
    refused = await loopback.invoke_slash(guild.id, general, lee.id, "onboarding", {}, "stats")
    await refused.wait_response()
    assert "Only moderators" in refused.content_text()

    ix = await loopback.invoke_slash(guild.id, general, guild.owner_id, "onboarding", {}, "stats")
    await ix.wait_response()
    text = ix.content_text()
    assert ix.ephemeral
    for expected in ("Joined\n2", "Started\n2", "Finished\n1 (50%)", "Welcome DMs\n2",
                     "Data engineer: 1 started, 1 finished", "Student or enthusiast: 1 started, 0 finished"):
        assert expected in text, (expected, text)

    mine = await loopback.invoke_slash(guild.id, general, lee.id, "onboarding", {}, "profile")
    await mine.wait_response()
    assert "not answered the welcome questions yet" in mine.content_text()


async def test_a_mentor_who_does_not_answer_in_time_is_skipped(loopback: LoopbackDiscord, harness: BotHarness) -> None:
    guild = loopback.guild
    general = guild.channel("general").id
    mentors = [loopback.add_user(n) for n in ("oli", "pat")]
    for user in mentors:
        loopback.add_member(guild.id, user)
    clock = ManualClock(datetime.now(UTC))
    bot = await harness.start(clock=clock)
    for user in mentors:
        ix = await loopback.invoke_slash(guild.id, general, user.id, "mentor", {"topics": "careers"}, "join")
        await ix.wait_response()
        clock.advance(timedelta(seconds=1))

    quin = await join(loopback, "quin")
    [welcome] = await wait_dms(loopback, quin.id)
    await pick(loopback, welcome.id, quin.id, "role", ["student"])
    await pick(loopback, welcome.id, quin.id, "level", ["new-to-data"])
    await pick(loopback, welcome.id, quin.id, "interests", ["careers"])
    await press(loopback, welcome.id, quin.id, "region", "skip")
    await press(loopback, welcome.id, quin.id, "mentor", "yes")
    await loopback.wait_until(lambda: "all set" in loopback.message(welcome.id).text())
    assert f"I asked <@{mentors[0].id}> to mentor you" in loopback.message(welcome.id).text()
    [first_offer] = await wait_dms(loopback, mentors[0].id)

    clock.advance(timedelta(hours=48, seconds=1))
    await bot.scheduler.run_now("mentors:offers")
    [offer] = await wait_dms(loopback, mentors[1].id)
    assert f"<@{quin.id}> would like a mentor for **Careers and jobs**" in offer.text()
    notes = await wait_dms(loopback, quin.id, 2)
    assert f"didn't answer in time, so I asked another one: <@{mentors[1].id}>" in notes[-1].text()
    closed = loopback.message(first_offer.id)
    assert "expired" in closed.text() and not component_ids(closed)  # the late mentor has nothing left to press


async def test_a_returning_member_with_closed_dms_still_gets_their_roles_back(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    guild = loopback.guild
    analyst = loopback.add_role(guild.id, "Data Analyst")
    await harness.start()
    vic = await join(loopback, "vic")
    [welcome] = await wait_dms(loopback, vic.id)
    await finish_flow(loopback, welcome.id, vic.id)
    await loopback.remove_member(guild.id, vic.id)
    loopback.close_dms(vic.id)
    await loopback.join_member(guild.id, vic)
    await loopback.wait_until(lambda: analyst.id in loopback.member(guild.id, vic.id).roles)
    welcome_channel = guild.channel("welcome").id
    await loopback.wait_until(lambda: loopback.channel_messages(welcome_channel))
    assert f"<@{vic.id}>" in loopback.channel_messages(welcome_channel)[0].content
