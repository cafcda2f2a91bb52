"""/communities recommend and info on the loopback Discord, against the shipped directory."""

from __future__ import annotations

import importlib
import json

import pytest

from cogs.onboarding.api import MemberProfile
from loopback import LoopbackDiscord
from tests.communities.helpers import complete, member, slash


async def test_recommend_gives_five_with_a_reason_each(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    ix = await slash(loopback, alice.id, "recommend", role="data-engineer", region="africa", level="new-to-data")
    assert ix.ephemeral
    [embed] = ix.responses[0]["data"]["embeds"]
    assert embed["title"] == "Communities for you"
    assert "Based on role **Data engineer**, region **Africa**, level **New to data**." in embed["description"]
    assert len(embed["fields"]) == 5
    first = embed["fields"][0]
    assert first["name"] == "1. Data Community Africa"
    assert first["value"].startswith("serves data engineers; Africa; beginner-friendly")
    assert "Join: [Discord](https://discord.gg/f6aXkgn7SA)" in first["value"]
    names = [f["name"] for f in embed["fields"]]
    # The African communities that serve data engineers first, then the worldwide ones, by name.
    assert names == [
        "1. Data Community Africa",
        "2. Women in Data Africa",
        "3. Young Data Professionals",
        "4. DataTalksClub",
        "5. DataTech Space",
    ]


async def test_recommend_reads_typed_text_and_says_what_it_ignored(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    ix = await slash(
        loopback, alice.id, "recommend", interests="machin learning, NLP, quantum knitting", region="Nigeria"
    )
    text = ix.content_text()
    assert "interests **Machine learning, NLP, “quantum knitting”**" in text
    assert "read “machin learning” as Machine learning" in text
    assert "ignored “quantum knitting”: no community here mentions it" in text
    # Two topics and a partial region beat one topic and the exact region; equal scores go by name.
    assert "1. Hugging Face\nMachine learning, NLP; worldwide, online" in text
    assert "3. Masakhane\nNLP; Africa" in text


async def test_recommend_without_anything_to_go_on_explains_how(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    ix = await slash(loopback, alice.id, "recommend")
    assert ix.ephemeral
    assert "Tell me a little about you" in ix.content_text()
    assert not ix.responses[0]["data"].get("embeds")


async def test_recommend_with_an_unknown_role_lists_the_roles(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    ix = await slash(loopback, alice.id, "recommend", role="wizard")
    assert "“wizard” is not a role I know; pick one of: Data scientist, Data engineer" in ix.content_text()


async def test_recommend_fills_left_out_options_from_the_onboarding_profile(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    # The onboarding feature's table (cogs/onboarding/migrations), as a finished onboarding leaves it.
    await bot.db.execute(
        "INSERT INTO onboarding_profiles (guild_id, user_id, role, level, interests, region, status, created_at,"
        " updated_at) VALUES (?, ?, 'analytics-engineer', 'early-career', ?, 'africa', 'finished', ?, ?)",
        (loopback.guild.id, alice.id, json.dumps(["analytics-engineering"]), 1767225600, 1767225600),
    )
    ix = await slash(loopback, alice.id, "recommend", region="global")
    text = ix.content_text()
    assert "role **Analytics engineer** (from your onboarding profile)" in text
    assert "interests **Analytics engineering** (from your onboarding profile)" in text
    assert "region **Worldwide (online)**," in text  # what she typed wins over the profile
    assert "1. dbt Community" in text


async def test_recommend_asks_onboarding_for_the_profile(
    loopback: LoopbackDiscord, bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = member(loopback, "alice")
    asked: list[tuple[int, int]] = []

    class Profiles:
        """Onboarding's api.py as the directory calls it, answering for one member."""

        async def profile_of(self, guild_id: int, user_id: int) -> MemberProfile | None:
            asked.append((guild_id, user_id))
            return MemberProfile(
                role="analytics-engineer", level="early-career", interests=("analytics-engineering",), region="africa"
            )

    found = bot.optional_feature
    # By name: each bot start imports the extensions afresh, so the class the cog asks for is not this module's.
    monkeypatch.setattr(
        bot, "optional_feature", lambda kind: Profiles() if kind.__name__ == "OnboardingApi" else found(kind)
    )
    ix = await slash(loopback, alice.id, "recommend", region="global")
    assert asked == [(loopback.guild.id, alice.id)]
    text = ix.content_text()
    assert "role **Analytics engineer** (from your onboarding profile)" in text
    assert "interests **Analytics engineering** (from your onboarding profile)" in text
    assert "region **Worldwide (online)**," in text  # what she typed wins over the profile
    assert "1. dbt Community" in text


async def test_onboarding_gets_picks_with_the_join_link_and_why(loopback: LoopbackDiscord, bot) -> None:
    api = importlib.import_module("cogs.communities.api")  # the running bot's class (see the test above)
    directory = bot.feature(api.CommunitiesApi)
    profile = MemberProfile(role="data-engineer", level="new-to-data", region="africa", interests=("astrology",))
    picks = await directory.recommend_for(loopback.guild.id, profile, 3)
    names = [pick.name for pick in picks]
    assert names == ["Data Community Africa", "Women in Data Africa", "Young Data Professionals"]
    assert picks[0].url == "https://discord.gg/f6aXkgn7SA"
    assert picks[0].why.startswith("serves data engineers; Africa; beginner-friendly")
    assert await directory.recommend_for(loopback.guild.id, MemberProfile(), 3) == []


async def test_recommend_autocomplete_offers_the_vocabulary(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    assert await complete(loopback, alice.id, "recommend", "role", role="eng") == [
        "Data engineer",
        "ML engineer",
        "Analytics engineer",
    ]
    assert (await complete(loopback, alice.id, "recommend", "interests", interests="MLOps, nl")) == ["MLOps, NLP"]
    assert len(await complete(loopback, alice.id, "recommend", "interests", interests="")) == 18
    assert await complete(loopback, alice.id, "recommend", "region", region="lag") == ["Africa"]
    assert await complete(loopback, alice.id, "recommend", "level", level="") == [
        "New to data",
        "Early career",
        "Experienced",
    ]


async def test_info_shows_everything_about_one_community(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    ix = await slash(loopback, alice.id, "info", name="MLOps Community")
    assert ix.ephemeral
    [embed] = ix.responses[0]["data"]["embeds"]
    assert embed["title"] == "MLOps Community"
    assert embed["url"] == "https://mlops.community/"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Join"].startswith("[Slack](https://go.mlops.community/slack)")
    assert "[Meetup](https://www.meetup.com/pro/mlops-community/)" in fields["Join"]
    assert fields["Local chapters"] == "MLOps Community Lagos, MLOps Community Toronto"
    assert fields["Last checked"] == "2026-11-27"
    assert embed["footer"]["text"] == "From the bot's curated directory"


async def test_info_by_alias_and_shared_publicly(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    ix = await slash(loopback, alice.id, "info", name="DataFest Africa", share=True)
    assert not ix.ephemeral
    assert "Data Community Africa" in ix.content_text()
    assert "also known as DataFest Africa" in ix.content_text()


async def test_info_with_a_typo_gets_did_you_mean(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    ix = await slash(loopback, alice.id, "info", name="Hugingface")
    assert ix.ephemeral
    assert ix.content_text() == "No community called “Hugingface” in the directory. Did you mean **Hugging Face**?"


async def test_info_with_an_unknown_name_points_to_list_and_suggest(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    ix = await slash(loopback, alice.id, "info", name="Quantum Knitting Circle")
    assert "No community called “Quantum Knitting Circle” in the directory." in ix.content_text()
    assert "/communities list" in ix.content_text() and "/communities suggest" in ix.content_text()


async def test_info_autocomplete_finds_names_and_aliases(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    assert await complete(loopback, alice.id, "info", "name", name="mlops") == [
        "MLOps Community",
        "MLOps Community Lagos",
        "MLOps Community Toronto",
    ]
    assert await complete(loopback, alice.id, "info", "name", name="HF") == ["Hugging Face"]
    assert len(await complete(loopback, alice.id, "info", "name", name="")) == 18


async def test_about_counts_the_directory(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    ix = await loopback.invoke_slash(loopback.guild.id, loopback.guild.channel("general").id, alice.id, "about")
    await ix.wait_response()
    assert "directory communities: 18" in ix.content_text()
    assert "pending community suggestions: 0" in ix.content_text()
