"""The community directory in the member's language (zh-CN, fr) and the server's, with the real bot on the loopback.

What a member triggers (/communities recommend, list, info, suggest, the page buttons, autocomplete) answers in
their Discord language, vocabulary labels included, and the words they type may be French or Chinese; what the
moderators' log shows (a suggestion's card and its buttons, the decision, an addition) is in the server's language.
The directory's descriptions are shown in the member's language where the directory file gives one, else as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from bot import i18n
from bot.settings import ConfigError
from cogs.communities.directory_file import load_directory, parse_directory
from cogs.communities.models import CommunityEntry, EntryError, Preferences
from cogs.communities.rules import recommend
from cogs.communities.vocabulary import ACCESS, COSTS, LEVELS, PLATFORMS, REGIONS, ROLES, TOPICS, Vocabulary
from loopback import LoopbackDiscord
from tests.communities.helpers import complete, entry_data, make_entry, member, running_directory, slash
from tests.harness import BotHarness
from tests.languages import assert_in_language, english_words

NB = "\u00a0"  # French typography: a no-break space before : ; ? ! and inside « »
SHIPPED = load_directory(Path(__file__).resolve().parents[2] / "data" / "communities.yaml")

# (the member's Discord locale, our language for it)
LOCALES = [("zh-CN", "zh_CN"), ("fr", "fr")]

# Concrete phrases of the catalogs, per language.
PHRASES: dict[str, dict[str, str]] = {
    "zh_CN": {
        "title": "为您推荐的社区",
        "basis": "推荐依据：角色 **数据工程师**、地区 **非洲**、水平 **数据新手**。",
        "why": "面向数据工程师；非洲；适合新手",
        "join": "加入：[Discord](https://discord.gg/f6aXkgn7SA)",
        "footer": "按与您条件的匹配程度排序",
        "list title": "数据社区",
        "page 1": "第 1/3 页 · 18 个社区 · 使用 /社区 详情 <名称> 查看详细信息",
        "page 2": "第 2/3 页",
        "next": "下一页 ›",
        "previous": "‹ 上一页",
        "filtered": "筛选条件：主题 **自然语言处理**、地区 **非洲**。",
        "topics line": "主题：自然语言处理、人工智能研究",
        "not yours": "这些翻页按钮属于其他人的列表",
        "join field": "加入方式",
        "languages": "英语",
        "level": "所有水平，适合新手",
        "curated": "来自机器人的精选目录 · 又名 HF, huggingface",
        "unknown role": "“magicien” 不是已知的角色；请从以下选项中选择：数据科学家、数据工程师",
        "nothing": "告诉我一些关于您的信息",
        "thanks": "谢谢！**Lagos Data Folk** 已作为第",
        "refused": "只有管理员",
    },
    "fr": {
        "title": "Communautés pour vous",
        "basis": f"Selon vos critères{NB}: rôle **Ingénieur de données**, région **Afrique**, niveau **Débutant**.",
        "why": f"s’adresse aux ingénieurs de données{NB}; Afrique{NB}; accessible aux débutants",
        "join": f"Rejoindre{NB}: [Discord](https://discord.gg/f6aXkgn7SA)",
        "footer": "Classées selon leur correspondance avec votre demande",
        "list title": "Communautés data",
        "page 1": "Page 1/3 · 18 communautés · /communautés infos <nom> pour les détails",
        "page 2": "Page 2/3",
        "next": "Suivant ›",
        "previous": "‹ Précédent",
        "filtered": f"Filtres{NB}: sujet **Traitement du langage (NLP)**, région **Afrique**.",
        "topics line": f"Sujets{NB}: Traitement du langage (NLP), Recherche en IA",
        "not yours": "Ces boutons appartiennent à la liste de quelqu’un d’autre",
        "join field": "Rejoindre",
        "languages": "anglais",
        "level": "Tous niveaux, accessible aux débutants",
        "curated": "Issue de l’annuaire sélectionné du bot · aussi appelée HF, huggingface",
        "unknown role": (
            f"«{NB}magicien{NB}» n’est pas un rôle connu{NB}; choisissez parmi{NB}: Scientifique des données"
        ),
        "nothing": "Parlez-moi un peu de vous",
        "thanks": f"Merci{NB}! **Lagos Data Folk** a été transmise aux modérateurs",
        "refused": "Seuls les modérateurs",
    },
}
# What the moderators' log shows, in the server's language.
LOG_PHRASES = {
    "zh_CN": {"card": "社区建议 #", "approve": "批准", "reject": "拒绝", "approved": "由 <@{mod}> 批准",
              "added": "将 **Lagos Data Folk** 添加到了 /社区 目录。", "forgotten": "这里曾有一条社区建议"},
    "fr": {"card": "Suggestion de communauté n° ", "approve": "Approuver", "reject": "Refuser",
           "approved": "approuvée par <@{mod}>", "added": "a ajouté **Lagos Data Folk** à l’annuaire /communautés.",
           "forgotten": "Une suggestion de communauté se trouvait ici"},
}
# What members type in their language, and the key it means.
TYPED = {
    "zh_CN": {"role": "数据工程师", "region": "非洲", "level": "初学者"},
    "fr": {"role": "ingénieur de données", "region": "Afrique", "level": "débutant"},
}
SUGGESTION = {
    "name": "Lagos Data Folk",
    "join_url": "https://discord.gg/lagosdata",
    "platform": "discord",
    "description": "Monthly meetups for data people in Lagos.",
    "topics": "data engineering, analytics",
    "region": "africa",
}


def data_words(entries: Iterable[CommunityEntry] = SHIPPED, *, descriptions: bool = False) -> set[str]:
    """Words of the directory's own data (names, aliases, places, resources, notes): shown as written."""
    texts: list[str] = []
    for entry in entries:
        texts += [entry.name, *entry.aliases, entry.location or "", *(r.name for r in entry.resources)]
        texts += [way.note or "" for way in (entry.join, *entry.also)]
        if descriptions:
            texts.append(entry.description)
    return set(english_words(" ".join(texts)))


