"""The privacy commands on the loopback Discord, both engines: show, export, forget (with a scan of every table and
column afterwards), forget-member for moderators, strangers refused, and no re-welcome after a restart."""

from __future__ import annotations

import json

from bot.client import CommunityBot
from bot.database import Database
from cogs.onboarding.cog import OnboardingCog
from loopback import LoopbackDiscord
from tests.harness import BotHarness
from tests.privacy.helpers import SEEDED_TABLES, privacy, scan_for, seed_member


def button_id(message, prefix: str) -> str:
    return next(
        item["custom_id"] for row in message.components for item in row.get("components") or []
        if item.get("custom_id", "").startswith(prefix)
    )


async def forget_me(lb: LoopbackDiscord, user_id: int) -> str:
    """/privacy forget, then the confirm button; the final text the member reads."""
    ask = await privacy(lb, user_id, "forget")
    assert ask.ephemeral
    assert "stay yours in Discord" in ask.content_text()
    click = await lb.click_button(ask.original.id, button_id(ask.original, "privacy:forget:"), user_id)
    await click.wait_response()
    await lb.wait_until(lambda: "Done" in lb.message(ask.original.id).text(), timeout=10)
    return lb.message(ask.original.id).text()


async def test_forget_leaves_no_trace_of_the_member_in_any_table(loopback: LoopbackDiscord, bot: CommunityBot) -> None:
    guild = loopback.guild
    ana, bo = loopback.add_user("ana"), loopback.add_user("bo")
    await loopback.join_member(guild.id, ana)
    await loopback.join_member(guild.id, bo)
    await loopback.wait_until(lambda: loopback.dm_messages(ana.id) and loopback.dm_messages(bo.id), timeout=5)
    await seed_member(bot.db, guild.id, ana.id, bo.id)
    before = await scan_for(bot.db, ana.id)
    assert set(before) >= SEEDED_TABLES, SEEDED_TABLES - set(before)

    text = await forget_me(loopback, ana.id)

    assert "stay yours in Discord" in text
    assert await scan_for(bot.db, ana.id) == {}
    # Other members' data stays: bo's credit for answering ana's question, bo's RSVP and reminder, bo's request.
    assert await bot.db.fetchval("SELECT answer_author_id FROM qa_questions WHERE thread_id = 9001") == bo.id
    assert await bot.db.fetchval("SELECT asker_id FROM qa_questions WHERE thread_id = 9001") == 0  # no author
    assert await bot.db.fetchval("SELECT asker_id FROM qa_questions WHERE thread_id = 9002") == bo.id
    assert await bot.db.fetchval("SELECT answer_author_id FROM qa_questions WHERE thread_id = 9002") is None
    assert await bot.db.fetchval("SELECT COUNT(*) FROM event_rsvps WHERE user_id = ?", (bo.id,)) == 1
    assert await bot.db.fetchval("SELECT COUNT(*) FROM event_deliveries WHERE user_id = ?", (bo.id,)) == 1
    assert await bot.db.fetchval("SELECT title FROM events") == "Meetup"  # bo's RSVP still has its event
    ended = await bot.db.fetchrow("SELECT status, mentor_id FROM mentor_requests WHERE mentee_id = ?", (bo.id,))
    assert tuple(ended) == ("ended", None)
    # bo, ana's mentee, is told the mentorship ended, without ana being named
    await loopback.wait_until(lambda: any("mentorship has ended" in m.text() for m in loopback.dm_messages(bo.id)))
    note = next(m for m in loopback.dm_messages(bo.id) if "mentorship has ended" in m.text())
    assert str(ana.id) not in note.text()


async def test_export_is_an_ephemeral_json_file_of_every_feature(loopback: LoopbackDiscord, bot: CommunityBot) -> None:
    guild = loopback.guild
    ana, bo = loopback.add_user("ana"), loopback.add_user("bo")
    await loopback.join_member(guild.id, ana)
    await seed_member(bot.db, guild.id, ana.id, bo.id)

    ix = await privacy(loopback, ana.id, "export")

    assert ix.ephemeral
    [upload] = [f for c in loopback.calls_to("*", r"/webhooks/") for f in c.files]
    assert upload["filename"].endswith(".json")
    data = json.loads(upload["data"])
    assert data["format"] == "community-bot member export" and data["version"] == 1
    assert data["user_id"] == str(ana.id) and data["guild_id"] == str(guild.id)
    features = data["features"]
    assert features["onboarding"]["profile"][0]["interests"] == ["python"]
    assert [q["thread_id"] for q in features["qa"]["questions_asked"]] == [9001]
    assert [q["thread_id"] for q in features["qa"]["answers_credited"]] == [9002]
    assert features["events"]["rsvps"][0]["title"] == "Meetup"
    assert features["mentors"]["mentor"][0]["topics"] == ["python"]
    assert features["communities"]["suggestions"][0]["name"] == "DataTalks"
    assert features["admin"]["dm_closed"] and features["privacy"]["departure"]
    assert str(bo.id) not in upload["data"].decode()  # other members are not in it


