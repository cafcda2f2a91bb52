"""After a forget, the bot's own messages that named the member are edited where Discord allows: the "Asked by"
line of an /ask post, the organiser of an event announcement. The member's own messages are left alone."""

from __future__ import annotations

from bot.client import CommunityBot
from loopback import LoopbackDiscord
from tests.events.test_on_the_wire import create_and_confirm
from tests.privacy.test_privacy_on_loopback import forget_me
from tests.qa.test_qa_on_loopback import _ask, bot_messages, mark


async def test_the_ask_post_loses_its_asked_by_line(loopback: LoopbackDiscord, bot: CommunityBot) -> None:
    ana = loopback.add_user("ana")
    await loopback.join_member(loopback.guild.id, ana)
    submit = await _ask(loopback, ana.id, "How do I merge two DataFrames fast?", "I have two frames.")
    await submit.wait_followup()
    forum = loopback.guild.channel("questions")
    thread = next(t for t in loopback.guild.threads if t.parent_id == forum.id)
    starter = loopback.channel_messages(thread.id)[0]
    assert f"<@{ana.id}>" in starter.content
    own = await loopback.post_message(thread, ana, {"content": "Any ideas?"})

    await forget_me(loopback, ana.id)

    edited = loopback.message(starter.id)
    assert str(ana.id) not in edited.content
    assert "Asked with /ask" in edited.content and "I have two frames." in edited.content
    assert loopback.message(own.id).content == "Any ideas?"  # their own message stays theirs
    assert await bot.db.fetchval("SELECT asker_id FROM qa_questions WHERE thread_id = ?", (thread.id,)) == 0


async def test_the_solved_notice_no_longer_names_a_forgotten_answerer(
    loopback: LoopbackDiscord, bot: CommunityBot
) -> None:
    ana, ben = loopback.add_user("ana"), loopback.add_user("ben")
    for member in (ana, ben):
        await loopback.join_member(loopback.guild.id, member)
    submit = await _ask(loopback, ana.id, "Why is my join slow?", "Two big tables.")
    await submit.wait_followup()
    forum = loopback.guild.channel("questions")
    thread = next(t for t in loopback.guild.threads if t.parent_id == forum.id)
    answer = await loopback.send_message(thread.id, ben.id, "Add an index on the key.")
    await (await mark(loopback, thread.id, ana.id, answer.id)).wait_followup()
    notice_id = bot_messages(loopback, thread.id)[-1].id
    assert f"<@{ben.id}>" in loopback.message(notice_id).content

    await forget_me(loopback, ben.id)

    text = loopback.message(notice_id).content
    assert str(ben.id) not in text and "a former member" in text and f"<@{ana.id}>" in text
    assert loopback.message(answer.id).content == "Add an index on the key."  # their own message stays theirs


async def test_an_event_announcement_no_longer_names_its_forgotten_organiser(
    loopback: LoopbackDiscord, bot: CommunityBot
) -> None:
    owner = loopback.guild.owner_id
    event_id, announcement = await create_and_confirm(loopback)
    assert f"<@{owner}>" in announcement.text()

    ix = await loopback.invoke_slash(loopback.guild.id, loopback.guild.channel("general").id, owner,
                                     "privacy", {"user_id": str(owner)}, subcommand="forget-member")
    await ix.wait_response()
    await ix.wait_followup()

    text = loopback.message(announcement.id).text()
    assert str(owner) not in text and "a former member" in text
    assert await bot.db.fetchval("SELECT creator_id FROM events WHERE id = ?", (event_id,)) == 0


async def test_a_suggestion_card_in_the_moderators_log_no_longer_names_them(
    loopback: LoopbackDiscord, bot: CommunityBot
) -> None:
    guild = loopback.guild
    ana = loopback.add_user("ana")
    await loopback.join_member(guild.id, ana)
    mod_log = guild.channel("mod-log")
    card = await loopback.post_message(mod_log, loopback.bot_user, {"content": f"Suggested by <@{ana.id}>"})
    await bot.db.execute(
        "INSERT INTO community_suggestions (guild_id, name, data, suggested_by, suggested_at, channel_id, message_id)"
        " VALUES (?, 'DataTalks', '{}', ?, 0, ?, ?)", (guild.id, ana.id, mod_log.id, card.id)
    )

    await forget_me(loopback, ana.id)

    edited = loopback.message(card.id)
    assert str(ana.id) not in edited.text() and "asked the bot to forget" in edited.text()
    assert edited.components == []


async def test_a_mentor_offer_asking_for_them_is_withdrawn(loopback: LoopbackDiscord, bot: CommunityBot) -> None:
    guild = loopback.guild
    ana, bo = loopback.add_user("ana"), loopback.add_user("bo")
    await loopback.join_member(guild.id, ana)
    await loopback.join_member(guild.id, bo)
    offer_dm = await loopback.post_message(
        loopback.world.dm_channel(bo.id), loopback.bot_user, {"content": f"<@{ana.id}> asks you for mentoring"}
    )
    await bot.db.execute("INSERT INTO mentors (guild_id, user_id, topics, capacity, status, joined_at, updated_at)"
                         " VALUES (?, ?, '[\"python\"]', 2, 'active', 0, 0)", (guild.id, bo.id))
    request = (await bot.db.execute(
        "INSERT INTO mentor_requests (guild_id, mentee_id, topics, status, source, created_at)"
        " VALUES (?, ?, '[\"python\"]', 'offered', 'command', 0) RETURNING id", (guild.id, ana.id)
    )).rows[0][0]
    await bot.db.execute(
        "INSERT INTO mentor_offers (request_id, guild_id, mentor_id, status, offered_at, due_at, message_id)"
        " VALUES (?, ?, ?, 'open', 0, 9999999999, ?)", (request, guild.id, bo.id, offer_dm.id)
    )

    await forget_me(loopback, ana.id)

    edited = loopback.message(offer_dm.id)
    assert str(ana.id) not in edited.text() and "withdrawn" in edited.text()
    assert await bot.db.fetchval("SELECT COUNT(*) FROM mentor_offers") == 0
    assert await bot.db.fetchval("SELECT status FROM mentors WHERE user_id = ?", (bo.id,)) == "active"