def visible(message: Any) -> str:
    """A message's text with its buttons' labels."""
    labels = [c.get("label") or "" for row in message.components for c in row.get("components", [])]
    return "\n".join([message.text(), *labels])


def response_text(ix: Any) -> str:
    """The first response's content, embeds and button labels."""
    data = ix.responses[0]["data"]
    labels = [c.get("label") or "" for row in data.get("components") or [] for c in row.get("components", [])]
    return "\n".join([ix.content_text(), *labels])


def buttons(message: Any) -> dict[str, str]:
    return {c["label"]: c["custom_id"] for row in message.components for c in row["components"]}


def speaking(lb: LoopbackDiscord, name: str, locale: str, roles: list[str] = ()) -> int:  # type: ignore[assignment]
    user = member(lb, name, roles)
    lb.world.user(user.id).locale = locale
    return user.id


# --- /communities recommend ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("locale", "language"), LOCALES)
async def test_recommend_answers_in_the_members_language(
    loopback: LoopbackDiscord, bot: Any, locale: str, language: str
) -> None:
    alice = speaking(loopback, "alice", locale)
    ix = await slash(loopback, alice, "recommend", role="data-engineer", region="africa", level="new-to-data")
    said = PHRASES[language]
    assert ix.ephemeral
    [embed] = ix.responses[0]["data"]["embeds"]
    assert embed["title"] == said["title"]
    assert said["basis"] in embed["description"]
    assert embed["footer"]["text"].startswith(said["footer"])
    first = embed["fields"][0]
    assert first["name"] == "1. Data Community Africa"  # the same ranking as in English
    assert first["value"].startswith(said["why"])
    assert said["join"] in first["value"]
    assert_in_language(ix.content_text(), language, allowed=data_words())


