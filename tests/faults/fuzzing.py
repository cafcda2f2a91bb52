"""What members can type and click, as hypothesis strategies, and the checks every answer must pass.

Shared by the slash-command, autocomplete, component and modal fuzz tests; all of them drive one live bot
(tests/faults/live_bot.py) through the loopback, so they find whatever command, button or modal a feature adds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import strategies as st

from loopback import InteractionRecord, RecordedCall
from loopback.world import Message
from tests.faults.live_bot import LiveBot

EPHEMERAL = 64
LOADING = 128

HOSTILE = st.sampled_from([
    "", " ", "@everyone", "@here", "<@1>", "<@&1>", "<#1>", "**bold** __u__ ~~s~~ `code` ||spoiler||",
    "```\nDROP TABLE questions;\n```", "'; DROP TABLE x; --", "x" * 4000, "😀" * 50, "\u202e\u200b\u0000",
    "next thursday 18:00", "2024-02-30 25:61", "yesterday", "in -5 hours", "Europe/Atlantis", "1d,1h,10m,0s,-1m",
    "%s %d {0} {name}", "../../etc/passwd", "https://example.com/" + "a" * 300, "null", "NaN", "9" * 40,
])


def text_values(low: int = 0, high: int = 6000) -> st.SearchStrategy[str]:
    """Text a member can type into a field that takes `low`..`high` characters (Discord enforces the bounds)."""
    raw = st.one_of(HOSTILE, st.text(max_size=min(high, 300)),
                    st.text(min_size=high, max_size=high) if high <= 6000 else st.just("y" * 6000))  # fmt: skip
    return raw.map(lambda s: s[:high]).filter(lambda s: len(s) >= low)


def string_values(spec: dict[str, Any]) -> st.SearchStrategy[str]:
    """What a user can type into a string option (Discord enforces min/max length and choices)."""
    if spec.get("choices"):
        return st.sampled_from([c["value"] for c in spec["choices"]])
    return text_values(int(spec.get("min_length") or 0), int(spec.get("max_length") or 6000))


def number_values(spec: dict[str, Any], integers: bool) -> st.SearchStrategy[Any]:
    if spec.get("choices"):
        return st.sampled_from([c["value"] for c in spec["choices"]])
    low = spec.get("min_value", -(2**53) if integers else -1e12)
    high = spec.get("max_value", 2**53 if integers else 1e12)
    return st.integers(int(low), int(high)) if integers else st.floats(low, high, allow_nan=False)


def option_strategy(spec: dict[str, Any], live: LiveBot) -> st.SearchStrategy[Any]:
    guild = live.loopback.guild
    kind = int(spec["type"])
    if kind == 3:
        return string_values(spec)
    if kind in (4, 10):
        return number_values(spec, kind == 4)
    if kind == 5:
        return st.booleans()
    if kind == 6:
        return st.sampled_from([m for m in guild.members])
    if kind == 7:
        return st.sampled_from([c.id for c in guild.channels.values() if not c.is_thread])
    if kind == 8:
        return st.sampled_from(list(guild.roles))
    if kind == 9:
        return st.sampled_from([*guild.members, *guild.roles])
    raise pytest.skip.Exception(f"option type {kind} not fuzzed")


def command_paths(commands: list[dict[str, Any]]) -> Iterator[tuple[str, str | None, str | None, list[dict]]]:
    """(name, group, subcommand, leaf options) for every runnable slash command."""
    for command in commands:
        if int(command.get("type", 1)) != 1:
            continue
        options = command.get("options") or []
        subs = [o for o in options if int(o["type"]) in (1, 2)]
        if not subs:
            yield command["name"], None, None, options
        for sub in subs:
            if int(sub["type"]) == 1:
                yield command["name"], None, sub["name"], sub.get("options") or []
            else:
                for leaf in sub.get("options") or []:
                    yield command["name"], sub["name"], leaf["name"], leaf.get("options") or []


def draw_options(data: st.DataObject, specs: list[dict[str, Any]], live: LiveBot) -> dict[str, Any]:
    """Required options always, optional ones sometimes."""
    options = {}
    for spec in specs:
        if spec.get("required") or data.draw(st.booleans()):
            options[spec["name"]] = data.draw(option_strategy(spec, live), label=spec["name"])
    return options


def text_inputs(modal: dict[str, Any]) -> list[dict[str, Any]]:
    """The text inputs of a modal (in action rows or labels)."""
    found = []
    for top in modal.get("components") or []:
        for c in top.get("components") or [top.get("component") or top]:
            if int(c.get("type", 0)) == 4:
                found.append(c)
    return found


def buttons(message: Message | None) -> list[dict[str, Any]]:
    """Enabled buttons with a custom_id (link buttons have none) on a message."""
    if message is None or message.deleted:
        return []
    found = []
    for row in message.components:
        for c in row.get("components") or []:
            if int(c.get("type", 0)) == 2 and c.get("custom_id") and not c.get("disabled"):
                found.append(c)
    return found


def public_answers(ix: InteractionRecord) -> list[Message]:
    """Messages an interaction's answer made that everyone in the channel sees.

    On Discord the first follow-up after a deferred reply (type 5) replaces the "thinking" message and keeps the
    deferral's visibility, whatever flags the follow-up carries; later follow-ups and those after a type-6
    deferral are on their own."""
    public = []
    first = ix.responses[0] if ix.responses else {}
    kind = first.get("type")
    deferred_flags = int((first.get("data") or {}).get("flags") or 0)
    if kind in (4, 5) and not deferred_flags & EPHEMERAL and ix.original is not None:
        public.append(ix.original)
    for n, message in enumerate(ix.followups):
        flags = deferred_flags if kind == 5 and n == 0 else message.flags
        if not flags & EPHEMERAL:
            public.append(message)
    return public


def answered(ix: InteractionRecord) -> bool:
    """The member sees something: a reply, an update of the message, a modal, or a deferral's result."""
    if not ix.responses:
        return False
    kind = ix.responses[0].get("type")
    if kind == 5:
        return bool(ix.followups) or (ix.original is not None and not ix.original.flags & LOADING)
    if kind == 6:
        return True  # an acknowledged click: the bot may edit the message or say nothing
    return True


def bodies_with_pings(calls: list[RecordedCall]) -> list[dict[str, Any]]:
    """Message bodies the bot sent that would let @everyone, @here or arbitrary mentions ping."""
    bad = []
    for call in calls:
        body = call.json if isinstance(call.json, dict) else {}
        data = body.get("data", body) if isinstance(body.get("data"), dict) else body
        allowed = data.get("allowed_mentions")
        if "content" in data and (allowed is None or "everyone" in (allowed.get("parse") or [])):
            bad.append(data)
    return bad
