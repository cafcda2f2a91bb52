"""Insights in the moderators' languages: a report (its text, its charts' titles, axes and alt text) answers in the
member's Discord language; the weekly digest to the moderators' log, which nobody asked for, in the server's; the CSV
files stay English inside (a documented machine-readable format). The real bot over the loopback Discord."""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot import i18n
from bot.clock import ManualClock
from cogs.insights.cog import InsightsCog
from cogs.insights.due import digest_marker
from cogs.insights.models import ChartKind, ChartSpec, Series
from loopback import LoopbackDiscord
from loopback.interactions import InteractionRecord
from tests.harness import BotHarness, eventually
from tests.insights.helpers import insights, number, png_size, uploaded
from tests.insights.test_on_loopback import moderator, seed
from tests.languages import assert_in_language
from tests.onboarding.helpers import join

LANGUAGES = {"zh-CN": "zh_CN", "fr": "fr"}  # the member's Discord locale -> the bot's language
NBSP = "\u00a0"  # French writes "33 %" with a no-break space

# What the overview of the seeded server says (3 joins, 1 leave, 1 of 3 finished onboarding), per language.
OVERVIEW = {
    "zh_CN": ["**数据洞察：概览**", "- 加入：**3**", "- 离开：**1**", "- 净增长：**+2**",
              "- 完成新人引导的新成员：**3 中的 1（33%）**", "**最活跃的频道：**", "#general：3", "**图表：**",
              "每日加入：共 3"],
    "fr": ["**Statistiques : Vue d’ensemble**", "- Arrivées : **3**", "- Départs : **1**",
           "- Croissance nette : **+2**", f"- Nouveaux membres ayant terminé l’accueil : **1 sur 3 (33{NBSP}%)**",
           "**Salons les plus actifs :**", "#general : 3", "**Graphiques :**", "Arrivées par jour : 3 au total"],
}
QA = {
    "zh_CN": ["**数据洞察：问答**", "- 提问：**1**", "- 24 小时内获得回答：**1 中的 1（100%）**", "分钟**",
              "**最热门的标签：**sql：1"],
    "fr": ["**Statistiques : Questions-réponses**", "- Posées : **1**",
           f"- Réponse sous 24 h : **1 sur 1 (100{NBSP}%)**", " min**", "**Tags les plus fréquents :** sql : 1"],
}
# Names members or the server chose (channels, tags, onboarding answers) and the time zone: not the bot's words.
DATA_WORDS = {"general", "questions", "sql", "Data", "Community", "meetup", "level", "data", "engineer"}


def alt_texts(lb: LoopbackDiscord, ix: InteractionRecord) -> list[str]:
    """The descriptions (alt text) the bot gave the files of its answer."""
    return [a.get("description") or "" for c in lb.calls if ix.token in c.path and c.files
            for a in c.body.get("attachments") or []]


def zone_words(text: str) -> set[str]:
    """The words of the time zone named in a report ("Europe/Berlin"), a name and not the bot's words."""
    return {w for zone in re.findall(r"[A-Za-z_]+/[A-Za-z_/]+|UTC", text) for w in re.split(r"[/_]", zone)}


@pytest.mark.parametrize("locale", ["zh-CN", "fr"])
async def test_a_report_answers_in_the_moderators_language(
    loopback: LoopbackDiscord, harness: BotHarness, locale: str
) -> None:
    lb = loopback
    language = LANGUAGES[locale]
    clock = ManualClock(datetime.now(UTC))
    await harness.start(clock=clock)
    people = await seed(lb, harness, clock)
    mod = people["mod"]
    lb.world.user(mod).locale = locale

    overview = await insights(lb, mod, "overview", days=7)
    text = overview.content_text()
    assert overview.ephemeral
    for phrase in OVERVIEW[language]:
        assert phrase in text, f"{phrase!r} not in:\n{text}"
    assert "Joins" not in text and "Insights" not in text
    assert_in_language(text, language, allowed=DATA_WORDS | zone_words(text))
    # the charts: valid PNGs, and their alt text (what a screen reader says) in the same language
    files = uploaded(lb, overview)
    assert sorted(files) == ["active-members.png", "members.png", "messages.png"]
    assert all(png_size(data) == (800, 450) for data in files.values())
    alts = alt_texts(lb, overview)
    assert len(alts) == 3 and all(alts)
    for alt in alts:
        assert_in_language(alt, language, allowed=DATA_WORDS)
    assert ("每日加入：共 3" if language == "zh_CN" else "Arrivées par jour : 3 au total") in alts[0]

    qa = await insights(lb, mod, "qa", days=30)
    text = qa.content_text()
    for phrase in QA[language]:
        assert phrase in text, f"{phrase!r} not in:\n{text}"
    assert_in_language(text, language, allowed=DATA_WORDS | zone_words(text))

    events = await insights(lb, mod, "events", days=7)
    text = events.content_text()
    going = "2 人参加，1 人可能参加" if language == "zh_CN" else "présents : 2, peut-être : 1"
    assert going in text and "Data meetup" in text
    assert_in_language(text, language, allowed=DATA_WORDS | zone_words(text))

    mentors = await insights(lb, mod, "mentors", days=90)
    text = mentors.content_text()
    nothing = {"zh_CN": "此期间没有数据，因此没有图表。",
               "fr": "rien sur cette période, donc pas de graphique."}[language]
    assert nothing in text and uploaded(lb, mentors) == {}
    assert_in_language(text, language, allowed=zone_words(text))


