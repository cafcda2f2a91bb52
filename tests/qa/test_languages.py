"""Q&A in the member's language (zh-CN, fr) and the server's, with the real bot on the loopback Discord.

What a member triggers (the /ask modal and its replies, Mark as answer, /qa search) answers in their Discord
language; what everyone in a question's thread reads (the post's header, the solved notice and its Reopen button,
the call for helpers) is in the server's language; a nudge to the asker is in the asker's stored choice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import languages
from bot.clock import ManualClock
from loopback import LoopbackDiscord
from tests.harness import BotHarness, eventually
from tests.languages import assert_in_language
from tests.qa.test_qa_on_loopback import Cast, _with, bot_messages, direct_post, mark, qa_of

TITLE = "Parquet files load slowly in pandas"
DETAILS = "Reading ten parquet files takes minutes with pyarrow."
# What members typed (titles, details) and the forum's tag names, shown back inside the bot's messages.
ANSWER = "Use fastparquet and read them together"
TAGS = "python sql ml career"
TYPED = set(f"{TITLE} {DETAILS} {ANSWER} {TAGS}".replace(".", " ").split())

# (the member's Discord locale, our language for it, the server's language setting)
PAIRS = [("zh-CN", "zh_CN", "fr"), ("fr", "fr", "zh_CN")]

# Concrete phrases of the catalogs, per language.
PHRASES = {
    "zh_CN": {
        "modal": "提问", "title": "标题", "posted": "已发布：", "header": "通过 /提问 提出", "marked": "标记为采纳答案",
        "notice": "**已解决。**", "reopen": "重新打开", "reopened": "已重新打开。", "search": "匹配的问题",
        "answer": "答案", "nothing": "没有与 `kubernetes` 匹配的问题", "similar": "**发布之前：**",
        "drop": "问题已解决，放弃我的提问",
    },
    "fr": {
        "modal": "Poser une question", "title": "Titre", "posted": "Publiée :", "header": "Question posée par",
        "marked": "est marquée comme réponse acceptée", "notice": "**Résolu.**", "reopen": "Rouvrir",
        "reopened": "Rouverte.", "search": "Questions correspondant à « parquet »", "answer": "solution",
        "nothing": "Aucune question ne correspond à `kubernetes`", "similar": "**Avant de publier :**",
        "drop": "Cela m'a répondu, abandonner la mienne",
    },
}


def modal_text(modal: dict) -> str:
    """The modal's title and its inputs' labels and placeholders."""
    parts = [modal["title"]]
    for row in modal["components"]:
        for c in row.get("components") or [row.get("component")]:
            parts += [c.get("label") or "", c.get("placeholder") or ""]
    return "\n".join(p for p in parts if p)


def visible(message) -> str:
    """A message's text with its buttons' labels."""
    labels = [c.get("label") or "" for row in message.components for c in row.get("components", [])]
    return "\n".join([message.text(), *labels])


def input_ids(modal: dict) -> list[str]:
    """The custom_ids of the modal's text inputs, in order (title, details, tags)."""
    return [c["custom_id"] for row in modal["components"] for c in row.get("components") or [row.get("component")]]


async def ask(lb: LoopbackDiscord, user_id: int, title: str, details: str, tags: str = ""):
    """/ask in #general: the modal shown, and the submit interaction."""
    guild = lb.guild
    ix = await lb.invoke_slash(guild.id, guild.channel("general").id, user_id, "ask")
    await ix.wait_response()
    ids = input_ids(ix.modal)
    values = {ids[0]: title, ids[1]: details}
    if tags:
        values[ids[2]] = tags
    return ix.modal, await lb.submit_modal(ix, values=values)


@pytest.mark.parametrize(("locale", "language", "server"), PAIRS)
async def test_ask_mark_and_search_answer_in_the_members_language_and_post_in_the_servers(
    loopback: LoopbackDiscord, bot, locale: str, language: str, server: str
) -> None:
    lb, cast = loopback, Cast(loopback)
    guild = lb.guild
    await bot.guild_settings.set(guild.id, "language", server)
    for user in (cast.asker, cast.helper, cast.bystander):
        lb.world.user(user.id).locale = locale
    mine, theirs = PHRASES[language], PHRASES[server]

    # /ask: the modal and the reply in the asker's language
    modal, submit = await ask(lb, cast.asker.id, TITLE, DETAILS, "python")
    assert modal["title"] == mine["modal"] and mine["title"] in modal_text(modal)
    assert_in_language(modal_text(modal), language, allowed=TYPED)
    posted = await submit.wait_followup()
    assert submit.ephemeral and mine["posted"] in posted.content
    assert_in_language(submit.content_text(), language, allowed=TYPED)

    # the post: its header is read by everyone, so it is in the server's language
    thread = next(t for t in guild.threads if t.parent_id == guild.channel("questions").id)
    starter = lb.channel_messages(thread.id)[0]
    assert theirs["header"] in starter.content and DETAILS in starter.content

    # Mark as answer: the reply to the asker in theirs, the notice (and its button) in the server's
    reply = await lb.send_message(thread.id, cast.helper.id, ANSWER)
    await eventually(lambda: _with(qa_of(bot).store, thread.id, lambda q: q.reply_count == 1))
    marked = await mark(lb, thread.id, cast.asker.id, reply.id)
    await marked.wait_followup()
    assert mine["marked"] in marked.content_text()
    assert_in_language(marked.content_text(), language)
    notice = bot_messages(lb, thread.id)[-1]
    assert notice.content.startswith("✅") and theirs["notice"] in notice.content
    assert theirs["reopen"] in visible(notice)
    assert_in_language(visible(notice), server)

    # /qa search: results and "nothing found" in the member's language
    general = guild.channel("general").id
    found = await lb.invoke_slash(guild.id, general, cast.bystander.id, "qa", {"query": "parquet"}, "search")
    await found.wait_response()
    text = found.content_text()
    assert f"/{thread.id}/{reply.id}" in text and mine["search"] in text and mine["answer"] in text
    assert_in_language(text, language, allowed=TYPED)
    nothing = await lb.invoke_slash(guild.id, general, cast.bystander.id, "qa", {"query": "kubernetes"}, "search")
    await nothing.wait_response()
    assert mine["nothing"] in nothing.content_text()
    assert_in_language(nothing.content_text(), language, allowed={"kubernetes"})

    # similar solved questions before posting, with the draft buttons in the member's language
    _, again = await ask(lb, cast.bystander.id, "Parquet files load slowly", "Loading parquet files in pandas is slow.")
    shown = await again.wait_followup()
    assert mine["similar"] in shown.content and mine["drop"] in visible(shown)
    assert_in_language(visible(shown), language, allowed=TYPED)

    # the Reopen button: the asker is answered in theirs
    reopened = await lb.click_button(notice.id, f"qa:reopen:{thread.id}", cast.asker.id)
    await reopened.wait_followup()
    assert mine["reopened"] in reopened.content_text()
    assert_in_language(reopened.content_text(), language)


