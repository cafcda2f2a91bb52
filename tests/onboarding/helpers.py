"""Small helpers for onboarding scenarios on the loopback: join, read the DM, answer its questions."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from loopback import LoopbackDiscord
from loopback.interactions import InteractionRecord
from loopback.world import Message, User


def component_ids(message: Message) -> list[str]:
    out: list[str] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for c in items:
            if c.get("custom_id"):
                out.append(c["custom_id"])
            walk(c.get("components") or [])

    walk(message.components)
    return out


def component(message: Message, prefix: str) -> str:
    """The custom_id on the message that starts with `prefix` (exactly one)."""
    found = [c for c in component_ids(message) if c.startswith(prefix)]
    assert len(found) == 1, (prefix, component_ids(message))
    return found[0]


async def join(lb: LoopbackDiscord, name: str) -> User:
    user = lb.add_user(name)
    await lb.join_member(lb.guild.id, user)
    return user


async def wait_dms(lb: LoopbackDiscord, user_id: int, count: int = 1, within: float = 5) -> list[Message]:
    await lb.wait_until(lambda: len(lb.dm_messages(user_id)) >= count, timeout=within)
    return lb.dm_messages(user_id)


async def pick(lb: LoopbackDiscord, message_id: int, user_id: int, step: str, values: list[str]) -> InteractionRecord:
    """Pick values in the question `step` of a message (the same message is edited from step to step)."""
    message = lb.message(message_id)
    custom_id = component(message, f"onb:{lb.guild.id}:{step}:")
    ix = await lb.select(message_id, custom_id, user_id, values)
    await ix.wait_response()
    return ix


async def press(lb: LoopbackDiscord, message_id: int, user_id: int, step: str, action: str) -> InteractionRecord:
    message = lb.message(message_id)
    custom_id = component(message, f"onbb:{lb.guild.id}:{step}:{action}:")
    ix = await lb.click_button(message_id, custom_id, user_id)
    await ix.wait_response()
    return ix


def steps_shown(message: Message) -> set[str]:
    return {c.split(":")[2] for c in component_ids(message) if c.startswith(("onb:", "onbb:"))}


def assert_welcomed_once(
    lb: LoopbackDiscord, states: dict[int, str], everyone: set[int], closed: set[int], welcome_channel: int
) -> int:
    """After a join wave: one welcome DM from the bot to each member with open DMs, and one mention in the welcome
    channel's greetings for each member whose DMs were closed (and no DM to them). Returns the greeting posts."""
    assert {u for u, state in states.items() if state == "dm_closed"} == closed
    for user_id in everyone - closed:
        dms = lb.dm_messages(user_id)
        assert len(dms) == 1 and dms[0].author.id == lb.bot_user.id, (user_id, [m.text()[:80] for m in dms])
    greetings = [m for m in lb.channel_messages(welcome_channel) if m.author.id == lb.bot_user.id]
    mentioned = Counter(int(u) for m in greetings for u in re.findall(r"<@!?(\d+)>", m.content))
    assert mentioned == Counter(closed), mentioned
    assert all(not lb.dm_messages(u) for u in closed)
    return len(greetings)
