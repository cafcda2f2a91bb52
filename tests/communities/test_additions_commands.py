"""A server's own entries on the loopback: suggest -> Approve/Reject (persistent), add and remove by moderators."""

from __future__ import annotations

import re
from typing import Any

from loopback import LoopbackDiscord
from tests.communities.helpers import member, running_directory, slash, with_communities
from tests.harness import BotHarness

SUGGESTION = {
    "name": "Lagos Data Folk",
    "join_url": "https://discord.gg/lagosdata",
    "platform": "discord",
    "description": "Monthly meetups for data people in Lagos.",
    "topics": "data engineering, analytics",
    "region": "africa",
}


def _suggestion_message(lb: LoopbackDiscord):
    messages = lb.channel_messages(lb.guild.channel("mod-log").id)
    return next(m for m in reversed(messages) if m.components)


def _buttons(message) -> dict[str, str]:
    return {c["label"]: c["custom_id"] for row in message.components for c in row["components"]}


async def _suggest(lb: LoopbackDiscord, user_id: int, **overrides: Any):
    return await slash(lb, user_id, "suggest", **(SUGGESTION | overrides))


async def test_a_suggestion_is_approved_once_and_joins_the_directory(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    mod = member(loopback, "mod", roles=["Moderators"])
    ix = await _suggest(loopback, alice.id)
    assert ix.ephemeral
    assert re.search(r"\*\*Lagos Data Folk\*\* went to the moderators as suggestion #\d+", ix.content_text())

    card = _suggestion_message(loopback)
    assert card.embeds[0]["title"].startswith("Community suggestion #")
    assert f"<@{alice.id}>" in card.text()
    buttons = _buttons(card)
    assert list(buttons) == ["Approve", "Reject"]
    assert all(re.fullmatch(r"communities:suggestion:\d+:(approve|reject)", cid) for cid in buttons.values())

    refused = await loopback.click_button(card.id, buttons["Approve"], alice.id)
    await refused.wait_response()
    assert refused.ephemeral and "Only moderators" in refused.content_text()

    approved = await loopback.click_button(card.id, buttons["Approve"], mod.id)
    await approved.wait_response()
    decided = loopback.message(card.id)
    assert not decided.components
    assert f"approved by <@{mod.id}>" in decided.text()

    info = await slash(loopback, alice.id, "info", name="lagos data folk")
    assert "Monthly meetups for data people in Lagos." in info.content_text()
    assert "Added by this server's moderators" in info.content_text()


async def test_approve_and_reject_buttons_survive_a_restart(loopback: LoopbackDiscord, harness: BotHarness) -> None:
    await harness.start()
    alice = member(loopback, "alice")
    mod = member(loopback, "mod", roles=["Moderators"])
    await _suggest(loopback, alice.id)
    card = _suggestion_message(loopback)
    buttons = _buttons(card)

    bot = await harness.restart()
    rejected = await loopback.click_button(card.id, buttons["Reject"], mod.id)
    await rejected.wait_response()
    assert f"rejected by <@{mod.id}>" in loopback.message(card.id).text()
    assert not loopback.message(card.id).components
    store = running_directory(bot).store
    suggestion = await store.get_suggestion(int(buttons["Reject"].split(":")[2]))
    assert (suggestion.status, suggestion.decided_by) == ("rejected", mod.id)
    assert await store.guild_additions(loopback.guild.id) == []


async def test_a_second_click_on_a_stale_card_is_idempotent(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    mod, other_mod = member(loopback, "mod", roles=["Moderators"]), member(loopback, "mod2", roles=["Moderators"])
    await _suggest(loopback, alice.id)
    card = _suggestion_message(loopback)
    buttons = _buttons(card)
    stale_components = card.components  # what another moderator's client still shows
    first = await loopback.click_button(card.id, buttons["Approve"], mod.id)
    await first.wait_response()
    loopback.message(card.id).components = stale_components
    second = await loopback.click_button(card.id, buttons["Reject"], other_mod.id)
    await second.wait_response()
    assert second.ephemeral
    assert re.fullmatch(rf"Already decided: approved by <@{mod.id}> <t:\d+:R>\.", second.content_text())
    assert second.responses[0]["data"]["allowed_mentions"] == {"parse": []}
    assert len(await running_directory(bot).store.guild_additions(loopback.guild.id)) == 1


async def test_suggestions_are_refused_when_duplicate_or_too_many(loopback: LoopbackDiscord, harness, settings) -> None:
    await harness.start(settings=with_communities(settings, max_pending_suggestions=2))
    alice = member(loopback, "alice")
    known = await _suggest(loopback, alice.id, name="hugging face")
    assert "**Hugging Face** is already in the directory" in known.content_text()
    await _suggest(loopback, alice.id)
    again = await _suggest(loopback, alice.id)
    assert "**Lagos Data Folk** was already suggested and is waiting for the moderators." in again.content_text()
    await _suggest(loopback, alice.id, name="Abuja Data Folk")
    third = await _suggest(loopback, alice.id, name="Ibadan Data Folk")
    assert "You already have 2 suggestions waiting" in third.content_text()
    assert len([m for m in loopback.channel_messages(loopback.guild.channel("mod-log").id) if m.components]) == 2


async def test_a_suggestion_with_bad_fields_names_the_options(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    ix = await _suggest(loopback, alice.id, join_url="discord.gg/nope", topics="astrology, mlops", language="eng1")
    assert ix.ephemeral
    lines = ix.content_text().splitlines()
    assert lines[0] == "Not saved:"
    assert "• **join_url**: 'discord.gg/nope' is not a web address starting with https:// or http://" in lines
    assert any(line.startswith("• **topics**: 'astrology' is not a known topic") for line in lines)
    assert "• **language**: must be an ISO 639 language code such as en, fr or sw" in lines
    assert not [m for m in loopback.channel_messages(loopback.guild.channel("mod-log").id) if m.components]


async def test_a_suggestion_without_a_moderators_log_is_not_lost_silently(loopback, harness, settings) -> None:
    data = settings.model_dump()
    data["channels"]["mod_log"] = "no-such-channel"
    await harness.start(settings=type(settings).model_validate(data))
    alice = member(loopback, "alice")
    ix = await _suggest(loopback, alice.id)
    assert "Suggestions go to the moderators' log, but no channel named or with ID `no-such-channel`" in (
        ix.content_text()
    )
    assert await running_directory(harness.bot).store.pending_count(loopback.guild.id, alice.id) == 0


async def test_a_failed_post_to_the_moderators_log_is_reported_and_forgotten(loopback, bot) -> None:
    alice = member(loopback, "alice")
    mod_log = loopback.guild.channel("mod-log")
    loopback.inject("POST", rf"/channels/{mod_log.id}/messages", 403, times=1, code=50013)
    ix = await _suggest(loopback, alice.id)
    assert "I could not reach the moderators' log just now, so nothing was sent." in ix.content_text()
    assert await running_directory(bot).store.pending_count(loopback.guild.id, alice.id) == 0


async def test_hostile_text_never_pings(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    mod = member(loopback, "mod", roles=["Moderators"])
    hostile = f"@everyone @here <@{mod.id}> <@&{loopback.guild.role('Moderators').id}> **bold** ||x||"
    ix = await _suggest(loopback, alice.id, name="Ping Club @everyone", description=hostile)
    await ix.wait_response()
    posts = loopback.calls_to("POST", rf"/channels/{loopback.guild.channel('mod-log').id}/messages")
    assert posts and all(call.body["allowed_mentions"] == {"parse": []} for call in posts)
    card = _suggestion_message(loopback)
    assert not card.mention_everyone and not card.mention_ids and not card.mention_roles
    assert "@\u200beveryone" in card.embeds[0]["description"]
    assert "\\*\\*bold\\*\\*" in card.embeds[0]["description"]


async def test_moderators_add_and_remove_their_own_entries(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    mod = member(loopback, "mod", roles=["Moderators"])
    refused = await slash(loopback, alice.id, "add", **SUGGESTION)
    assert "Only moderators" in refused.content_text() and "/communities suggest" in refused.content_text()

    added = await slash(loopback, mod.id, "add", **SUGGESTION, beginner_friendly=False, cost="freemium")
    assert added.content_text() == "Added **Lagos Data Folk** to this server's directory."
    await loopback.wait_for_call("POST", rf"/channels/{loopback.guild.channel('mod-log').id}/messages")
    assert (
        f"<@{mod.id}> added **Lagos Data Folk**"
        in loopback.channel_messages(loopback.guild.channel("mod-log").id)[-1].content
    )
    info = await slash(loopback, alice.id, "info", name="Lagos Data Folk")
    assert "Early career, Experienced (not aimed at beginners)" in info.content_text()
    assert "Free, with paid extras" in info.content_text()
    listed = await slash(loopback, alice.id, "list", region="africa", platform="discord")
    assert "Lagos Data Folk" in listed.content_text()

    shipped = await slash(loopback, mod.id, "remove", name="Kaggle")
    assert "comes from the bot's curated directory" in shipped.content_text()
    removed = await slash(loopback, mod.id, "remove", name="lagos data folk")
    assert removed.content_text() == "Removed **Lagos Data Folk** from this server's directory."
    gone = await slash(loopback, alice.id, "info", name="Lagos Data Folk")
    assert gone.content_text().startswith("No community called")


async def test_the_configured_moderator_role_is_enough_without_manage_server(loopback, harness, settings) -> None:
    loopback.add_role(loopback.guild.id, "Community Team", 0)
    data = settings.model_dump()
    data["roles"]["moderator"] = "Community Team"
    await harness.start(settings=type(settings).model_validate(data))
    helper = member(loopback, "helper", roles=["Community Team"])
    ix = await slash(loopback, helper.id, "add", **SUGGESTION)
    assert ix.content_text().startswith("Added **Lagos Data Folk**")
    # Another server does not see it.
    other = loopback.add_guild("Elsewhere")
    await loopback.announce_guild(other.id)
    assert await running_directory(harness.bot).store.guild_additions(other.id) == []


async def test_recommend_shows_an_added_entry_at_once_and_forgets_a_removed_one(loopback: LoopbackDiscord, bot) -> None:
    # The same question asked again is answered from the bot's memory of answers (per directory version): a
    # directory change must still show in the very next answer, in both directions.
    alice = member(loopback, "alice")
    mod = member(loopback, "mod", roles=["Moderators"])
    asked = {"interests": "data engineering, analytics", "region": "africa", "role": "data-engineer"}
    before = await slash(loopback, alice.id, "recommend", **asked)
    assert "Lagos Data Folk" not in before.content_text()
    assert (await slash(loopback, alice.id, "recommend", **asked)).content_text() == before.content_text()

    done = await slash(loopback, mod.id, "add", **SUGGESTION, roles="data-engineer")
    assert done.content_text() == "Added **Lagos Data Folk** to this server's directory."
    added = await slash(loopback, alice.id, "recommend", **asked)
    assert "2. Lagos Data Folk" in added.content_text()  # ties go by name: after Data Community Africa

    await slash(loopback, mod.id, "remove", name="Lagos Data Folk")
    after = await slash(loopback, alice.id, "recommend", **asked)
    assert after.content_text() == before.content_text()