@pytest.mark.parametrize(("locale", "language"), LOCALES)
async def test_recommend_reads_words_typed_in_the_members_language(
    loopback: LoopbackDiscord, bot: Any, locale: str, language: str
) -> None:
    alice = speaking(loopback, "alice", locale)
    typed = await slash(loopback, alice, "recommend", **TYPED[language])
    keys = await slash(loopback, alice, "recommend", role="data-engineer", region="africa", level="new-to-data")
    assert typed.content_text() == keys.content_text()  # "débutant", "初学者", "Afrique", "非洲" are the keys


@pytest.mark.parametrize(("locale", "language"), LOCALES)
async def test_recommend_problems_are_in_the_members_language(
    loopback: LoopbackDiscord, bot: Any, locale: str, language: str
) -> None:
    alice = speaking(loopback, "alice", locale)
    unknown = await slash(loopback, alice, "recommend", role="magicien")
    assert unknown.ephemeral and PHRASES[language]["unknown role"] in unknown.content_text()
    assert_in_language(unknown.content_text(), language, allowed={"magicien"})
    nothing = await slash(loopback, alice, "recommend")
    assert PHRASES[language]["nothing"] in nothing.content_text()
    assert_in_language(nothing.content_text(), language)


async def test_recommend_in_three_languages_in_turn_never_mixes_them(loopback: LoopbackDiscord, bot: Any) -> None:
    """Nothing rendered for one member's language is served to another (the directory and its indexes are cached,
    the text never is)."""
    people = {"zh_CN": speaking(loopback, "li", "zh-CN"), "fr": speaking(loopback, "zoe", "fr")}
    people["en"] = speaking(loopback, "ann", "en-US")
    for _round in range(2):
        for language, user_id in people.items():
            ix = await slash(loopback, user_id, "recommend", interests="machine learning, kubernetes", region="europe")
            text = ix.content_text()
            if language == "en":
                assert "Communities for you" in text
                assert not re.search(r"[\u4e00-\u9fff]", text) and "Selon" not in text
            else:
                assert PHRASES[language]["title"] in text
                assert_in_language(text, language, allowed=data_words() | {"kubernetes"})


@pytest.mark.parametrize(("locale", "language"), LOCALES)
async def test_recommend_autocomplete_shows_labels_in_the_members_language(
    loopback: LoopbackDiscord, bot: Any, locale: str, language: str
) -> None:
    alice = speaking(loopback, "alice", locale)
    levels = await complete(loopback, alice, "recommend", "level", level="")
    wanted = {"zh_CN": ["数据新手", "职业早期", "资深"], "fr": ["Débutant", "Début de carrière", "Expérimenté"]}
    assert levels == wanted[language]
    typed = {"zh_CN": "初学", "fr": "débu"}[language]
    assert (await complete(loopback, alice, "recommend", "level", level=typed))[0] == levels[0]
    regions = await complete(loopback, alice, "recommend", "region", region={"zh_CN": "非", "fr": "afr"}[language])
    assert regions == [{"zh_CN": "非洲", "fr": "Afrique"}[language]]


async def test_a_member_whose_language_the_bot_does_not_speak_gets_english(loopback: LoopbackDiscord, bot: Any) -> None:
    hans = speaking(loopback, "hans", "de")
    ix = await slash(loopback, hans, "recommend", role="data-engineer", region="africa", level="new-to-data")
    [embed] = ix.responses[0]["data"]["embeds"]
    assert embed["title"] == "Communities for you"
    assert embed["fields"][0]["value"].startswith("serves data engineers; Africa; beginner-friendly")
    info = await slash(loopback, hans, "info", name="Hugging Face")
    assert info.content_text().startswith("Hugging Face\nA community set on advancing good machine learning")


