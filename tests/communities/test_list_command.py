"""/communities list on the loopback: filters, pages with buttons, expiry, and empty results that still help."""

from __future__ import annotations

from loopback import LoopbackDiscord
from tests.communities.helpers import complete, member, slash, with_communities
from tests.harness import BotHarness


def _button_ids(message) -> dict[str, str]:
    """Button label -> custom_id on a message."""
    return {c["label"]: c["custom_id"] for row in message.components for c in row["components"]}


def _field_names(message) -> list[str]:
    return [f["name"] for f in message.embeds[0]["fields"]]


async def test_the_whole_directory_pages_with_buttons(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    ix = await slash(loopback, alice.id, "list")
    assert ix.ephemeral
    page_one = await ix.wait_original()
    assert page_one.embeds[0]["footer"]["text"].startswith("Page 1/3 · 18 communities")
    first_names = _field_names(page_one)
    assert first_names[:2] == ["All About Data", "Cohere For AI"]
    buttons = _button_ids(page_one)
    assert list(buttons) == ["«", "‹ Previous", "1 / 3", "Next ›", "»"]

    click = await loopback.click_button(page_one.id, buttons["Next ›"], alice.id)
    await click.wait_response()
    page_two = loopback.message(page_one.id)  # the same message, edited in place
    assert page_two.embeds[0]["footer"]["text"].startswith("Page 2/3")
    second_names = _field_names(page_two)
    assert not set(second_names) & set(first_names)

    last = await loopback.click_button(page_one.id, buttons["»"], alice.id)
    await last.wait_response()
    final = loopback.message(page_one.id)
    assert final.embeds[0]["footer"]["text"].startswith("Page 3/3")
    assert _field_names(final)[-1] == "Zindi"
    seen = set(first_names) | set(second_names) | set(_field_names(final))
    assert len(seen) == 18


async def test_someone_elses_page_buttons_are_refused(loopback: LoopbackDiscord, bot) -> None:
    alice, bob = member(loopback, "alice"), member(loopback, "bob")
    ix = await slash(loopback, alice.id, "list")
    page = await ix.wait_original()
    click = await loopback.click_button(page.id, _button_ids(page)["Next ›"], bob.id)
    await click.wait_response()
    assert click.ephemeral
    assert "belong to someone else's list" in click.content_text()
    assert loopback.message(page.id).embeds[0]["footer"]["text"].startswith("Page 1/3")


async def test_expired_page_buttons_say_so(loopback: LoopbackDiscord, harness: BotHarness, settings) -> None:
    await harness.start(settings=with_communities(settings, page_buttons_seconds=1))
    alice = member(loopback, "alice")
    ix = await slash(loopback, alice.id, "list")
    page = await ix.wait_original()
    expired = await loopback.wait_until(
        lambda: "expired" in loopback.message(page.id).embeds[0]["footer"]["text"], timeout=5
    )
    assert expired
    message = loopback.message(page.id)
    assert message.embeds[0]["footer"]["text"].endswith("page buttons expired: run /communities list again")
    assert all(c.get("disabled") for row in message.components for c in row["components"])


async def test_filters_narrow_the_list_to_one_page_without_buttons(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    ix = await slash(loopback, alice.id, "list", topic="mlops", region="Africa")
    data = ix.responses[0]["data"]
    assert not data.get("components")
    [embed] = data["embeds"]
    assert embed["description"] == "Filtered by topic **MLOps**, region **Africa**."
    assert [f["name"] for f in embed["fields"]] == ["MLOps Community Lagos · Lagos, Nigeria"]
    platform = await slash(loopback, alice.id, "list", platform="meetup")
    assert len(platform.responses[0]["data"]["embeds"][0]["fields"]) == 3


async def test_a_filter_with_no_results_gets_a_helpful_answer(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    ix = await slash(loopback, alice.id, "list", topic="audio", region="africa", platform="slack")
    assert ix.ephemeral
    assert not ix.responses[0]["data"].get("embeds")
    assert ix.content_text().splitlines() == [
        "No community matches topic **Audio and speech**, region **Africa**, on **Slack**.",
        "• Without the topic filter: 1 community.",
        "Worldwide online communities are open to you too: try region **Worldwide (online)**.",
        "Know one that belongs here? Suggest it with /communities suggest.",
    ]


async def test_an_unknown_topic_is_named(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    ix = await slash(loopback, alice.id, "list", topic="astrology")
    assert ix.content_text().startswith("“astrology” is not a topic I know; pick one of: Data science,")


async def test_list_topic_autocomplete(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    assert await complete(loopback, alice.id, "list", "topic", topic="data") == [
        "Data science",
        "Data engineering",
        "Data analysis",
        "Datasets",
        "Data management",
        "Analytics engineering",
    ]
