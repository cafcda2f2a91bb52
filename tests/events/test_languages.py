"""Events in the member's language (zh-CN, fr) and the server's, with the real bot on the loopback Discord.

What a member triggers (/event create, its preview and Confirm, an RSVP click's answer, a refused time) answers
in their Discord language; what everyone reads (the announcement with its RSVP buttons and counts, re-rendered after
every click, and the reminder in the channel) is in the server's language; a reminder DM is in the member's stored
choice, else the server's language.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot import languages
from bot.clock import ManualClock
from cogs.events.due import REMINDERS
from loopback import LoopbackDiscord
from loopback.interactions import InteractionRecord
from loopback.world import Message
from tests.events.test_on_the_wire import buttons, member, slash
from tests.events.test_on_the_wire import rsvp as wire_rsvp
from tests.harness import BotHarness
from tests.languages import assert_in_language

TITLE = "Data meetup"
TYPED = {"Data", "meetup", "sometime", "soon"}  # what the organiser typed, shown back

# (the member's Discord locale, our language for it, the server's language setting)
PAIRS = [("zh-CN", "zh_CN", "fr"), ("fr", "fr", "zh_CN")]

# Concrete phrases of the catalogs, per language.
PHRASES: dict[str, dict[str, str]] = {
    "zh_CN": {
        "when": "明天晚上7点", "preview": f"预览：{TITLE}", "zone": "活动时区", "confirm": "确认", "discard": "放弃",
        "footer": "点击“确认”发布到活动频道", "posted": f"**{TITLE}**：", "posted_in": "已在 ",
        "when_field": "时间", "where_field": "地点", "where": "见活动说明", "going": "参加 (0)",
        "going_1": "参加 (1)", "maybe": "可能参加 (0)", "cant": "无法参加 (0)", "rsvps": "✅ 1 人参加",
        "answer": "你将 **参加** ", "dm_off": "我会私信提醒你（提前 1小时）",
        "refused": "无法识别 `sometime soon`", "examples": "`下周四18:30`",
        "channel_reminder": f"⏰ **{TITLE}** 将于 <t:", "dm_reminder": "⏰ 提醒：", "because": "你报名了参加",
    },
    "fr": {
        "when": "demain 19h", "preview": f"Aperçu : {TITLE}", "zone": "Dans le fuseau de l'événement",
        "confirm": "Confirmer", "discard": "Abandonner", "footer": "Confirmez pour le publier",
        "posted": f"**{TITLE}** publié dans ", "posted_in": "publié dans", "when_field": "Quand",
        "where_field": "Où", "where": "Voir la description", "going": "Je viens (0)", "going_1": "Je viens (1)",
        "maybe": "Peut-être (0)", "cant": "Je ne peux pas (0)", "rsvps": "✅ 1 oui",
        "answer": "Vous **participez** à ", "dm_off": "Je vous enverrai un rappel en message privé (1 h avant)",
        "refused": "Je n'ai pas compris `sometime soon`", "examples": "`jeudi prochain 18:30`",
        "channel_reminder": f"⏰ **{TITLE}** commence <t:", "dm_reminder": "⏰ Rappel : ",
        "because": "vous avez répondu « Je viens »",
    },
}


def field(message: Message, name: str) -> str:
    return next(f["value"] for f in message.embeds[0]["fields"] if f["name"] == name)


async def create(lb: LoopbackDiscord, user_id: int, **options: Any) -> InteractionRecord:
    return await slash(lb, user_id, "create", **({"title": TITLE, "reminders": "1h"} | options))


async def confirm(lb: LoopbackDiscord, preview: InteractionRecord, user_id: int) -> tuple[int, Message]:
    """Press Confirm on a preview; returns (event id, the announcement in the events channel)."""
    confirm_id = next(cid for cid in buttons(preview.original) if cid.startswith("ev:confirm:"))
    events = lb.guild.channel("events").id
    before = len(lb.channel_messages(events))
    click = await lb.click_button(preview.original.id, confirm_id, user_id)
    await click.wait_response()
    await lb.wait_until(lambda: len(lb.channel_messages(events)) > before)
    await lb.wait_until(lambda: "discord.com/channels/" in preview.original.text())
    return int(confirm_id.rsplit(":", 1)[1]), lb.channel_messages(events)[-1]


async def rsvp(lb: LoopbackDiscord, message_id: int, event_id: int, user_id: int, code: str) -> Message:
    """Click; returns the member's confirmation once the announcement shows the new counts."""
    click = await wire_rsvp(lb, message_id, event_id, user_id, code)
    assert click.original is not None
    return click.original


