"""Users' text in Q&A: long and hostile input stays inert and within Discord's limits."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.discord_helpers import clip, inert
from cogs.qa.models import HIT_END, HIT_START, SOLVED_PREFIX, Hit
from cogs.qa.render import hit_lines, snippet_text, split_message
from cogs.qa.rules import bare_title, clean_title, match_tags, parse_tags, solved_title
from cogs.qa.search import match_expression

HOSTILE = st.lists(
    st.sampled_from([*"ab c\n*_~`|>#-[]()<>@&!:/\\", "@everyone", "@here", "<@123>", "<@&45>", "```", "[x](http://e)"]),
    max_size=120,
).map("".join)


@given(st.text(max_size=4000))
def test_split_message_keeps_every_character_within_the_limit(text: str) -> None:
    parts = split_message(text)
    assert all(len(part) <= 2000 for part in parts)
    if "```" not in text:
        assert re.sub(r"\s", "", "".join(parts)) == re.sub(r"\s", "", text)


def test_a_code_block_cut_in_two_is_closed_and_reopened() -> None:
    code = "\n".join(f"x_{i} = compute({i})  # step" for i in range(150))
    text = f"My code:\n```python\n{code}\n```\nWhy is it slow?"
    parts = split_message(text)
    assert len(parts) == 3
    assert all(part.count("```") % 2 == 0 for part in parts)
    assert parts[1].startswith("```python\n")
    assert parts[-1].endswith("Why is it slow?")


def test_a_single_4000_character_line_is_cut() -> None:
    parts = split_message("x" * 4000)
    assert [len(p) for p in parts] == [1956, 1956, 88]


@given(st.text(max_size=300))
def test_titles_stay_within_the_thread_name_limit(name: str) -> None:
    title = clean_title(name)
    assert len(title) <= 100 and "\n" not in title
    solved = solved_title(title or "x")
    assert len(solved) <= 100 and solved.startswith(SOLVED_PREFIX)
    assert solved_title(solved) == solved  # marking twice changes nothing


def test_bare_title_strips_the_prefix_once_or_more() -> None:
    assert bare_title("[Solved] [solved] Pandas merge") == "Pandas merge"
    assert bare_title("[Solved] ") == "[Solved]"


@given(HOSTILE)
def test_inert_text_has_no_live_markdown_or_mentions(text: str) -> None:
    shown = inert(text)
    assert "@everyone" not in shown and "@here" not in shown
    unescaped = re.sub(r"\\.", "", shown)  # drop every escaped character
    for live in ("*", "_", "`", "~", "|", "[", "]", "<", ">", "#"):
        assert live not in unescaped


@given(HOSTILE)
def test_snippets_bold_only_the_hits(text: str) -> None:
    shown = snippet_text(f"{text} {HIT_START}pandas{HIT_END} {text}")
    assert "**pandas**" in shown or len(text) > 60
    assert shown.count("**") % 2 == 0
    assert len(shown) <= 2 * 160 + 4  # 160 characters of text, each at most escaped once


@given(st.lists(st.tuples(HOSTILE | st.text(max_size=40), HOSTILE), min_size=1, max_size=8))
def test_each_result_line_holds_its_own_title_and_snippet_made_inert(texts: list[tuple[str, str]]) -> None:
    """The results' titles, tags and snippets are made inert together; each lands on its own line, as alone."""
    hits = [
        Hit(n, 5, title, n % 2 == 0, 90 + n, 7, 1_000, "sql\n@here", f"{snippet} {HIT_START}pandas{HIT_END}")
        for n, (title, snippet) in enumerate(texts)
    ]
    lines = hit_lines(hits, 1, 1_000 + 7200)
    assert len(lines) == len(hits)
    for hit, line in zip(hits, lines, strict=True):
        shown_title = inert(clip(hit.title, 90).replace("\x1f", " "))
        assert f"[{shown_title}](https://discord.com/channels/1/{hit.thread_id})" in line
        assert "@here" not in line and "@everyone" not in line
        assert line.count(f"/{hit.thread_id}/{hit.answer_message_id})") == (1 if hit.solved else 0)
        assert snippet_text(hit.snippet) in line and "2 h ago" in line


def test_tags_are_parsed_and_matched_case_insensitively() -> None:
    requested = parse_tags("#Python, sql,  ,python, Data Engineering, nope")
    assert requested == ["Python", "sql", "Data Engineering", "nope"]
    assert match_tags(requested, ["python", "SQL", "ml"]) == (["python", "SQL"], ["Data Engineering", "nope"])


@given(st.text(max_size=200))
def test_any_query_becomes_quoted_terms_or_nothing(query: str) -> None:
    expression = match_expression(query)
    if expression is None:
        return
    for term in re.findall(r'"([^"]*)"', expression):
        assert term and '"' not in term
