"""The directory file: the shipped one is complete and valid; a broken one names file, entry and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.settings import ConfigError
from cogs.communities.directory_file import load_directory, parse_directory
from cogs.communities.models import EntryError, build_entry
from tests.communities.helpers import entry_data

SHIPPED = Path(__file__).parents[2] / "data" / "communities.yaml"

ARTICLE_COMMUNITIES = [
    "DataTalksClub",
    "MLOps Community",
    "MLOps Community Lagos",
    "MLOps Community Toronto",
    "Data Community Africa",
    "Kaggle",
    "Cohere For AI",
    "DataTech Space",
    "Young Data Professionals",
    "dbt Community",
    "Hugging Face",
    "Masakhane",
    "Zindi",
    "MLSpace",
    "Iterative Community",
    "All About Data",
    "DagsHub Community",
    "Women in Data Africa",
]


def test_shipped_directory_has_every_community_the_article_names() -> None:
    entries = load_directory(SHIPPED)
    assert sorted(e.name for e in entries) == sorted(ARTICLE_COMMUNITIES)
    by_key = {e.key: e for e in entries}
    assert by_key["mlops-community-lagos"].parent == "mlops-community"
    assert by_key["mlops-community-toronto"].parent == "mlops-community"
    assert "DataFest Africa" in by_key["data-community-africa"].aliases
    assert [r.name for r in by_key["datatalksclub"].resources][:1] == ["Data Engineering Zoomcamp"]
    assert by_key["cohere-for-ai"].join.access == "application"


def test_shipped_entries_have_every_documented_field() -> None:
    for entry in load_directory(SHIPPED):
        assert entry.join.url and entry.website and entry.description
        assert entry.topics and entry.roles and entry.regions and entry.languages and entry.levels
        assert entry.cost in {"free", "freemium", "paid"}
        assert entry.last_checked.year >= 2026


def _write(tmp_path: Path, entries: list[dict]) -> Path:
    path = tmp_path / "communities.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "communities": entries}, sort_keys=False))
    return path


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            {"join": {"platform": "slak", "url": "https://x.org"}},
            "communities[dbt].join.platform: 'slak' is not a known platform; did you mean slack? must be one of slack,"
            " discord, telegram, meetup, forum, website",
        ),
        ({"join": {"platform": "slack"}}, "communities[dbt].join: needs a url"),
        ({"topics": ["mlops", "astrology"]}, "communities[dbt].topics[1]: 'astrology' is not a known topic"),
        ({"roles": []}, "communities[dbt].roles: must list at least one"),
        ({"website": "getdbt.com"}, "communities[dbt].website: 'getdbt.com' is not a web address"),
        ({"description": "x" * 401}, "communities[dbt].description: must be at most 400 characters (it has 401)"),
        ({"last_checked": "yesterday"}, "communities[dbt].last_checked: Input should be a valid date"),
        ({"colour": "blue"}, "communities[dbt].colour: unknown field"),
        ({"parent": "nowhere"}, "communities[dbt].parent: no entry has the key 'nowhere'"),
        ({"languages": ["English"]}, "communities[dbt].languages[0]: must be an ISO 639 language code"),
        ({"regions": ["mars"]}, "communities[dbt].regions[0]: 'mars' is not a known region"),
    ],
)
def test_a_bad_entry_is_reported_by_file_key_and_field(tmp_path: Path, override: dict, expected: str) -> None:
    path = _write(tmp_path, [entry_data("kaggle"), entry_data("dbt", **override)])
    with pytest.raises(ConfigError) as caught:
        load_directory(path)
    assert str(caught.value).startswith(f"{path}: {expected}")
    assert len(str(caught.value).splitlines()) == 1
    assert "kaggle" not in str(caught.value)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            entry_data("one", topics=["nope"]),
            entry_data("two"),
            entry_data("two", name="Another"),
            {"key": "Bad Key!", "name": "x"},
            "not a mapping",
            entry_data("three", name="Two"),
        ],
    )
    with pytest.raises(ConfigError) as caught:
        load_directory(path)
    lines = str(caught.value).splitlines()
    assert any("communities[one].topics[0]" in line for line in lines)
    assert any("communities[two].key: 'two' is used twice" in line for line in lines)
    assert any(line.startswith(f"{path}: communities[3].key: must be 1-40 lower-case") for line in lines)
    assert any("communities[3].website: is required" in line for line in lines)
    assert any("communities[4]: must be a mapping" in line for line in lines)
    assert any("communities[three].name: 'Two' is also the name of 'two'" in line for line in lines)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("communities: [\n", "line 2, column 1: not valid YAML"),
        ("- a\n", "(top level): must be a mapping"),
        ("version: 1\n", "communities: must be a non-empty list"),
        ("version: 2\ncommunities: []\n", "version: this bot reads version 1"),
        ("comunities: []\n", "comunities: unknown top-level key"),
    ],
)
def test_broken_file_structure_is_named(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "communities.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_directory(path)
    assert f"{path}: " in str(caught.value) and expected in str(caught.value)


def test_missing_file_says_which_setting_points_at_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_directory(tmp_path / "gone.yaml")
    assert "gone.yaml: file not found (set communities.directory_file" in str(caught.value)


def test_labels_and_aliases_are_stored_as_keys() -> None:
    entry = build_entry(
        entry_data(
            "x",
            topics=["ML", "dbt", "Data engineering"],
            roles=["Data engineer"],
            regions=["Nigeria"],
            join={"platform": "Discord", "url": "https://d.gg/x"},
        )
    )
    assert entry.topics == ("machine-learning", "analytics-engineering", "data-engineering")
    assert entry.roles == ("data-engineer",)
    assert entry.regions == ("africa",)
    assert entry.join.platform == "discord"


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "key",
                "name",
                "website",
                "join",
                "description",
                "topics",
                "roles",
                "regions",
                "levels",
                "cost",
                "last_checked",
                "extra",
            ]
        ),
        st.one_of(st.none(), st.integers(), st.text(max_size=30), st.lists(st.text(max_size=10), max_size=3)),
        max_size=12,
    )
)
def test_any_mapping_is_an_entry_or_an_entry_error(raw: dict) -> None:
    try:
        build_entry(raw)
    except EntryError as error:
        assert error.problems
        assert all(field and problem for field, problem in error.problems)


@given(st.lists(st.sampled_from(["a", "b", "c"]), max_size=4))
def test_parse_directory_never_raises_anything_but_config_error(keys: list[str]) -> None:
    try:
        parse_directory({"communities": [entry_data(k) for k in keys]}, "f.yaml")
    except ConfigError as error:
        assert str(error).startswith("f.yaml: ")
