"""The translation layer: every catalog complete and correct (the CI check), the checker itself catching each kind
of mistake, fallbacks, the command translations Discord receives, and `/language` on the loopback Discord."""

from __future__ import annotations

import ast
from datetime import UTC, datetime

import pytest
from babel.messages.catalog import Message

from bot import i18n, languages
from bot.client import CommunityBot
from bot.translations import Entry, check, import_time_calls, problems_of
from loopback import LoopbackDiscord
from tests.languages import assert_in_language

NOW = datetime(2026, 12, 4, tzinfo=UTC)


def test_every_catalog_is_complete_and_within_discords_limits() -> None:
    """The CI check: `python -m bot.translations check` finds nothing."""
    assert check() == []


@pytest.mark.parametrize(
    ("language", "entry", "translation", "problem"),
    [
        ("fr", Entry("Reply to {name}", "t"), None, "no translation"),
        ("fr", Entry("Reply to {name}", "t"), "Répondre à {nom}", "placeholders"),
        ("fr", Entry("Reply to {name}", "t"), "Répondre", "missing"),
        ("fr", Entry("Mark as answer", "t", limit=15), "Marquer comme réponse", "more than Discord's 15"),
        ("fr", Entry("ask", "t", "command name", 32, "slash name"), "poser une question", "name rules"),
        ("fr", Entry("Your question was posted", "t"), "Your question was posted", "still the English"),
        ("fr", Entry("Open the thread", "t"), "Ouvrir the fil", "English words"),
        ("zh_CN", Entry("Open the thread", "t"), "Open the 帖子", "English words"),
        ("zh_CN", Entry("Open the thread", "t"), "Ouvrir", "no Chinese"),
    ],
)
def test_the_checker_catches(language: str, entry: Entry, translation: str | None, problem: str) -> None:
    message = None if translation is None else Message(entry.id, translation, context=entry.context)
    found = list(problems_of(language, entry, message))
    assert any(problem in line for line in found), found


def test_the_checker_accepts_a_good_translation() -> None:
    entry = Entry("Reply to {name} in **{thread}**", "t", limit=80)
    assert list(problems_of("fr", entry, Message(entry.id, "Répondre à {name} dans **{thread}**"))) == []
    assert list(problems_of("zh_CN", entry, Message(entry.id, "在 **{thread}** 中回复 {name}"))) == []
    plural = Entry(("{n} reply", "{n} replies"), "t")
    assert list(problems_of("fr", plural, Message(plural.id, ("{n} réponse", "{n} réponses", "{n} réponses")))) == []


def test_translating_at_import_time_is_caught() -> None:
    tree = ast.parse('LABEL = _("Save")\nclass V:\n    title = _("T")\ndef f():\n    return _("ok")\n')
    assert list(import_time_calls(tree)) == [1, 3]


def test_a_locale_without_a_catalog_and_a_missing_string_fall_back_to_english() -> None:
    assert i18n.negotiate("de") == "en"
    assert i18n.negotiate("zh-CN") == "zh_CN" and i18n.negotiate("fr") == "fr"
    with i18n.using("fr"):
        assert i18n._("Commands and buttons follow the language of your Discord app.").startswith("Les commandes")
        assert i18n._("A sentence no catalog has") == "A sentence no catalog has"


def test_numbers_lists_and_durations_follow_the_language() -> None:
    with i18n.using("fr"):
        assert i18n.number(12345.5) == "12\u202f345,5"
        assert i18n.join(["a", "b", "c"]) == "a, b et c"
        assert i18n.duration(3 * 86400, relative=True) == "dans 3 jours"
    with i18n.using("zh_CN"):
        assert i18n.join(["a", "b", "c"]) == "a、b和c"
        assert i18n.duration(3 * 86400) == "3天"
    with i18n.using("en"):
        assert i18n.duration(3 * 86400, relative=True) == "in 3 days"


async def test_commands_reach_discord_with_their_translations(loopback: LoopbackDiscord, bot: CommunityBot) -> None:
    """The loopback checks every name and description Discord would (name rules, lengths, locales)."""
    await loopback.wait_until(lambda: loopback.commands.get(loopback.guild.id), timeout=10)
    by_name = {c["name"]: c for c in loopback.commands[loopback.guild.id]}
    language = by_name["language"]
    assert language["name_localizations"] == {"fr": "langue", "zh-CN": "语言"}
    assert language["description_localizations"]["zh-CN"] == "选择机器人发给你的提醒和私信所用的语言"
    choice = language["options"][0]
    assert choice["name_localizations"]["fr"] == "choix"
    follow = next(c for c in choice["choices"] if c["value"] == "server")
    assert follow["name_localizations"] == {"fr": "Suivre la langue du serveur", "zh-CN": "跟随服务器语言"}
    # every slash command of every feature is translated into both languages
    for command in loopback.commands[loopback.guild.id]:
        if command.get("type", 1) == 1:
            assert set(command.get("description_localizations") or {}) == {"fr", "zh-CN"}, command["name"]


async def language(lb: LoopbackDiscord, user_id: int, choice: str | None = None) -> str:
    guild = lb.guild
    ix = await lb.invoke_slash(guild.id, guild.channel("general").id, user_id, "language",
                               {"choice": choice} if choice else {})
    await ix.wait_response()
    assert ix.ephemeral
    return ix.content_text()


async def test_language_answers_in_the_members_app_language_and_stores_a_choice(
    loopback: LoopbackDiscord, bot: CommunityBot
) -> None:
    ana = loopback.add_user("ana")
    await loopback.join_member(loopback.guild.id, ana)
    loopback.world.user(ana.id).locale = "fr"
    text = await language(loopback, ana.id)
    assert "Vous n’avez pas choisi de langue" in text and "English" in text  # the server's language: English
    assert_in_language(text, "fr", allowed={"English"})

    text = await language(loopback, ana.id, "zh_CN")
    assert "简体中文" in text and "命令和按钮" in text  # the new choice answers in itself
    assert_in_language(text, "zh_CN")
    assert await languages.chosen(bot.db, ana.id) == "zh_CN"
    assert await languages.of_member(bot, loopback.guild.id, ana.id) == "zh_CN"

    text = await language(loopback, ana.id, "server")
    assert await languages.chosen(bot.db, ana.id) is None
    assert "Vous n’avez pas choisi de langue" in text  # back to the app's language

    loopback.world.user(ana.id).locale = "de"  # a language the bot does not speak: English
    assert (await language(loopback, ana.id)).startswith("You have not chosen a language")


async def test_the_servers_language_is_its_setting_else_its_discord_language(
    loopback: LoopbackDiscord, bot: CommunityBot
) -> None:
    guild_id = loopback.guild.id
    bo = loopback.add_user("bo")
    await loopback.join_member(guild_id, bo)
    assert await languages.of_member(bot, guild_id, bo.id) == "en"
    await bot.guild_settings.set(guild_id, "language", "fr")
    assert await languages.of_member(bot, guild_id, bo.id) == "fr"
    await languages.choose(bot.db, bo.id, "zh_CN", NOW)
    assert await languages.of_member(bot, guild_id, bo.id) == "zh_CN"  # the member's choice wins
    export = await bot.db.fetchval("SELECT language FROM member_languages WHERE user_id = ?", (bo.id,))
    assert export == "zh_CN"
