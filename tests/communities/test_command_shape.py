"""The /communities command as Discord receives it, and the docs that describe it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cogs.communities.vocabulary import ACCESS, COSTS, LEVELS, PLATFORMS, REGIONS, ROLES, TOPICS
from loopback import LoopbackDiscord

DOCS = Path(__file__).parents[2] / "docs" / "communities.md"


def combined_length(option: dict[str, Any]) -> int:
    """Discord's rule: names, descriptions and choice names/values of a command and all its options <= 4,000."""
    total = len(option.get("name", "")) + len(option.get("description", ""))
    total += sum(len(c["name"]) + len(str(c["value"])) for c in option.get("choices") or [])
    return total + sum(combined_length(o) for o in option.get("options") or [])


async def test_the_command_fits_discords_limits(loopback: LoopbackDiscord, bot) -> None:
    [command] = [c for c in loopback.commands_registered(loopback.guild.id) if c["name"] == "communities"]
    assert combined_length(command) <= 4000
    verbs = {o["name"]: o for o in command["options"]}
    assert list(verbs) == ["recommend", "list", "info", "suggest", "add", "remove"]
    assert command.get("contexts") == [0] or command.get("dm_permission") is False
    for verb in verbs.values():
        assert len(verb["options"]) <= 25
        assert all(1 <= len(o["description"]) <= 100 for o in verb["options"])
    autocompleted = {(v, o["name"]) for v, spec in verbs.items() for o in spec["options"] if o.get("autocomplete")}
    assert {
        ("recommend", "role"),
        ("recommend", "interests"),
        ("recommend", "region"),
        ("recommend", "level"),
        ("list", "topic"),
        ("list", "region"),
        ("info", "name"),
        ("remove", "name"),
    } <= autocompleted


def test_docs_list_every_vocabulary_key() -> None:
    text = DOCS.read_text()
    for vocabulary in (ROLES, LEVELS, TOPICS, REGIONS, PLATFORMS, ACCESS, COSTS):
        missing = [key for key in vocabulary.keys if f"`{key}`" not in text]
        assert not missing, f"docs/communities.md lacks {vocabulary.name} keys {missing}"