@pytest.mark.parametrize(("locale", "language", "server"), PAIRS)
async def test_create_confirm_and_rsvp_answer_in_the_members_language_and_announce_in_the_servers(
    loopback: LoopbackDiscord, bot, locale: str, language: str, server: str
) -> None:
    lb = loopback
    guild = lb.guild
    await bot.guild_settings.set(guild.id, "language", server)
    owner, alice = guild.owner_id, member(lb, "alice")
    for user_id in (owner, alice):
        lb.world.user(user_id).locale = locale
    mine, theirs = PHRASES[language], PHRASES[server]

    # a time the organiser cannot have meant: refused in their language, with examples of their language
    refused = await create(lb, owner, when="sometime soon")
    assert refused.ephemeral and mine["refused"] in refused.content_text()
    assert mine["examples"] in refused.content_text()
    assert_in_language(refused.content_text(), language, allowed=TYPED)

    # /event create with a time in the member's words: the preview in their language
    preview = await create(lb, owner, when=mine["when"])
    shown = preview.original.text()
    assert preview.ephemeral and mine["preview"] in shown and mine["zone"] in shown and mine["footer"] in shown
    labels = {b["label"] for b in buttons(preview.original).values()}
    assert labels == {mine["confirm"], mine["discard"]}
    assert_in_language(shown, language, allowed=TYPED)

    # Confirm: the organiser's answer in theirs, the announcement in the server's language
    event_id, announcement = await confirm(lb, preview, owner)
    answer = preview.original.text()
    assert mine["posted"] in answer and mine["posted_in"] in answer
    assert_in_language(answer, language, allowed=TYPED)
    assert field(announcement, theirs["when_field"]).startswith("<t:")
    assert field(announcement, theirs["where_field"]) == theirs["where"]
    assert {b["label"] for b in buttons(announcement).values()} == {theirs["going"], theirs["maybe"], theirs["cant"]}
    assert_in_language(announcement.text(), server, allowed=TYPED)

    # an RSVP click: the member's answer in theirs; the announcement, edited by the bot, stays in the server's
    answer_message = await rsvp(lb, announcement.id, event_id, alice, "g")
    said = answer_message.text()
    assert answer_message.ephemeral and mine["answer"] in said and mine["dm_off"] in said
    assert_in_language(answer_message.text(), language, allowed=TYPED)
    edited = lb.message(announcement.id)
    assert theirs["going_1"] in {b["label"] for b in buttons(edited).values()}
    assert theirs["rsvps"] in edited.text()
    assert_in_language(edited.text(), server, allowed=TYPED)


async def test_a_member_whose_discord_language_the_bot_does_not_speak_gets_english(
    loopback: LoopbackDiscord, bot
) -> None:
    lb = loopback
    lb.world.user(lb.guild.owner_id).locale = "de"
    preview = await create(lb, lb.guild.owner_id, when="in 3 hours")
    assert f"Preview: {TITLE}" in preview.original.text()
    assert {b["label"] for b in buttons(preview.original).values()} == {"Confirm", "Discard"}
    refused = await create(lb, lb.guild.owner_id, when="sometime soon")
    assert "I could not read `sometime soon`" in refused.content_text()


@pytest.mark.parametrize("setting", ["zh_CN", "auto"])
async def test_reminders_go_in_the_members_choice_else_the_servers_language(
    loopback: LoopbackDiscord, harness: BotHarness, setting: str
) -> None:
    lb = loopback
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    guild = lb.guild
    if setting == "auto":
        guild.locale = "zh-CN"  # the server's Discord language decides
    bot = await harness.start(clock=clock)
    await bot.guild_settings.set(guild.id, "language", setting)
    alice, bob = member(lb, "alice"), member(lb, "bob")
    await languages.choose(bot.db, alice, "fr", clock.now())  # alice chose French; bob follows the server
    for user_id in (alice, bob):
        lb.world.user(user_id).locale = "en-US"  # their Discord app does not decide unsolicited messages

    # an English-speaking organiser: the answer in English, the announcement in the server's language (Chinese)
    preview = await create(lb, guild.owner_id, when="in 2 hours")
    event_id, announcement = await confirm(lb, preview, guild.owner_id)
    assert "Posted **Data meetup**" in preview.original.text()
    assert {b["label"] for b in buttons(announcement).values()} == {"参加 (0)", "可能参加 (0)", "无法参加 (0)"}
    for user_id in (alice, bob):
        answer = await rsvp(lb, announcement.id, event_id, user_id, "g")
        assert "You're **going**" in answer.text()  # clicked in an English Discord app: answered in English

    clock.advance(timedelta(hours=1, seconds=5))
    await bot.scheduler.run_now(REMINDERS)
    events = guild.channel("events").id
    await lb.wait_until(
        lambda: len(lb.channel_messages(events)) == 2 and lb.dm_messages(alice) and lb.dm_messages(bob)
    )

    reminder = lb.channel_messages(events)[-1].content  # the channel: the server's language
    assert PHRASES["zh_CN"]["channel_reminder"] in reminder
    assert_in_language(reminder, "zh_CN", allowed=TYPED)
    french = lb.dm_messages(alice)[0].content  # her stored choice
    assert french.startswith(PHRASES["fr"]["dm_reminder"]) and PHRASES["fr"]["because"] in french
    assert_in_language(french, "fr", allowed=TYPED)
    chinese = lb.dm_messages(bob)[0].content  # no choice: the server's
    assert chinese.startswith(PHRASES["zh_CN"]["dm_reminder"]) and PHRASES["zh_CN"]["because"] in chinese
    assert_in_language(chinese, "zh_CN", allowed=TYPED)
