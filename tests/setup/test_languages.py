"""/setup and /config in the manager's language (their Discord client's: zh-CN, fr; German gets English), and what
nobody asked for (the /setup create summary in the moderators' log) in the server's language: its `language`
setting, else its Discord language. Channels and roles are made with the settings' (English) names whatever the
language: they are the server's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import i18n, languages
from bot.client import CommunityBot
from bot.i18n import _
from bot.invite import NEEDED
from loopback import LoopbackDiscord, Perm
from loopback.interactions import InteractionRecord
from loopback.world import DEFAULT_BOT_PERMISSIONS, Overwrite
from tests.harness import BotHarness
from tests.languages import assert_in_language
from tests.setup.helpers import confirm_id, slash

NOW = datetime(2026, 12, 4, tzinfo=UTC)
LANGUAGE = {"zh-CN": "zh_CN", "fr": "fr"}
SHIPPED_CHANNELS = {
    "welcome", "events", "mod-log", "data-science", "data-engineering", "analytics", "mlops", "careers", "research",
    "learning", "machine-learning", "llms", "open-source", "competitions", "questions",
}
SHIPPED_ROLES = {
    "Moderators", "Data Scientist", "Data Engineer", "Data Analyst", "ML Engineer", "Analytics Engineer",
    "Data Product Manager", "Researcher", "Student", "New to data", "Early career", "Experienced",
}
FORUM_TAGS = {"Solved", "Python", "SQL", "Machine learning", "Data engineering", "Analytics", "Career"}
# Names of the server's things (its name, channels, roles, tags, the bot's role) stay as they are in any language.
NAMES = {
    word for name in (*SHIPPED_CHANNELS, *SHIPPED_ROLES, *FORUM_TAGS, "Fresh Server", "Bot", "Community", "general")
    for word in name.replace("-", " ").split()
}
# Phrases each language must show, from the catalogs.
CHECK = {
    "zh_CN": ["**缺失**", "`/初始化 创建` 会创建它（文字频道）", "↳ 解决方法：", "的初始化检查", "服务器成员特权意图",
              "个问题"],
    "fr": ["**manquant**", "`/installation créer` le crée (textuel)", "↳ Solution :", "Vérification de l'installation",
           "Intent « Server Members »", "problèmes : 0"],
}
PREVIEW = {
    "zh_CN": ["/初始化 创建：我将执行的操作", "文字频道（14）", "#mod-log（私密：仅管理员和我可见）", "论坛 #questions",
              "Solved（仅限管理员）", "身份组（12）", "确认"],
    "fr": ["/installation créer : ce que je vais faire", "Salons textuels (14)",
           "#mod-log (privé : modérateurs et moi)", "Forum #questions", "Solved (modérateurs uniquement)",
           "Rôles (12)", "Confirmer"],
}
DONE = {"zh_CN": "/初始化 创建：完成", "fr": "/installation créer : terminé", "en": "/setup create: done"}


async def click_confirm(lb: LoopbackDiscord, preview: InteractionRecord, user_id: int, done: str) -> str:
    """Press Confirm and wait for the result (in the clicker's language); the message's text."""
    custom_id = confirm_id(preview)
    assert custom_id is not None and preview.original is not None, preview.content_text()
    message_id = preview.original.id
    click = await lb.click_button(message_id, custom_id, user_id)
    await click.wait_response()
    await lb.wait_until(lambda: done in lb.message(message_id).text(), timeout=30)
    return lb.message(message_id).text()


def made_names(lb: LoopbackDiscord) -> tuple[set[str], set[str]]:
    world = lb.world.guild(lb.guild.id)
    return {c.name for c in world.channels.values()}, {r.name for r in world.roles.values()}


async def mod_log_summary(lb: LoopbackDiscord) -> str:
    world = lb.world.guild(lb.guild.id)
    mod_log = next(c for c in world.channels.values() if c.name == "mod-log")
    await lb.wait_until(lambda: bool(lb.channel_messages(mod_log.id)), timeout=10)
    [summary] = lb.channel_messages(mod_log.id)
    return summary.content


@pytest.mark.parametrize("locale", ["zh-CN", "fr"])
async def test_check_is_in_the_managers_language(loopback: LoopbackDiscord, bot: CommunityBot, locale: str) -> None:
    guild = loopback.guild
    loopback.world.user(guild.owner_id).locale = locale
    language = LANGUAGE[locale]
    ix = await slash(loopback, guild.owner_id, "check")
    text = ix.content_text()
    assert ix.ephemeral
    for phrase in CHECK[language]:
        assert phrase in text, (phrase, text)
    assert "#welcome" in text and "@Data Scientist" in text  # the names the settings give, as they are
    assert_in_language(text, language, allowed=NAMES)


@pytest.mark.parametrize("locale", ["zh-CN", "fr"])
async def test_check_names_each_problem_and_its_fix_in_the_managers_language(
    loopback: LoopbackDiscord, harness: BotHarness, locale: str
) -> None:
    guild = loopback.guild
    above = loopback.add_role(guild.id, "Data Engineer")
    above.position = 2000  # above the bot's role
    hidden = loopback.add_channel(guild.id, "mod-log")
    hidden.overwrites = [Overwrite(guild.id, Overwrite.ROLE, deny=Perm.VIEW_CHANNEL)]
    loopback.set_bot_permissions(guild.id, DEFAULT_BOT_PERMISSIONS & ~Perm.MANAGE_EVENTS & ~Perm.MANAGE_ROLES)
    await harness.start()
    loopback.world.user(guild.owner_id).locale = locale
    language = LANGUAGE[locale]
    text = (await slash(loopback, guild.owner_id, "check")).content_text()
    expected = {
        "zh_CN": [
            f"<@&{above.id}> — **有问题**：位于我的最高身份组 **Bot** 之上，因此我无法分配",
            "↳ 解决方法：在 服务器设置 → 身份组 中将 **Bot** 拖到它上方",
            f"<#{hidden.id}> — **有问题**：我在此缺少查看频道、发送消息、嵌入链接、",
            f"在 <#{hidden.id}> 中为我的身份组授予这些权限（编辑频道 → 权限）",
            "管理活动 — **有问题**：未授予；用于：让 Discord 的计划活动与 `/event edit` 和 `/event cancel` 保持同步",
            "在 服务器设置 → 身份组 中为我的身份组授予此权限",
            "4 个问题",
        ],
        "fr": [
            f"<@&{above.id}> — **problème** : est au-dessus de mon rôle le plus élevé **Bot**",
            "↳ Solution : faites glisser **Bot** au-dessus dans Paramètres du serveur → Rôles",
            f"<#{hidden.id}> — **problème** : il me manque Voir le salon, Envoyer des messages",
            f"donnez ces permissions à mon rôle dans <#{hidden.id}> (Modifier le salon → Permissions)",
            "Gérer les événements — **problème** : non accordée ; nécessaire pour : synchroniser",
            "problèmes : 4",
        ],
    }[language]
    for phrase in expected:
        assert phrase in text, (phrase, text)
    assert_in_language(text, language, allowed=NAMES)
    # /setup create names what stops it, and how to fix it, in the same language.
    preview = await slash(loopback, guild.owner_id, "create")
    blocked = preview.content_text()
    assert confirm_id(preview) is None
    assert {"zh_CN": "暂时无法创建任何内容", "fr": "Rien ne peut encore être créé"}[language] in blocked
    assert {"zh_CN": "**管理身份组**", "fr": "**Gérer les rôles**"}[language] in blocked
    assert_in_language(blocked, language, allowed=NAMES)


@pytest.mark.parametrize("locale", ["zh-CN", "fr"])
async def test_create_previews_confirms_and_reports_in_the_managers_language(
    loopback: LoopbackDiscord, bot: CommunityBot, locale: str
) -> None:
    guild = loopback.guild
    loopback.world.user(guild.owner_id).locale = locale
    language = LANGUAGE[locale]
    preview = await slash(loopback, guild.owner_id, "create")
    text = preview.content_text()
    for phrase in PREVIEW[language]:
        assert phrase in text, (phrase, text)
    assert_in_language(text, language, allowed=NAMES)

    result = await click_confirm(loopback, preview, guild.owner_id, DONE[language])
    assert {"zh_CN": "频道（16）", "fr": "Salons (16)"}[language] in result
    checked = {"zh_CN": "`/初始化 检查` 可查看全部状态", "fr": "`/installation vérifier` affiche l'état"}
    assert checked[language] in result
    assert_in_language(result, language, allowed=NAMES)
    # What is made keeps the settings' names: they are the server's, not the manager's words.
    channels, roles = made_names(loopback)
    assert channels >= SHIPPED_CHANNELS | {"Community"} and roles >= SHIPPED_ROLES
    # The moderators' log is in the server's language (English here: its Discord language), not the clicker's.
    summary = await mod_log_summary(loopback)
    assert summary.startswith(f"**/setup create** by <@{guild.owner_id}>") and "channels: <#" in summary


async def test_after_config_set_language_fr_the_summary_in_the_mod_log_is_french(
    loopback: LoopbackDiscord, bot: CommunityBot
) -> None:
    guild = loopback.guild
    owner = guild.owner_id
    general = guild.channel("general").id
    saved = await loopback.invoke_slash(guild.id, general, owner, "config", {"key": "language", "value": "fr"}, "set")
    await saved.wait_response()
    assert "Saved: **language** is now `fr` (Français)." in saved.content_text()  # the manager's client: English
    shown = await loopback.invoke_slash(guild.id, general, owner, "config", subcommand="show")
    await shown.wait_response()
    assert "**language** (server): `fr` (Français)" in shown.content_text()

    preview = await slash(loopback, owner, "create")
    assert "Confirm" in preview.content_text()
    await click_confirm(loopback, preview, owner, DONE["en"])
    summary = await mod_log_summary(loopback)
    assert summary.startswith(f"**/installation créer** par <@{owner}>"), summary
    assert "salons : <#" in summary and "rôles : <@&" in summary
    assert "enregistrés par ID : `channels.welcome`" in summary
    assert_in_language(summary, "fr", allowed=NAMES)


async def test_the_servers_discord_language_decides_the_summary_not_a_members_choice(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    guild = loopback.guild
    guild.locale = "zh-CN"  # the server's Discord language; the `language` setting is "auto"
    bot = await harness.start()
    owner = guild.owner_id
    await languages.choose(bot.db, owner, "fr", NOW)  # the manager's own choice: for messages to them, not posts
    preview = await slash(loopback, owner, "create")
    await click_confirm(loopback, preview, owner, DONE["en"])  # their client is English: so is the answer
    summary = await mod_log_summary(loopback)
    assert summary.startswith(f"**/初始化 创建**，执行者 <@{owner}>"), summary
    assert "频道：<#" in summary and "身份组：<@&" in summary
    assert_in_language(summary, "zh_CN", allowed=NAMES)


@pytest.mark.parametrize("locale", ["zh-CN", "fr"])
async def test_config_show_and_a_set_error_are_in_the_managers_language(
    loopback: LoopbackDiscord, bot: CommunityBot, locale: str
) -> None:
    guild = loopback.guild
    owner = guild.owner_id
    general = guild.channel("general")
    loopback.world.user(owner).locale = locale
    language = LANGUAGE[locale]
    shown = await loopback.invoke_slash(guild.id, general.id, owner, "config", subcommand="show")
    await shown.wait_response()
    text = shown.content_text()
    expected = {
        "zh_CN": ["Fresh Server 的设置", "**`timezone`**（设置文件）：`UTC`",
                  "**`language`**（设置文件）：`auto`：服务器的 Discord 语言（English）",
                  "用 /配置 修改 修改某项；/配置 重置 可恢复为设置文件中的值。",
                  "⚠️ `welcome`：此服务器中没有名称或 ID 为 `welcome` 的频道",
                  "**`qa.helper_role`**（设置文件）：未设置"],
        "fr": ["Paramètres de Fresh Server", "**timezone** (fichier) : `UTC`",
               "**language** (fichier) : `auto` : la langue Discord du serveur (English)",
               "Modifiez-en un avec /paramètres modifier ; /paramètres réinitialiser le ramène à la valeur du fichier.",
               "⚠️ `welcome` : aucun salon nommé `welcome`", "**qa.helper_role** (fichier) : non défini"],
    }[language]
    for phrase in expected:
        assert phrase in text, (phrase, text)
    assert_in_language(text, language, allowed=NAMES)

    errors = {
        ("language", "de"): {"zh_CN": "`de` 不是 `language` 的可选值：请选择 `auto`、`en`、`fr`或`zh_CN`。",
                             "fr": "`de` n'est pas un choix possible pour `language` : choisissez `auto`, `en`, `fr`"},
        ("channels.nope", "x"): {"zh_CN": "`channels.nope` 不是设置项。请从列表中选择，或查看 `/配置 查看`。",
                                 "fr": "`channels.nope` n'est pas un paramètre. Choisissez-en un dans la liste, ou "
                                       "consultez `/paramètres afficher`."},
        ("roles.moderator", "Nobody"): {"zh_CN": "无法将其用于 `roles.moderator`：没有名为 `Nobody` 或 ID 为该值的"
                                                 "身份组。",
                                        "fr": "Impossible d'utiliser cela pour `roles.moderator` : aucun rôle nommé "
                                              "`Nobody`"},
    }
    for (key, value), wanted in errors.items():
        ix = await loopback.invoke_slash(guild.id, general.id, owner, "config", {"key": key, "value": value}, "set")
        await ix.wait_response()
        answer = ix.content_text()
        assert ix.ephemeral and wanted[language] in answer, answer
        assert_in_language(answer, language)
    assert await bot.guild_settings.overrides(guild.id) == {}
    # The language setting's picker names each choice, in the manager's language.
    ac = await loopback.autocomplete(guild.id, general.id, owner, "config", {"key": "language", "value": ""},
                                     focused="value", subcommand="set")
    await ac.wait_response()
    assert [c["value"] for c in ac.choices] == ["auto", "en", "fr", "zh_CN"]
    assert [c["name"] for c in ac.choices] == {
        "zh_CN": ["auto：服务器的 Discord 语言（English）", "en（English）", "fr（Français）", "zh_CN（简体中文）"],
        "fr": ["auto : la langue Discord du serveur (English)", "en (English)", "fr (Français)", "zh_CN (简体中文)"],
    }[language]


@pytest.mark.parametrize("locale", ["zh-CN", "fr"])
async def test_about_is_in_the_members_language(loopback: LoopbackDiscord, bot: CommunityBot, locale: str) -> None:
    guild = loopback.guild
    loopback.world.user(guild.owner_id).locale = locale
    ix = await loopback.invoke_slash(guild.id, guild.channel("general").id, guild.owner_id, "about")
    await ix.wait_response()
    text = ix.content_text()
    wanted = {"zh_CN": ["社区机器人", "运行时间", "网关延迟", "服务器设置：0"],
              "fr": ["Bot communautaire", "Disponibilité", "Latence de la passerelle", "paramètres de serveur : 0"]}
    for phrase in wanted[LANGUAGE[locale]]:
        assert phrase in text, (phrase, text)


async def test_an_unsupported_discord_language_gets_english(loopback: LoopbackDiscord, bot: CommunityBot) -> None:
    guild = loopback.guild
    loopback.world.user(guild.owner_id).locale = "de"
    text = (await slash(loopback, guild.owner_id, "check")).content_text()
    assert "#welcome — **missing**" in text and "`/setup create` makes it (text)" in text
    assert "Setup check for Fresh Server" in text
    preview = await slash(loopback, guild.owner_id, "create")
    assert "Text channels (14)" in preview.content_text() and "Confirm" in preview.content_text()
    shown = await loopback.invoke_slash(guild.id, guild.channel("general").id, guild.owner_id, "config",
                                        subcommand="show")
    await shown.wait_response()
    assert "Settings for Fresh Server" in shown.content_text() and "(file): `UTC`" in shown.content_text()


@pytest.mark.parametrize("language", ["zh_CN", "fr"])
def test_every_permission_the_checklist_can_name_is_translated(language: str) -> None:
    """bot/invite.py's reasons (marked there with N_()) and Discord's names of the permissions."""
    from bot.discord_helpers import permission_name

    with i18n.using(language):
        for needed in NEEDED:
            assert _(needed.why) != needed.why, needed.why
            assert permission_name(needed.flag) != needed.label, needed.flag