async def test_a_member_whose_discord_language_the_bot_does_not_speak_gets_english(
    loopback: LoopbackDiscord, bot
) -> None:
    lb, cast = loopback, Cast(loopback)
    lb.world.user(cast.asker.id).locale = "de"
    modal, submit = await ask(lb, cast.asker.id, TITLE, DETAILS)
    assert modal["title"] == "Ask a question"
    assert (await submit.wait_followup()).content.startswith("Posted: ")
    nothing = await lb.invoke_slash(
        lb.guild.id, lb.guild.channel("general").id, cast.asker.id, "qa", {"query": "kubernetes"}, "search"
    )
    await nothing.wait_response()
    assert "No question matches `kubernetes`" in nothing.content_text()


async def test_a_nudge_follows_the_askers_choice_and_a_call_for_helpers_the_servers_language(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    lb, cast = loopback, Cast(loopback)
    clock = ManualClock(datetime.now(UTC))
    bot = await harness.start(clock=clock)
    guild_id = lb.guild.id
    await bot.guild_settings.set(guild_id, "language", "zh_CN")
    await languages.choose(bot.db, cast.asker.id, "fr", clock.now())  # the asker chose French
    lb.world.user(cast.asker.id).locale = "en-US"  # their Discord app does not decide unsolicited messages

    chosen = await direct_post(lb, bot, cast.asker.id, "Spark joins spill to disk")
    await lb.send_message(chosen.id, cast.helper.id, "broadcast the small side")
    following = await direct_post(lb, bot, cast.bystander.id, "Airflow retries and backfills")
    await lb.send_message(following.id, cast.helper.id, "set catchup to false")
    lonely = await direct_post(lb, bot, cast.other_helper.id, "Great Expectations or Soda")
    store = qa_of(bot).store
    for thread in (chosen, following):
        await eventually(lambda thread=thread: _with(store, thread.id, lambda q: q.reply_count == 1))

    clock.advance(timedelta(hours=24, minutes=1))
    await bot.scheduler.run_now("qa:actions")

    nudge = [m for m in bot_messages(lb, chosen.id) if m.content.startswith("🔔")]
    assert len(nudge) == 1 and "une réponse ici a-t-elle résolu votre question" in nudge[0].content
    assert "**Applications → Marquer comme réponse**" in nudge[0].content
    assert_in_language(nudge[0].content, "fr")
    # no choice stored: the server's language
    nudge = [m for m in bot_messages(lb, following.id) if m.content.startswith("🔔")]
    assert len(nudge) == 1 and "**应用 → 标记为答案**" in nudge[0].content
    assert_in_language(nudge[0].content, "zh_CN")
    # a call for helpers is read by everyone: the server's language
    surfaced = [m for m in bot_messages(lb, lonely.id) if m.content.startswith("🙋")]
    assert len(surfaced) == 1 and "此问题已经一天没有回复了" in surfaced[0].content
    assert_in_language(surfaced[0].content, "zh_CN")


async def test_missing_permissions_reach_the_moderators_log_in_the_servers_language(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    from loopback.world import ForumTag

    lb, cast = loopback, Cast(loopback)
    guild = lb.guild
    forum = guild.channel("questions")  # a full forum: no room for the solved tag
    more = 20 - len(forum.available_tags)
    forum.available_tags += [ForumTag(id=lb.world.ids.next(), name=f"topic{i}") for i in range(more)]
    bot = await harness.start()
    await bot.guild_settings.set(guild.id, "language", "fr")
    lb.world.user(cast.asker.id).locale = "zh-CN"
    thread = await direct_post(lb, bot, cast.asker.id, "dbt snapshots or SCD tables")
    reply = await lb.send_message(thread.id, cast.helper.id, "snapshots")
    marked = await mark(lb, thread.id, cast.asker.id, reply.id)
    await marked.wait_followup()
    text = marked.content_text()
    assert "已有 20 个标签" in text  # the member who marked reads the problem in theirs
    assert_in_language(text, "zh_CN", allowed={"Solved"})
    mod_log = guild.channel("mod-log")
    logged = await lb.wait_until(lambda: [m for m in lb.channel_messages(mod_log.id) if "Q&R" in m.content])
    assert "a déjà 20 étiquettes" in logged[0].content
    assert_in_language(logged[0].content, "fr", allowed={"Solved"})
