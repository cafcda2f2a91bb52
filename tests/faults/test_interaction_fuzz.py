"""Autocomplete, buttons, modals and the message context menu, fed from hypothesis on a live bot.

Autocomplete: every option that autocompletes offers at most 25 choices, each named 1-100 characters with a
value of the option's type, whatever is typed. The walk: a command (biased towards those that open flows:
/ask, /event create, /communities list), then up to three steps of what a member does next (submit the modal
with hostile text, click a button of the answer or of a public bot message, reply in a question thread and
mark a message as the answer); every step gets an answer, none crashes a handler, refusals stay ephemeral.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.faults.fuzzing import (
    HOSTILE,
    answered,
    bodies_with_pings,
    buttons,
    draw_options,
    public_answers,
    text_inputs,
    text_values,
)
from tests.faults.live_bot import LiveBot
from tests.loopback import InteractionRecord, LoopbackDiscord
from tests.loopback.world import Message

USABLE_WHEN = st.sampled_from(["in 3 hours", "tomorrow 18:00", "next friday 19:30"])
WHEN = st.one_of(USABLE_WHEN, USABLE_WHEN, text_values(1, 100))
T = TypeVar("T")
INDEX = st.integers(0, 2**16)
MODAL_TEXT = st.one_of(HOSTILE, st.text(max_size=300))


@dataclass(frozen=True)
class Step:
    """What a member does next, drawn before anything happens: what the live world offers (buttons, threads)
    changes from run to run, and draws that followed it would make hypothesis's record of the run inconsistent.
    Numbers pick among what is there when the step runs."""

    move: int
    button: int
    member: int
    other: int
    thread: int
    reply: str
    typed: tuple[str, ...]


STEP = st.builds(Step, INDEX, INDEX, INDEX, INDEX, INDEX, text_values(1, 2000), st.tuples(*[MODAL_TEXT] * 5))


def pick(items: list[T], number: int) -> T:
    return items[number % len(items)]


def modal_values(modal: dict[str, Any], typed: tuple[str, ...]) -> dict[str, str]:
    """The step's text fitted to each input's bounds, as Discord's client enforces them."""
    values = {}
    for field, text in zip(text_inputs(modal), typed, strict=False):
        low, high = int(field.get("min_length") or 0), int(field.get("max_length") or 4000)
        if field.get("required", True):
            low = max(low, 1)
        elif not text:
            continue
        values[field["custom_id"]] = (text + "x" * low)[:high] if len(text) < low else text[:high]
    return values


def autocomplete_paths(live: LiveBot) -> list[tuple[str, str | None, str | None, list[dict], dict]]:
    return [(name, group, sub, specs, spec) for name, group, sub, specs in live.paths
            for spec in specs if spec.get("autocomplete")]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_autocomplete_offers_at_most_25_valid_choices(live: LiveBot, data: st.DataObject) -> None:
    lb = live.loopback
    guild = lb.guild
    paths = autocomplete_paths(live)
    assert len(paths) >= 10  # the features' autocompletes are all found
    name, group, sub, specs, focused = data.draw(st.sampled_from(paths), label="option")
    others = [s for s in specs if s is not focused and not s.get("autocomplete")]
    options = draw_options(data, [{**s, "required": False} for s in others], live)
    options[focused["name"]] = data.draw(text_values(0, int(focused.get("max_length") or 100)), label="typed")
    invoker = data.draw(st.sampled_from([m for m in guild.members if m != lb.bot_user.id]), label="invoker")
    event(f"/{' '.join(p for p in (name, group, sub) if p)} {focused['name']}")

    async def complete() -> InteractionRecord:
        ix = await lb.autocomplete(guild.id, guild.channel("general").id, invoker, name, options, focused["name"],
                                   subcommand=sub, group=group)  # fmt: skip
        await ix.wait_response(timeout=10)
        return ix

    ix = live.run(complete())
    choices = ix.choices
    assert choices is not None and len(choices) <= 25, (name, sub, focused["name"], choices)
    kind = {3: str, 4: int, 10: (int, float)}[int(focused["type"])]
    for choice in choices:
        assert 1 <= len(choice["name"]) <= 100 and isinstance(choice["value"], kind), choice
        assert not isinstance(choice["value"], str) or len(choice["value"]) <= 100, choice
    assert not lb.handler_errors, lb.handler_errors


# ---------------------------------------------------------------- the walk


def _starters(live: LiveBot) -> st.SearchStrategy[tuple[str, str | None, str | None, dict[str, Any]]]:
    """A command and its options: flow openers with options that often pass, or any command with anything."""
    flows = st.one_of(
        st.just(("ask", None, None, {})),
        st.just(("communities", None, "list", {})),
        st.builds(lambda title, when, reminders: ("event", None, "create",
                                                  {"title": title, "when": when} | reminders),
                  text_values(1, 100), WHEN,
                  st.one_of(st.just({}), st.builds(lambda r: {"reminders": r}, text_values(1, 100)))),
    )  # fmt: skip

    # /config is left to the slash-command fuzz: here a hostile `/config set channels.questions` would close
    # the flows under test for the rest of the run.
    paths = [p for p in live.paths if p[0] != "config"]

    @st.composite
    def anything(draw: st.DrawFn) -> tuple[str, str | None, str | None, dict[str, Any]]:
        name, group, sub, specs = draw(st.sampled_from(paths))
        return name, group, sub, draw_options(draw(st.data()), specs, live)

    return st.one_of(flows, flows, anything())