async def test_show_lists_what_is_stored_per_feature(loopback: LoopbackDiscord, bot: CommunityBot) -> None:
    guild = loopback.guild
    ana, bo = loopback.add_user("ana"), loopback.add_user("bo")
    await loopback.join_member(guild.id, ana)
    empty = await privacy(loopback, ana.id, "show")
    assert empty.ephemeral
    await seed_member(bot.db, guild.id, ana.id, bo.id)

    ix = await privacy(loopback, ana.id, "show")

    text = ix.content_text()
    assert ix.ephemeral
    assert "Q&A" in text and "questions you asked" in text and "180 days after you leave" in text


async def test_forget_member_is_for_moderators_and_says_when_the_id_is_unknown(
    loopback: LoopbackDiscord, bot: CommunityBot
) -> None:
    guild = loopback.guild
    ana, cy = loopback.add_user("ana"), loopback.add_user("cy")
    await loopback.join_member(guild.id, cy)
    await seed_member(bot.db, guild.id, ana.id, cy.id)  # ana left; cy is an ordinary member

    refused = await privacy(loopback, cy.id, "forget-member", user_id=str(ana.id))
    assert refused.ephemeral and "Manage Server" in refused.content_text()
    assert await bot.db.fetchval("SELECT COUNT(*) FROM onboarding_profiles WHERE user_id = ?", (ana.id,)) == 1

    unknown = await privacy(loopback, guild.owner_id, "forget-member", user_id="123456789012345678")
    assert unknown.ephemeral and "nothing stored about the ID `123456789012345678`" in unknown.content_text()
    typo = await privacy(loopback, guild.owner_id, "forget-member", user_id="ana")
    assert typo.ephemeral and "is not a Discord user ID" in typo.content_text()

    done = await privacy(loopback, guild.owner_id, "forget-member", user_id=str(ana.id))
    assert done.ephemeral and "Done" in done.content_text()
    assert await scan_for(bot.db, ana.id) == {}


async def test_someone_elses_confirm_button_is_refused(loopback: LoopbackDiscord, bot: CommunityBot) -> None:
    guild = loopback.guild
    ana, cy = loopback.add_user("ana"), loopback.add_user("cy")
    await loopback.join_member(guild.id, ana)
    await loopback.join_member(guild.id, cy)
    await seed_member(bot.db, guild.id, ana.id, cy.id)
    ask = await privacy(loopback, ana.id, "forget")

    click = await loopback.click_button(ask.original.id, button_id(ask.original, "privacy:forget:"), cy.id)
    await click.wait_response()

    assert click.ephemeral and "for someone else" in click.content_text()
    assert await bot.db.fetchval("SELECT COUNT(*) FROM onboarding_profiles WHERE user_id = ?", (ana.id,)) == 1


async def test_a_forgotten_member_is_not_welcomed_again_after_a_restart(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    guild = loopback.guild
    bot = await harness.start()
    ana = loopback.add_user("ana")
    await loopback.join_member(guild.id, ana)  # after the bot's last "seen" mark: the catch-up would look at ana
    await loopback.wait_until(lambda: loopback.dm_messages(ana.id), timeout=5)
    assert await bot.db.fetchval("SELECT COUNT(*) FROM onboarding_welcomes WHERE user_id = ?", (ana.id,)) == 1

    await forget_me(loopback, ana.id)
    # A crash right after the forget: a clean stop would mark the server seen, so the mark is put back as it was.
    mark = tuple(await bot.db.fetchrow(
        "SELECT seen_at, seen_at_us FROM onboarding_presence WHERE guild_id = ?", (guild.id,)))
    await harness.stop()
    db = await Database.open(harness.database)
    try:
        await db.execute("UPDATE onboarding_presence SET seen_at = ?, seen_at_us = ? WHERE guild_id = ?",
                         (*mark, guild.id))
    finally:
        await db.close()
    bot = await harness.start()
    catch_up = bot.feature(OnboardingCog).catch_up_joins
    await catch_up()  # the catch-up of on_ready, run to its end here so the test knows it is done

    assert len(loopback.dm_messages(ana.id)) == 1  # the first welcome only
    assert await scan_for(bot.db, ana.id) == {}


async def test_every_feature_implements_the_member_data_hooks(bot: CommunityBot) -> None:
    """A feature without them would leave its rows behind: the privacy commands skip what raises NotImplemented."""
    stranger = 123456789012345678
    for feature in bot.loaded_features():
        assert await feature.export_member(1, stranger) is not None, feature.name
        assert await feature.forget_member(1, stranger) == 0, feature.name