# --- /communities list and info ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("locale", "language"), LOCALES)
async def test_list_pages_and_buttons_in_the_members_language(
    loopback: LoopbackDiscord, bot: Any, locale: str, language: str
) -> None:
    alice = speaking(loopback, "alice", locale)
    bob = speaking(loopback, "bob", locale)
    said = PHRASES[language]
    ix = await slash(loopback, alice, "list")
    page = await ix.wait_original()
    assert page.embeds[0]["title"] == said["list title"]
    assert page.embeds[0]["footer"]["text"] == said["page 1"]
    assert list(buttons(page)) == ["«", said["previous"], "1 / 3", said["next"], "»"]
    # The chrome is in the member's language; the descriptions without a translation stay as written.
    chrome = "\n".join([page.embeds[0]["title"], page.embeds[0]["footer"]["text"], *buttons(page)])
    assert_in_language(chrome, language, allowed={"nom"})

    click = await loopback.click_button(page.id, buttons(page)[said["next"]], alice)
    await click.wait_response()
    assert loopback.message(page.id).embeds[0]["footer"]["text"].startswith(said["page 2"])
    refused = await loopback.click_button(page.id, buttons(page)[said["next"]], bob)
    await refused.wait_response()
    assert refused.ephemeral and said["not yours"] in refused.content_text()
    assert_in_language(refused.content_text(), language)


@pytest.mark.parametrize(("locale", "language"), LOCALES)
async def test_list_filters_typed_in_the_members_language(
    loopback: LoopbackDiscord, bot: Any, locale: str, language: str
) -> None:
    alice = speaking(loopback, "alice", locale)
    topic, region = {"zh_CN": ("自然语言处理", "非洲"), "fr": ("traitement du langage", "Afrique")}[language]
    ix = await slash(loopback, alice, "list", topic=topic, region=region)
    [embed] = ix.responses[0]["data"]["embeds"]
    said = PHRASES[language]
    assert embed["description"] == said["filtered"]
    [field] = embed["fields"]
    assert field["name"] == "Masakhane"
    masakhane = next(e for e in SHIPPED if e.key == "masakhane")
    assert field["value"].startswith(masakhane.translations.of(language).description)  # type: ignore[union-attr]
    assert said["topics line"] in field["value"]
    assert_in_language(ix.content_text(), language, allowed=data_words())


@pytest.mark.parametrize(("locale", "language"), LOCALES)
async def test_info_shows_the_directorys_translation_and_translated_labels(
    loopback: LoopbackDiscord, bot: Any, locale: str, language: str
) -> None:
    alice = speaking(loopback, "alice", locale)
    said = PHRASES[language]
    ix = await slash(loopback, alice, "info", name="Hugging Face")
    [embed] = ix.responses[0]["data"]["embeds"]
    hugging_face = next(e for e in SHIPPED if e.key == "hugging-face")
    assert embed["description"] == hugging_face.translations.of(language).description  # type: ignore[union-attr]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields[said["join field"]].startswith("[Discord](https://discord.com/invite/JfAtkvEtRb)")
    assert said["languages"] in fields.values()
    assert said["level"] in fields.values()
    assert embed["footer"]["text"] == said["curated"]
    assert_in_language(ix.content_text(), language, allowed=data_words())

    # An entry the directory gives no translation for: its description as written, the rest translated.
    kaggle = await slash(loopback, alice, "info", name="Kaggle")
    [embed] = kaggle.responses[0]["data"]["embeds"]
    assert embed["description"] == next(e for e in SHIPPED if e.key == "kaggle").description
    assert said["join field"] in {f["name"] for f in embed["fields"]}
    assert_in_language(kaggle.content_text(), language, allowed=data_words(descriptions=True))