def _public_bot_messages(lb: LoopbackDiscord) -> list[Message]:
    """Recent public messages of the bot with buttons (announcements, question posts)."""
    found = [m for m in lb.world.messages.values()
             if m.author.id == lb.bot_user.id and not m.ephemeral and not m.deleted and buttons(m)]  # fmt: skip
    return found[-20:]


def _question_threads(lb: LoopbackDiscord) -> list[int]:
    forum = lb.guild.channel("questions").id
    return [t.id for t in lb.guild.threads if t.parent_id == forum and not t.locked and not t.archived]


def _check(lb: LoopbackDiscord, ix: InteractionRecord, before: int, where: Any, shared: bool = False) -> None:
    text = ix.content_text()
    assert answered(ix), where
    assert "Something went wrong" not in text, (where, text[:500])
    assert not lb.handler_errors, lb.handler_errors
    assert bodies_with_pings(lb.calls[before:]) == [], where
    public = public_answers(ix)
    assert public == [] or (shared and all(m.embeds for m in public)), (where, [m.text()[:200] for m in public])


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_buttons_modals_and_the_context_menu_answer_whatever_is_done(live: LiveBot, data: st.DataObject) -> None:
    lb = live.loopback
    guild = lb.guild
    members = [m for m in guild.members if m != lb.bot_user.id]
    name, group, sub, options = data.draw(_starters(live), label="command")
    # The owner half the time: organisers and moderators reach the flows members cannot.
    invoker = pick([guild.owner_id] * len(members) + members, data.draw(INDEX, label="invoker"))
    steps = data.draw(st.lists(STEP, min_size=1, max_size=3), label="steps")
    general = guild.channel("general").id

    async def settle(pending: Awaitable[InteractionRecord]) -> InteractionRecord:
        ix = await pending
        await ix.wait_response(timeout=10)
        await lb.wait_until(lambda: answered(ix), timeout=10)
        if ix.responses[0].get("type") == 6:  # acknowledged; the work (posting, editing) goes on: let it finish
            await _quiet(lb)
        return ix

    before = len(lb.calls)
    ix = live.run(settle(lb.invoke_slash(guild.id, general, invoker, name, options, subcommand=sub, group=group)))
    _check(lb, ix, before, (name, sub, json.dumps(options)[:300]), shared=options.get("share") is True)
    event(f"start /{name} {sub or ''}: {'modal' if ix.modal else 'buttons' if buttons(ix.original) else 'text'}")
    for step in steps:
        before = len(lb.calls)
        if ix.modal is not None:
            values = modal_values(ix.modal, step.typed)
            event("submit a modal")
            ix = live.run(settle(lb.submit_modal(ix, values=values)))
            _check(lb, ix, before, ("modal", json.dumps(values)[:300]))
            continue
        own = [(m, b) for m in [ix.original, *ix.followups] for b in buttons(m)]
        public = [(m, b) for m in _public_bot_messages(lb) for b in buttons(m)]
        threads = _question_threads(lb)
        # What the answer offers comes first: three chances in five when it has buttons.
        moves = [k for k, ok in (("own", own), ("own", own), ("own", own), ("public", public), ("answer", threads))
                 if ok]  # fmt: skip
        if not moves:
            break
        move = pick(moves, step.move)
        if move == "answer":
            event("reply and mark as answer")
            thread, author, marker = pick(threads, step.thread), pick(members, step.member), pick(members, step.other)
            ix = live.run(_reply_and_mark(lb, thread, author, step.reply, marker, settle))
            _check(lb, ix, before, ("mark as answer", step.reply[:100]))
            continue
        message, button = pick(own if move == "own" else public, step.button)
        clicker = invoker if move == "own" else pick(members, step.member)
        custom_id = button["custom_id"]
        event(f"click {':'.join(custom_id.split(':')[:2]) if ':' in custom_id else button.get('label')}")
        ix = live.run(settle(lb.click_button(message.id, button["custom_id"], clicker)))
        _check(lb, ix, before, ("click", button["custom_id"], button.get("label")))


async def _quiet(lb: LoopbackDiscord, quiet_for: float = 0.05) -> None:
    """Wait until the bot has made no REST call for `quiet_for` seconds (at most 5 s)."""
    seen, since = len(lb.calls), time.monotonic()

    def settled() -> bool:
        nonlocal seen, since
        if len(lb.calls) != seen:
            seen, since = len(lb.calls), time.monotonic()
        return time.monotonic() - since >= quiet_for

    await lb.wait_until(settled, timeout=5)


async def _reply_and_mark(
    lb: LoopbackDiscord, thread: int, author: int, reply: str, marker: int,
    settle: Callable[[Awaitable[InteractionRecord]], Awaitable[InteractionRecord]],
) -> InteractionRecord:
    """A member replies in a question thread; someone picks "Mark as answer" on the reply."""
    message = await lb.send_message(thread, author, reply)
    return await settle(lb.invoke_message_command(lb.guild.id, thread, marker, "Mark as answer", message.id))
