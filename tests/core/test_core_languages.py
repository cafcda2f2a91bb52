"""Core's own words in the member's language (zh-CN, fr): the shared error path (an unexpected error, a feature that
is switched off, refused checks), the channel problems /config and features report, and durations, sizes and counts
written out (bot/formatting.py, Babel's data for each language; English keeps the bot's compact style)."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands

from bot import formatting, i18n
from bot.client import CommunityBot
from bot.discord_helpers import channel_problem
from bot.errors import describe_check_failure
from loopback import LoopbackDiscord
from tests.languages import assert_in_language
from tests.privacy.helpers import privacy
from tests.privacy.test_privacy_on_loopback import button_id

LOCALES = [("zh-CN", "zh_CN"), ("fr", "fr")]

WENT_WRONG = {
    "zh_CN": "我这边出了点问题（参考编号 `", "fr": "Une erreur s'est produite de mon côté (réf. `",
    "en": "Something went wrong on my side (ref `",
}
SWITCHED_OFF = {
    "zh_CN": "成员数据目前在此机器人上不可用。请告知管理员。",
    "fr": "Données des membres n'est pas disponible sur ce bot pour le moment. Prévenez un modérateur.",
}


async def add_boom(loopback: LoopbackDiscord, bot: CommunityBot) -> None:
    """A command that fails with a bug, as in test_bot_on_loopback."""

    @app_commands.command(name="boom", description="fails on purpose")
    async def boom(interaction: discord.Interaction) -> None:
        raise RuntimeError("kaput")

    bot.tree.add_command(boom)
    await bot.sync_commands(bot.get_guild(loopback.guild.id))


@pytest.mark.parametrize(("locale", "language"), [*LOCALES, ("de", "en")])
async def test_an_unexpected_error_is_told_in_the_members_language(
    loopback: LoopbackDiscord, bot: CommunityBot, locale: str, language: str
) -> None:
    await add_boom(loopback, bot)
    guild = loopback.guild
    user = loopback.add_user("ana")
    user.locale = locale
    loopback.add_member(guild.id, user)

    ix = await loopback.invoke_slash(guild.id, guild.channel("general").id, user.id, "boom")
    await ix.wait_response()

    assert ix.ephemeral and WENT_WRONG[language] in ix.content_text()
    if language != "en":
        assert_in_language(ix.content_text(), language)


@pytest.mark.parametrize(("locale", "language"), LOCALES)
async def test_a_button_of_a_feature_switched_off_meanwhile_says_so_in_the_members_language(
    loopback: LoopbackDiscord, bot: CommunityBot, locale: str, language: str
) -> None:
    guild = loopback.guild
    user = loopback.add_user("ana")
    user.locale = locale
    loopback.add_member(guild.id, user)
    ask = await privacy(loopback, user.id, "forget")  # the confirm is on screen ...
    await bot.unload_extension("cogs.privacy")  # ... when the feature is switched off

    click = await loopback.click_button(ask.original.id, button_id(ask.original, "privacy:forget:"), user.id)
    await click.wait_response()

    assert click.ephemeral and SWITCHED_OFF[language] in click.content_text()
    assert_in_language(click.content_text(), language)


@pytest.mark.parametrize("language", ["zh_CN", "fr"])
def test_refused_checks_are_in_the_current_language(language: str) -> None:
    expected = {
        "zh_CN": [
            "你需要**管理服务器**和**管理身份组**权限才能使用此功能。", "此命令只能在服务器中使用。", "请在 12 秒后重试"
        ],
        "fr": ["Il vous faut la permission **Gérer le serveur** et **Gérer les rôles** pour utiliser ceci.",
               "Cette commande ne fonctionne que sur un serveur.", "réessayez dans 12 s."],
    }[language]
    errors: list[app_commands.AppCommandError] = [
        app_commands.MissingPermissions(["manage_guild", "manage_roles"]),
        app_commands.NoPrivateMessage(),
        app_commands.CommandOnCooldown(app_commands.Cooldown(1, 60), 12.4),
    ]
    with i18n.using(language):
        texts = [describe_check_failure(error) or "" for error in errors]
    for text, phrase in zip(texts, expected, strict=True):
        assert phrase in text, text
        assert_in_language(text, language)
    assert describe_check_failure(errors[0]) == (
        "You need the **Manage Server** and **Manage Roles** permission to use this."
    )


async def test_channel_problems_are_in_the_current_language(loopback: LoopbackDiscord, bot: CommunityBot) -> None:
    guild = bot.get_guild(loopback.guild.id)
    assert guild is not None
    with i18n.using("fr"):
        assert channel_problem(guild, "questions", ("text",)).endswith(  # type: ignore[union-attr]
            "est un salon forum, mais ce réglage demande un salon textuel"
        )
        nowhere = channel_problem(guild, "nowhere", ("text",))
        assert nowhere == "aucun salon nommé `nowhere` ou ayant cet ID sur ce serveur"
    with i18n.using("zh_CN"):
        wrong = channel_problem(guild, "questions", ("text", "voice"))
        assert wrong is not None and wrong.endswith("是论坛频道，但此设置需要文字频道或语音频道")
    english = channel_problem(guild, "questions", ("text",))
    assert english is not None and english.endswith("is a forum channel, but this setting needs a text channel")


def test_durations_are_written_in_the_current_language() -> None:
    # English keeps the bot's compact style, exactly as before
    assert formatting.duration(3 * 3600 + 5 * 60) == "3 h 5 min"
    assert formatting.duration(2 * 86400 + 4 * 3600) == "2 d 4 h"
    assert formatting.age(3 * 86400) == "3 d"
    assert formatting.size(3.4 * 1024 * 1024) == "3.4 MiB"
    assert formatting.plural(1234, "reply", "replies") == "1,234 replies"
    assert i18n.duration(3 * 86400, relative=True) == "in 3 days"
    with i18n.using("fr"):
        assert formatting.duration(3 * 3600 + 5 * 60) == "3\u202fh 5\xa0min"
        assert formatting.duration(2 * 86400 + 4 * 3600) == "2\u202fj 4\u202fh"
        assert formatting.duration(45) == "45\u202fs"
        assert formatting.age(120) == "2\xa0min"
        assert formatting.size(3.4 * 1024 * 1024) == "3,4 MiB"
        assert i18n.duration(3 * 86400, relative=True) == "dans 3 jours"
        assert i18n.duration(2 * 3600) == "2\xa0heures"
        assert i18n.number(1234) == "1\u202f234"
    with i18n.using("zh_CN"):
        assert formatting.duration(3 * 3600 + 5 * 60) == "3小时5分钟"
        assert formatting.duration(2 * 86400 + 4 * 3600, parts=3) == "2天4小时"
        assert formatting.age(3 * 86400) == "3天"
        assert formatting.duration(0) == "0秒"
        assert i18n.duration(3 * 86400, relative=True) == "3天后"
        assert i18n.duration(2 * 3600) == "2小时"
    with i18n.using("de"):  # a language the bot does not speak: English
        assert formatting.duration(3 * 3600 + 5 * 60) == "3 h 5 min"