@pytest.mark.parametrize(("locale", "language"), LOCALES)
async def test_info_with_an_unknown_name_answers_in_the_members_language(
    loopback: LoopbackDiscord, bot: Any, locale: str, language: str
) -> None:
    alice = speaking(loopback, "alice", locale)
    ix = await slash(loopback, alice, "info", name="Hugingface")
    expected = {
        "zh_CN": "目录中没有名为“Hugingface”的社区。您是想找 **Hugging Face** 吗？",
        "fr": f"Aucune communauté nommée «{NB}Hugingface{NB}» dans l’annuaire. Vouliez-vous dire **Hugging Face**{NB}?",
    }[language]
    assert ix.content_text() == expected


# --- suggestions: the member's answers in their language, the moderators' log in the server's ------------------


@pytest.mark.parametrize(("locale", "language", "server_locale", "server_language"), [
    ("zh-CN", "zh_CN", "fr", "fr"), ("fr", "fr", "zh-CN", "zh_CN"),
])
async def test_a_suggestion_is_answered_in_the_members_language_and_logged_in_the_servers(
    loopback: LoopbackDiscord,
    harness: BotHarness,
    locale: str,
    language: str,
    server_locale: str,
    server_language: str,
) -> None:
    loopback.world.guild(loopback.guild.id).locale = server_locale  # the server's language setting is "auto"
    bot = await harness.start()
    alice = speaking(loopback, "alice", locale)
    mod = speaking(loopback, "mod", locale, roles=["Moderators"])
    said, logged = PHRASES[language], LOG_PHRASES[server_language]

    ix = await slash(loopback, alice, "suggest", **SUGGESTION)
    assert ix.ephemeral and said["thanks"] in ix.content_text()
    assert_in_language(ix.content_text(), language, allowed={"Lagos", "Data", "Folk"})

    card = next(m for m in reversed(loopback.channel_messages(loopback.guild.channel("mod-log").id)) if m.components)
    assert card.embeds[0]["title"].startswith(logged["card"])
    assert list(buttons(card)) == [logged["approve"], logged["reject"]]
    typed = set(english_words(" ".join(SUGGESTION.values())))
    assert_in_language(visible(card), server_language, allowed=typed)

    refused = await loopback.click_button(card.id, buttons(card)[logged["approve"]], alice)
    await refused.wait_response()
    assert refused.ephemeral and said["refused"] in refused.content_text()  # the clicker's language
    approved = await loopback.click_button(card.id, buttons(card)[logged["approve"]], mod)
    await approved.wait_response()
    decided = loopback.message(card.id)
    assert logged["approved"].format(mod=mod) in decided.text()  # the log's language, not the moderator's
    assert_in_language(visible(decided), server_language, allowed=typed)

    # The member asks to be forgotten: the card says so in the server's language.
    await running_directory(bot).forget_member(loopback.guild.id, alice)
    assert loopback.message(card.id).content.startswith(logged["forgotten"])


@pytest.mark.parametrize(("locale", "language"), LOCALES)
async def test_an_addition_is_reported_in_the_servers_language(
    loopback: LoopbackDiscord, harness: BotHarness, locale: str, language: str
) -> None:
    loopback.world.guild(loopback.guild.id).locale = locale
    await harness.start()
    mod = speaking(loopback, "mod", "en-US", roles=["Moderators"])  # the moderator's own app is in English
    ix = await slash(loopback, mod, "add", **SUGGESTION)
    assert ix.content_text() == "Added **Lagos Data Folk** to this server's directory."
    mod_log = loopback.guild.channel("mod-log").id

    def reported() -> list[Any]:
        return [m for m in loopback.channel_messages(mod_log) if "Lagos Data Folk" in m.content]

    await loopback.wait_until(reported, timeout=5)
    [line] = reported()
    assert LOG_PHRASES[language]["added"] in line.content
    assert_in_language(line.content, language, allowed={"Lagos", "Data", "Folk"})


