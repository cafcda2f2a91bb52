"""The privacy commands in the member's language (zh-CN, fr), with the real bot on the loopback Discord.

/privacy show, export and forget (its confirm, its button and the summary) answer in the member's Discord language;
the export file itself stays machine-readable (English keys); a failed backup is reported to the moderators' log in
the server's language; a member whose Discord language the bot does not speak gets English.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import languages
from bot.client import CommunityBot
from bot.clock import ManualClock
from bot.settings import Settings
from loopback import LoopbackDiscord
from tests.harness import BotHarness
from tests.languages import assert_in_language
from tests.privacy.helpers import privacy, scan_for
from tests.privacy.test_backups import DAY1, with_backups
from tests.privacy.test_privacy_on_loopback import button_id

# (the member's Discord locale, our language for it)
LOCALES = [("zh-CN", "zh_CN"), ("fr", "fr")]

# Concrete phrases of the catalogs, per language.
PHRASES = {
    "zh_CN": {
        "show": "本机器人在这里保存的关于你的数据", "feature": "**成员数据**：1 条记录",
        "why": "你离开服务器的时间", "keep": "离开后再保留 180 天", "choices": "你的选择",
        "commands": "`/隐私 导出`", "export": "本机器人在此服务器中保存的关于你的全部数据",
        "warning": "此操作将删除本机器人**在此服务器中**保存的所有关于你的数据", "button": "是的，删除我的数据",
        "done": "完成：已删除或匿名化此服务器中关于你的", "own": "你自己的消息仍归你所有",
        "refused": "你需要**管理服务器**权限才能使用此功能。",
        "unknown": "此服务器中没有关于 ID `123456789012345678` 的任何数据",
        "typo": "`ana` 不是 Discord 用户 ID", "member done": "关于该成员的 2 条记录",
        "backup": "⚠️ 每日备份失败：", "retry": "一小时后重试。",
    },
    "fr": {
        "show": "Ce que ce bot conserve sur vous ici", "feature": "**Données des membres** : 1 enregistrement",
        "why": "la date de votre départ du serveur", "keep": "puis 180 jours après votre départ",
        "choices": "Vos options", "commands": "`/confidentialité exporter`",
        "export": "Tout ce que ce bot conserve sur vous sur ce serveur",
        "warning": "Ceci efface tout ce que ce bot conserve sur vous **sur ce serveur**",
        "button": "Oui, effacer mes données", "done": "Terminé : 2 enregistrements vous concernant ont été effacés",
        "own": "Vos propres messages restent les vôtres sur Discord",
        "refused": "Il vous faut la permission **Gérer le serveur** pour utiliser ceci.",
        "unknown": "Je ne conserve rien sur l'ID `123456789012345678` sur ce serveur",
        "typo": "`ana` n'est pas un ID d'utilisateur Discord", "member done": "2 enregistrements concernant ce membre",
        "backup": "⚠️ La sauvegarde quotidienne a échoué :", "retry": "Nouvel essai dans une heure.",
    },
}


def visible(message) -> str:
    """A message's text with its buttons' labels."""
    labels = [c.get("label") or "" for row in message.components for c in row.get("components", [])]
    return "\n".join([message.text(), *labels])


async def member_with_data(lb: LoopbackDiscord, bot: CommunityBot, name: str, locale: str):
    """A member whose Discord client is in `locale`, who chose that language in the bot (a row of core's) and
    has a departure on record (a row of this feature's). Added without a join event, so no other feature stores
    anything about them (the welcome's rows are onboarding's to test)."""
    user = lb.add_user(name)
    user.locale = locale
    lb.add_member(lb.guild.id, user)
    now = datetime.now(UTC)
    await languages.choose(bot.db, user.id, locale.replace("-", "_"), now)
    await bot.db.execute(
        "INSERT INTO privacy_departures (guild_id, user_id, left_at, due_at) VALUES (?, ?, ?, ?)",
        (lb.guild.id, user.id, int(time.time()), int(time.time()) + 86400 * 180),
    )
    return user


@pytest.mark.parametrize(("locale", "language"), LOCALES)
async def test_show_export_and_forget_answer_in_the_members_language(
    loopback: LoopbackDiscord, bot: CommunityBot, locale: str, language: str
) -> None:
    lb, said = loopback, PHRASES[language]
    ana = await member_with_data(lb, bot, "ana", locale)

    shown = await privacy(lb, ana.id, "show")
    text = shown.content_text()
    assert shown.ephemeral
    for phrase in ("show", "feature", "why", "keep", "choices", "commands"):
        assert said[phrase] in text, (phrase, text)
    assert_in_language(text, language)

    exported = await privacy(lb, ana.id, "export")
    assert exported.ephemeral and said["export"] in exported.content_text()
    assert_in_language(exported.content_text(), language, allowed={"docs", "privacy", "md"})
    [upload] = [f for c in lb.calls_to("*", r"/webhooks/") for f in c.files]
    data = json.loads(upload["data"])  # the file is for machines: its keys stay as documented
    assert data["format"] == "community-bot member export"
    assert data["features"]["privacy"]["departure"] and data["features"]["language"]["language"]

    ask = await privacy(lb, ana.id, "forget")
    assert ask.ephemeral and said["warning"] in ask.content_text()
    assert said["button"] in visible(ask.original)
    assert_in_language(visible(ask.original), language)
    click = await lb.click_button(ask.original.id, button_id(ask.original, "privacy:forget:"), ana.id)
    await click.wait_response()
    await lb.wait_until(lambda: said["done"] in lb.message(ask.original.id).text(), timeout=10)
    done = lb.message(ask.original.id).text()
    assert said["own"] in done
    assert_in_language(done, language)
    assert await scan_for(bot.db, ana.id) == {}


@pytest.mark.parametrize(("locale", "language"), LOCALES)
async def test_forget_member_answers_a_moderator_and_a_member_in_their_language(
    loopback: LoopbackDiscord, bot: CommunityBot, locale: str, language: str
) -> None:
    lb, said = loopback, PHRASES[language]
    gone = await member_with_data(lb, bot, "gone", locale)
    cy = lb.add_user("cy")
    cy.locale = locale
    lb.add_member(lb.guild.id, cy)
    lb.world.user(lb.guild.owner_id).locale = locale

    refused = await privacy(lb, cy.id, "forget-member", user_id=str(gone.id))
    assert refused.ephemeral and said["refused"] in refused.content_text()
    unknown = await privacy(lb, lb.guild.owner_id, "forget-member", user_id="123456789012345678")
    assert said["unknown"] in unknown.content_text()
    typo = await privacy(lb, lb.guild.owner_id, "forget-member", user_id="ana")
    assert said["typo"] in typo.content_text()
    done = await privacy(lb, lb.guild.owner_id, "forget-member", user_id=str(gone.id))
    assert said["member done"] in done.content_text()
    for answer in (refused, unknown, typo, done):
        assert_in_language(answer.content_text(), language, allowed={"ana"})


async def test_a_member_whose_language_the_bot_does_not_speak_gets_english(
    loopback: LoopbackDiscord, bot: CommunityBot
) -> None:
    lb = loopback
    de = lb.add_user("dora")
    de.locale = "de"
    lb.add_member(lb.guild.id, de)

    shown = await privacy(lb, de.id, "show")
    assert "What this bot stores about you here" in shown.content_text()
    assert "Nothing at all." in shown.content_text()
    ask = await privacy(lb, de.id, "forget")
    assert "This erases everything" in ask.content_text() and "Yes, forget me" in visible(ask.original)


@pytest.mark.sqlite_only
@pytest.mark.parametrize(("locale", "language"), LOCALES)
async def test_a_failed_backup_is_reported_in_the_servers_language(
    loopback: LoopbackDiscord, harness: BotHarness, settings: Settings, locale: str, language: str
) -> None:
    loopback.world.guild(loopback.guild.id).locale = locale  # the server's language setting is "auto"
    mod_log = loopback.guild.channel("mod-log")
    await harness.start(clock=ManualClock(DAY1), settings=with_backups(settings, Path("/proc")))

    await loopback.wait_until(lambda: loopback.channel_messages(mod_log.id), timeout=5)
    [report] = loopback.channel_messages(mod_log.id)
    said = PHRASES[language]
    assert report.text().startswith(said["backup"]) and said["retry"] in report.text()
    assert "/proc: cannot write there" in report.text()  # the system's own words, as the operator sees them