@pytest.mark.parametrize("locale", ["zh-CN", "fr"])
async def test_refusals_and_the_export_message_are_translated_and_the_csv_stays_english(
    loopback: LoopbackDiscord, bot, locale: str
) -> None:
    lb = loopback
    language = LANGUAGES[locale]
    member = lb.add_user("member")
    lb.add_member(lb.guild.id, member)
    lb.world.user(member.id).locale = locale
    refused = await insights(lb, member.id, "overview")
    text = refused.content_text()
    assert refused.ephemeral and uploaded(lb, refused) == {}
    assert ("只有版主" if language == "zh_CN" else "Seuls les modérateurs") in text
    assert_in_language(text, language)

    mod = moderator(lb)
    lb.world.user(mod).locale = locale
    export = await insights(lb, mod, "export", days=7)
    text = export.content_text()
    assert ("每个领域一个 CSV 文件" if language == "zh_CN" else "un fichier CSV par domaine") in text
    assert_in_language(text, language, allowed=zone_words(text))
    members = uploaded(lb, export)["members.csv"].decode()
    assert next(csv.reader(io.StringIO(members))) == ["date", "joins", "leaves", "net", "messages"]


async def test_a_member_whose_language_the_bot_does_not_speak_gets_english(loopback: LoopbackDiscord, bot) -> None:
    lb = loopback
    mod = moderator(lb)
    lb.world.user(mod).locale = "de"
    ix = await insights(lb, mod, "overview", days=7)
    text = ix.content_text()
    assert "**Insights: Overview**" in text and number(text, "Joins") == "0"
    assert "Charts:" in text and "nothing in this period, so no chart." in text


async def digest_of_week(lb: LoopbackDiscord, harness: BotHarness) -> str:
    """One join and one message in the week of Mon 26 Oct 2026, then the digest of Mon 2 Nov 09:00 UTC."""
    mod_log = lb.guild.channel("mod-log").id
    bot = harness.bot
    assert bot is not None and isinstance(bot.clock, ManualClock)  # started on Sun 1 Nov 2026 20:00 UTC
    clock = bot.clock
    ada = await join(lb, "ada")
    lb.world.user(ada.id).locale = "en-US"  # the member's own language plays no part in the server's digest
    await lb.send_message(lb.guild.channel("general").id, ada.id, "hi")
    collector = bot.feature(InsightsCog).collector
    await lb.wait_until(lambda: collector.pending)
    await eventually(lambda: bot.db.fetchval("SELECT joins FROM insights_member_days"))
    await collector.flush()  # the message and its activity mark are stored before the digest reads them
    clock.set(datetime(2026, 11, 2, 9, 1, tzinfo=UTC))
    await bot.scheduler.rearm_all()
    await lb.wait_until(lambda: lb.channel_messages(mod_log), timeout=10)
    [digest] = lb.channel_messages(mod_log)
    return digest.text()


async def test_the_digest_is_in_the_language_the_server_chose(loopback: LoopbackDiscord, harness: BotHarness) -> None:
    lb = loopback
    bot = await harness.start(clock=ManualClock(datetime(2026, 11, 1, 20, 0, tzinfo=UTC)))
    await bot.guild_settings.set(lb.guild.id, "language", "fr")
    text = await digest_of_week(lb, harness)
    assert "📊 **Statistiques hebdomadaires de Data Community** : du lun. 26 oct. au dim. 1 nov. 2026" in text
    assert "- Arrivées : 1 (▲ 1 par rapport à 0)" in text and "- Messages : 1 (▲ 1 par rapport à 0)" in text
    assert "- Questions posées : 0 (comme la semaine précédente)" in text
    assert "`/statistiques aperçu`" in text
    assert_in_language(text, "fr", allowed=DATA_WORDS)
    with i18n.using("fr"):  # after a crash mid-send, the digest is recognised by its week, in its language
        assert digest_marker("2026-10-26") in text


async def test_the_digest_follows_the_servers_discord_language(loopback: LoopbackDiscord, harness: BotHarness) -> None:
    lb = loopback
    lb.guild.locale = "zh-CN"  # the `language` setting is "auto": the server's Discord language decides
    await harness.start(clock=ManualClock(datetime(2026, 11, 1, 20, 0, tzinfo=UTC)))
    text = await digest_of_week(lb, harness)
    assert "📊 **Data Community 每周数据洞察**：10月26日周一至2026年11月1日周日，与前一周对比" in text
    assert "- 加入：1（▲ 1，前一周为 0）" in text and "- 活跃成员：1（▲ 1，前一周为 0）" in text
    assert "`/数据洞察 概览`" in text
    assert_in_language(text, "zh_CN", allowed=DATA_WORDS)


CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # Debian's fonts-wqy-microhei (.ci/run installs it)


def test_chinese_chart_text_is_drawn_with_a_cjk_font() -> None:
    if not CJK_FONT.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CJK_FONT} is missing: .ci/run installs fonts-wqy-microhei")
        pytest.skip(f"no CJK font at {CJK_FONT} (apt-get install fonts-wqy-microhei)")
    from cogs.insights import drawing

    assert drawing.CJK_FAMILY is not None
    days = tuple(date(2026, 10, 1 + i) for i in range(14))
    spec = ChartSpec("members.png", "每日加入与离开", ChartKind.BARS, days,
                     (Series("加入", (1.0,) * 14), Series("离开", (2.0,) * 14)), "日期（UTC）", "成员",
                     negative_second=True, language="zh_CN")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns of every glyph no font of the family list has
        png = drawing.render_png(spec)
    assert png_size(png) == (800, 450)


def test_without_a_cjk_font_the_charts_still_draw() -> None:
    from cogs.insights import drawing

    assert drawing._cjk_family((Path("/nonexistent/font.ttc"),)) is None
    spec = ChartSpec("tags.png", "Tags les plus fréquents", ChartKind.HBARS, ("sql", "python"),
                     (Series("Questions", (1200.0, 3.0)),), "Questions", "Tag", language="fr")
    assert png_size(drawing.render_png(spec)) == (800, 450)
