"""Every slash command, fed options from hypothesis (empty, huge, unicode, mentions, markdown, bad dates,
unknown names), gets an answer and never an unhandled error; users' text never pings anyone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.faults.live_bot import LiveBot

HOSTILE = st.sampled_from([
    "", " ", "@everyone", "@here", "<@1>", "<@&1>", "<#1>", "**bold** __u__ ~~s~~ `code` ||spoiler||",
    "```\nDROP TABLE questions;\n```", "'; DROP TABLE x; --", "x" * 4000, "😀" * 50, "\u202e\u200b\u0000",
    "next thursday 18:00", "2024-02-30 25:61", "yesterday", "in -5 hours", "Europe/Atlantis", "1d,1h,10m,0s,-1m",
    "%s %d {0} {name}", "../../etc/passwd", "https://example.com/" + "a" * 300, "null", "NaN", "9" * 40,
])


def string_values(spec: dict[str, Any]) -> st.SearchStrategy[str]:
    """What a user can type into a string option (Discord enforces min/max length and choices)."""
    if spec.get("choices"):
        return st.sampled_from([c["value"] for c in spec["choices"]])
    low, high = int(spec.get("min_length") or 0), int(spec.get("max_length") or 6000)
    raw = st.one_of(HOSTILE, st.text(max_size=min(high, 300)), st.text(min_size=high, max_size=high) if high <= 6000
                    else st.just("y" * 6000))
    return raw.map(lambda s: s[:high]).filter(lambda s: len(s) >= low)


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


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBot]:
    bot = LiveBot(Path(tmp_path_factory.mktemp("fuzz")) / "community.db")
    bot.start()
    guild = bot.loopback.guild
    for name in ("alice", "bob"):  # members to pick as option values and as invokers
        bot.loopback.add_member(guild.id, bot.loopback.add_user(name))
    bot.loopback.interaction_deadline = None  # under hypothesis load the machine may be slow; answers still count
    bot.paths = list(command_paths(bot.loopback.commands_registered(guild.id)))
    yield bot
    bot.stop()


def _bodies_with_pings(calls: list[Any]) -> list[dict[str, Any]]:
    """Message bodies the bot sent that would let @everyone, @here or arbitrary mentions ping."""
    bad = []
    for call in calls:
        body = call.json if isinstance(call.json, dict) else {}
        data = body.get("data", body) if isinstance(body.get("data"), dict) else body
        allowed = data.get("allowed_mentions")
        if "content" in data and (allowed is None or "everyone" in (allowed.get("parse") or [])):
            bad.append(data)
    return bad


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_command_answers_whatever_is_typed(live: LiveBot, data: st.DataObject) -> None:
    lb = live.loopback
    guild = lb.guild
    name, group, sub, specs = data.draw(st.sampled_from(live.paths), label="command")
    options = {}
    for spec in specs:
        if spec.get("required") or data.draw(st.booleans()):
            options[spec["name"]] = data.draw(option_strategy(spec, live), label=spec["name"])
    invoker = data.draw(st.sampled_from([guild.owner_id, *[m for m in guild.members if m != guild.owner_id]]))
    channel = guild.channel("general")
    before = len(lb.calls)

    async def invoke() -> Any:
        ix = await lb.invoke_slash(guild.id, channel.id, invoker, name, options, subcommand=sub, group=group)
        first = await ix.wait_response(timeout=10)
        if first.get("type") == 5:  # deferred: the real answer follows
            await lb.wait_until(lambda: ix.followups or (ix.original and not ix.original.flags & 128), timeout=10)
        return ix

    ix = live.run(invoke())
    text = ix.content_text()
    assert "Something went wrong" not in text, (name, sub, json.dumps(options)[:500], text)
    assert not lb.handler_errors, lb.handler_errors
    assert _bodies_with_pings(lb.calls[before:]) == []