@pytest.mark.parametrize(("locale", "language"), LOCALES)
async def test_options_that_do_not_validate_are_named_in_the_members_language(
    loopback: LoopbackDiscord, bot: Any, locale: str, language: str
) -> None:
    alice = speaking(loopback, "alice", locale)
    bad = {"join_url": "discord.gg/nope", "topics": "astrology"}
    ix = await slash(loopback, alice, "suggest", **(SUGGESTION | bad))
    text = ix.content_text()
    expected = {
        "zh_CN": ["未保存：", "• **加入链接**：'discord.gg/nope' 不是以 `https://` 或 `http://` 开头的网址",
                  "• **主题**：'astrology' 不是已知的主题", "数据科学、机器学习、MLOps"],
        "fr": [f"Non enregistré{NB}:", f"• **lien**{NB}: 'discord.gg/nope' n’est pas une adresse web commençant par",
               f"• **sujets**{NB}: 'astrology'{NB}: valeur inconnue pour «{NB}sujet{NB}»",
               "Science des données, Apprentissage automatique, MLOps"],
    }[language]
    for phrase in expected:
        assert phrase in text
    assert_in_language(text, language, allowed=set(english_words("'discord.gg/nope' 'astrology'")))


# --- the vocabulary and the directory file -------------------------------------------------------------------------

VOCABULARIES = [ROLES, LEVELS, TOPICS, REGIONS, PLATFORMS, ACCESS, COSTS]


@pytest.mark.parametrize("language", ["zh_CN", "fr"])
@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=lambda v: v.name)
def test_every_translated_label_is_understood_when_typed(vocabulary: Vocabulary, language: str) -> None:
    """A member may type back any label they were shown, in either language: the catalog and the vocabulary's
    French and Chinese spellings agree."""
    for term in vocabulary:
        shown = i18n.translate(term.label, language)
        assert shown != term.label or len(english_words(term.label)) <= 1, f"{term.label!r} has no {language}"
        assert vocabulary.resolve(shown) is term, f"{shown!r} ({language}) does not resolve to {term.key}"


@pytest.mark.parametrize(
    ("vocabulary", "typed", "key"),
    [
        (LEVELS, "débutant", "new-to-data"),
        (LEVELS, "Je suis débutante", "new-to-data"),
        (LEVELS, "初学者", "new-to-data"),
        (LEVELS, "我是初学者", "new-to-data"),
        (LEVELS, "中级水平", "early-career"),
        (LEVELS, "expérimenté", "experienced"),
        (LEVELS, "资深", "experienced"),
        (REGIONS, "Afrique", "africa"),
        (REGIONS, "basée en Afrique", "africa"),
        (REGIONS, "j'habite au Sénégal", "africa"),
        (REGIONS, "非洲", "africa"),
        (REGIONS, "我在非洲", "africa"),
        (REGIONS, "非洲地区", "africa"),
        (REGIONS, "Lagos, Nigéria", "africa"),
        (REGIONS, "monde entier", "global"),
        (REGIONS, "线上", "global"),
        (REGIONS, "Amérique du Nord", "north-america"),
        (REGIONS, "上海", "asia"),
        (TOPICS, "apprentissage automatique", "machine-learning"),
        (TOPICS, "机器学习", "machine-learning"),
        (TOPICS, "vision par ordinateur", "computer-vision"),
        (TOPICS, "自然语言处理", "nlp"),
        (TOPICS, "ingénierie des donées", "data-engineering"),  # a typo is forgiven in French too
        (ROLES, "ingénieure de données", "data-engineer"),
        (ROLES, "je suis étudiant", "student"),
        (ROLES, "数据科学家", "data-scientist"),
        (ROLES, "我是一名数据分析师", "data-analyst"),
    ],
)
def test_the_vocabulary_accepts_french_and_chinese_words(vocabulary: Vocabulary, typed: str, key: str) -> None:
    found = vocabulary.lookup(typed)
    assert found is not None and found.key == key


def test_interests_typed_in_chinese_are_split_on_chinese_commas() -> None:
    from cogs.communities.rules import parse_interests

    assert parse_interests("机器学习，自然语言处理、数据工程").topics == ("machine-learning", "nlp", "data-engineering")


