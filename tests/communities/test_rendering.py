"""What members see stays within Discord's limits and inert, whatever a server puts in its directory."""

from __future__ import annotations

from datetime import UTC, date, datetime

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from cogs.communities import render
from cogs.communities.models import CommunityEntry, CommunitySuggestion, Preferences, SuggestionStatus
from cogs.communities.rules import recommend
from cogs.communities.vocabulary import LEVEL_KEYS, REGION_KEYS, ROLE_KEYS, TOPIC_KEYS
from tests.communities.helpers import make_entry

HOSTILE = st.sampled_from(
    [
        "@everyone",
        "@here",
        "<@123456789012345678>",
        "<@&123456789012345678>",
        "**",
        "`",
        "||",
        "](http://x)",
        "\u200b",
        "é",
        "🙂",
        " ",
        "_",
        "~",
        "> ",
    ]
)


def text(min_size: int, max_size: int):
    return st.lists(HOSTILE | st.text(min_size=1, max_size=8), min_size=1, max_size=max_size).map(
        lambda parts: ("x" * min_size + "".join(parts))[:max_size]
    )


@st.composite
def big_entries(draw, index: int = 0) -> CommunityEntry:
    return make_entry(
        f"e{index}",
        name=draw(text(1, 80)).strip() or "x",
        description=draw(text(10, 400)),
        location=draw(st.none() | text(1, 80)),
        aliases=draw(st.lists(text(1, 80), max_size=5)),
        topics=list(TOPIC_KEYS[:10]),
        roles=list(ROLE_KEYS),
        regions=list(REGION_KEYS),
        levels=list(LEVEL_KEYS),
        join={
            "platform": "website",
            "url": "https://example.org/" + "a(b)" * 60,
            "access": "application",
            "note": draw(text(1, 150)),
        },
        also=[{"platform": "forum", "url": "https://f.example.org/" + "z" * 250, "note": draw(text(1, 150))}] * 5,
        resources=[{"name": draw(text(1, 80)), "url": "https://r.example.org/" + "r" * 250}] * 10,
    )


def assert_within_limits(embed: discord.Embed) -> None:
    assert len(embed) <= render.EMBED_TOTAL
    assert len(embed.title or "") <= 256
    assert len(embed.description or "") <= render.DESCRIPTION
    assert len(embed.fields) <= render.MAX_FIELDS
    for field in embed.fields:
        assert 1 <= len(field.name) <= render.FIELD_NAME
        assert 1 <= len(field.value) <= render.FIELD_VALUE
    assert len(embed.footer.text or "") <= 2048


@settings(max_examples=40, deadline=None)
@given(big_entries())
def test_info_of_the_largest_possible_entry_fits(entry: CommunityEntry) -> None:
    children = [make_entry(f"child{i}", name="C" * 80) for i in range(40)]
    embed = render.info_embed(
        entry, children=children, parent=entry, added_here=True, today=date(2030, 1, 1), stale_after_days=365
    )
    assert_within_limits(embed)
    assert "details may be out of date" in embed.fields[-1].value
    assert "@everyone" not in (embed.description or "")


@settings(max_examples=15, deadline=None)
@given(st.lists(big_entries(), min_size=1, max_size=3), st.integers(min_value=1, max_value=10))
def test_every_list_page_fits(entries: list[CommunityEntry], page_size: int) -> None:
    many = [e.model_copy(update={"key": f"k{i}"}) for i in range(12) for e in entries]
    pages = render.paginate(many, page_size)
    assert sum(len(page) for page in pages) == len(many)
    for number, page in enumerate(pages):
        assert 1 <= len(page) <= page_size
        assert_within_limits(
            render.list_embed(page, heading="h" * 800, page=number, pages=len(pages), total=len(many), expired=True)
        )


@settings(max_examples=15, deadline=None)
@given(st.lists(big_entries(), min_size=1, max_size=3))
def test_recommendations_and_suggestion_cards_fit(entries: list[CommunityEntry]) -> None:
    many = [e.model_copy(update={"key": f"k{i}"}) for i in range(4) for e in entries]
    recs = recommend(
        many,
        Preferences(
            role="data-engineer", interests=TOPIC_KEYS[:10], region="africa", level="new-to-data", keywords=("x" * 40,)
        ),
        limit=10,
    )
    notes = ["n" * 300] * 10
    assert_within_limits(render.recommendation_embed(recs, "b" * 1500, notes, shortfall=True))
    for status in SuggestionStatus:
        when = datetime(2026, 1, 1, tzinfo=UTC)
        suggestion = CommunitySuggestion(1, 2, many[0], 3, when, status, 4, when, None, None, None)
        assert_within_limits(render.suggestion_embed(suggestion, "approved by <@4>"))


def test_links_cannot_break_out_of_markdown() -> None:
    assert render.link("a]b", "https://x.org/a(b) c") == "[a\\]b](https://x.org/a%28b%29%20c)"