def test_an_entrys_translation_is_shown_in_its_language_only() -> None:
    entry = make_entry(
        translations={
            "fr": {"description": "La communauté exemple, pour les tests."},
            "zh-CN": {"description": "用于测试的示例社区。"},  # Discord's spelling of the code is read as zh_CN
        }
    )
    with i18n.using("fr"):
        assert entry.shown_description == "La communauté exemple, pour les tests."
    with i18n.using("zh_CN"):
        assert entry.shown_description == "用于测试的示例社区。"
    assert entry.shown_description == "The example community, for tests."
    only_french = make_entry(translations={"fr": {"description": "La communauté exemple, pour les tests."}})
    with i18n.using("zh_CN"):
        assert only_french.shown_description == "The example community, for tests."  # as written


def test_a_bad_language_code_in_the_directory_file_is_named_with_file_and_entry() -> None:
    raw = {"version": 1, "communities": [entry_data("dbt", translations={"de": {"description": "Die Gemeinschaft."}})]}
    with pytest.raises(ConfigError) as error:
        parse_directory(raw, "data/communities.yaml")
    assert str(error.value) == (
        "data/communities.yaml: communities[dbt].translations: 'de': not a language the bot translates into;"
        " use zh_CN or fr"
    )
    with pytest.raises(EntryError) as bad_field:
        make_entry(translations={"fr": {"summary": "Un résumé de la communauté."}})
    assert ("translations.fr.summary", "unknown field (check the spelling; docs/communities.md lists the fields)") in (
        bad_field.value.problems
    )


def test_why_lines_of_a_large_directory_follow_the_language_of_each_request() -> None:
    """The ranking index (built once per directory list) holds bit sets, never text: reasons are written per request."""
    entries = [
        make_entry(f"c{n:04d}", topics=["machine-learning"], roles=["data-engineer"], regions=["africa"])
        for n in range(300)
    ]
    prefs = Preferences(role="data-engineer", region="africa", level="new-to-data")
    with i18n.using("fr"):
        french = recommend(entries, prefs, 3)
    with i18n.using("zh_CN"):
        chinese = recommend(entries, prefs, 3)
    english = recommend(entries, prefs, 3)
    assert [r.entry.key for r in french] == [r.entry.key for r in chinese] == [r.entry.key for r in english]
    assert french[0].why_text.startswith(f"s’adresse aux ingénieurs de données{NB}; Afrique")
    assert chinese[0].why_text.startswith("面向数据工程师；非洲；适合新手")
    assert english[0].why_text.startswith("serves data engineers; Africa; beginner-friendly")


async def test_the_commands_reach_discord_in_french_and_chinese(loopback: LoopbackDiscord, bot: Any) -> None:
    """The loopback checks every name as Discord would (lower case, no spaces, at most 32)."""
    await loopback.wait_until(lambda: loopback.commands.get(loopback.guild.id), timeout=10)
    [group] = [c for c in loopback.commands[loopback.guild.id] if c["name"] == "communities"]
    assert group["name_localizations"] == {"fr": "communautés", "zh-CN": "社区"}
    verbs = {option["name"]: option for option in group["options"]}
    assert verbs["recommend"]["name_localizations"] == {"fr": "recommander", "zh-CN": "推荐"}
    assert verbs["list"]["name_localizations"] == {"fr": "liste", "zh-CN": "列表"}
    level = next(option for option in verbs["recommend"]["options"] if option["name"] == "level")
    assert level["name_localizations"] == {"fr": "niveau", "zh-CN": "水平"}
    platform = next(option for option in verbs["list"]["options"] if option["name"] == "platform")
    website = next(choice for choice in platform["choices"] if choice["value"] == "website")
    assert website["name_localizations"] == {"fr": "Site web", "zh-CN": "网站"}
