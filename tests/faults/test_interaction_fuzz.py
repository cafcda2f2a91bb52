"""Autocomplete, buttons, selects, modals and the message context menu, fed from hypothesis on a live bot.

Autocomplete: every option that autocompletes offers at most 25 choices, each named 1-100 characters with a
value of the option's type, whatever is typed. The walk: a start (a command, biased towards those that open
flows: /ask, /event create, /communities list, /onboarding start; or a newcomer joining, with DMs open or
closed), then up to three steps of what a member does next (submit the modal with hostile text, click a button
or pick in a select of what they see or of a public bot message, reply in a question thread and mark a message
as the answer); every step gets an answer, none crashes a handler, refusals stay ephemeral, nothing pings.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from loopback import InteractionRecord, LoopbackDiscord
from loopback.world import Message
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

# The walk is about what comes after /event create; the slash-command fuzz feeds its options anything.
WHEN = st.sampled_from(["in 3 hours", "tomorrow 18:00", "next friday 19:30", "2024-02-30 25:61", "in -5 hours"])
TITLE = st.sampled_from(["Data meetup", "@everyone **party** <@1> <#1>", "x" * 100, "😀" * 30, " "])
REMINDERS = st.sampled_from([{}, {"reminders": "1h,10m"}, {"reminders": "1d,1h,10m,0s,-1m"}, {"reminders": "x"}])
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
    values: tuple[int, ...]  # picks in a select menu


STEP = st.builds(Step, INDEX, INDEX, INDEX, INDEX, INDEX, text_values(1, 2000), st.tuples(*[MODAL_TEXT] * 5),
                 st.lists(INDEX, min_size=1, max_size=6).map(tuple))


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

JOIN = ("join", None, None, {})
Start = tuple[str, str | None, str | None, dict[str, Any]]


def _starters(live: LiveBot) -> st.SearchStrategy[tuple[Start, bool]]:
    """A start, and whether the organiser (the owner) makes it: flow openers with options that often pass, a
    newcomer joining, or any command with anything by anyone."""
    create = st.builds(
        lambda title, when, reminders: ("event", None, "create", {"title": title, "when": when} | reminders),
        TITLE, WHEN, REMINDERS,
    )  # fmt: skip
    flows = st.one_of(
        st.tuples(st.sampled_from([("ask", None, None, {}), ("communities", None, "list", {}),
                                   ("onboarding", None, "start", {}), JOIN]), st.booleans()),
        st.tuples(create, st.just(True)),
    )  # fmt: skip

    # /config is left to the slash-command fuzz: here a hostile `/config set channels.questions` would close
    # the flows under test for the rest of the run.
    paths = [p for p in live.paths if p[0] != "config"]

    @st.composite
    def anything(draw: st.DrawFn) -> tuple[Start, bool]:
        name, group, sub, specs = draw(st.sampled_from(paths))
        return (name, group, sub, draw_options(draw(st.data()), specs, live)), draw(st.booleans())

    return st.one_of(flows, flows, anything())


def _components(message: Message | None) -> list[dict[str, Any]]:
    """Buttons with a custom_id and string selects a member can use on a message."""
    found = list(buttons(message))
    for row in message.components if message is not None and not message.deleted else []:
        for c in row.get("components") or []:
            if int(c.get("type", 0)) == 3 and not c.get("disabled") and c.get("options"):
                found.append(c)
    return found


def _public_bot_messages(lb: LoopbackDiscord) -> list[Message]:
    """Recent public guild messages of the bot with components (announcements, question posts, greetings)."""
    found = [m for m in lb.world.messages.values() if m.author.id == lb.bot_user.id and m.guild_id
             and not m.ephemeral and not m.deleted and _components(m)]  # fmt: skip
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


def _select_values(select: dict[str, Any], picks: tuple[int, ...]) -> list[str]:
    """Between min_values and max_values distinct options, chosen by the step's numbers."""
    options = [o["value"] for o in select["options"]]
    low, high = int(select.get("min_values", 1)), min(int(select.get("max_values", 1)), len(options))
    count = low + picks[0] % (high - low + 1)
    chosen: list[str] = []
    for n in (*picks, *range(len(options))):
        value = options[n % len(options)]
        if value not in chosen:
            chosen.append(value)
        if len(chosen) == count:
            break
    return chosen


class Walk:
    """One member's path through the bot: what they see now, and what they can do next."""

    def __init__(self, live: LiveBot) -> None:
        self.live, self.lb = live, live.loopback
        self.actor = 0
        self.seen: list[Message] = []  # the messages the last step showed the actor
        self.ix: InteractionRecord | None = None

    async def settle(self, pending: Awaitable[InteractionRecord]) -> InteractionRecord:
        ix = await pending
        await ix.wait_response(timeout=10)
        await self.lb.wait_until(lambda: answered(ix), timeout=10)
        if ix.responses[0].get("type") == 6:  # acknowledged; the work (posting, editing) goes on: let it finish
            await _quiet(self.lb)
        return ix

    def answered_by(self, ix: InteractionRecord) -> None:
        self.ix = ix
        source = self.lb.world.messages.get(ix.source_message_id) if ix.source_message_id else None
        self.seen = [m for m in (ix.original, *ix.followups, source) if m is not None]

    async def join(self, closed: bool) -> None:
        """A newcomer joins and sees their welcome DM; with DMs closed, the bot's attempt is refused and their
        greeting comes in the welcome channel a second later (a public message later walks can use)."""
        lb = self.lb
        user = lb.add_user(f"walker{len(lb.world.users)}")
        lb.close_dms(user.id, closed)
        await lb.join_member(lb.guild.id, user)
        dm = lb.world.dm_channel(user.id).id

        def welcomed() -> list[Message] | bool:
            return lb.dm_messages(user.id) or any(c.status == 403 for c in lb.calls_to("POST", rf"^/channels/{dm}/"))

        self.actor, self.ix = user.id, None
        found = await lb.wait_until(welcomed, timeout=10)
        self.seen = found if isinstance(found, list) else []


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_buttons_selects_modals_and_the_context_menu_answer_whatever_is_done(
    live: LiveBot, data: st.DataObject
) -> None:
    lb = live.loopback
    guild = lb.guild
    members = [m for m in guild.members if m != lb.bot_user.id]
    (name, group, sub, options), organiser = data.draw(_starters(live), label="start")
    # The owner (organiser, moderator) reaches the flows members cannot.
    invoker = guild.owner_id if organiser else pick(members, data.draw(INDEX, label="invoker"))
    closed_dms = data.draw(INDEX, label="closed DMs") % 4 == 0
    steps = data.draw(st.lists(STEP, min_size=1, max_size=3), label="steps")
    walk = Walk(live)

    before = len(lb.calls)
    if (name, group, sub, options) == JOIN:
        live.run(walk.join(closed_dms))
        assert bodies_with_pings(lb.calls[before:]) == [] and not lb.handler_errors
        event(f"start: a newcomer joins, DMs {'closed' if closed_dms else 'open'}")
    else:
        ix = live.run(walk.settle(lb.invoke_slash(guild.id, guild.channel("general").id, invoker, name, options,
                                                  subcommand=sub, group=group)))  # fmt: skip
        _check(lb, ix, before, (name, sub, json.dumps(options)[:300]), shared=options.get("share") is True)
        walk.actor = invoker
        walk.answered_by(ix)
        shows = "modal" if ix.modal else "components" if _components(ix.original) else "text"
        event(f"start /{name} {sub or ''}: {shows}")
    for step in steps:
        before = len(lb.calls)
        if walk.ix is not None and walk.ix.modal is not None:
            values = modal_values(walk.ix.modal, step.typed)
            event(f"submit modal {walk.ix.modal.get('title')}")
            ix = live.run(walk.settle(lb.submit_modal(walk.ix, values=values)))
            _check(lb, ix, before, ("modal", json.dumps(values)[:300]))
            walk.answered_by(ix)
            continue
        own = [(m, c) for m in walk.seen for c in _components(m)]
        public = [(m, c) for m in _public_bot_messages(lb) for c in _components(m)]
        threads = _question_threads(lb)
        # What the member sees comes first: three chances in five when it has components.
        moves = [k for k, ok in (("own", own), ("own", own), ("own", own), ("public", public), ("answer", threads))
                 if ok]  # fmt: skip
        if not moves:
            break
        move = pick(moves, step.move)
        if move == "answer":
            event("reply and mark as answer")
            thread, author, marker = pick(threads, step.thread), pick(members, step.member), pick(members, step.other)
            ix = live.run(_reply_and_mark(lb, thread, author, step.reply, marker, walk.settle))
            _check(lb, ix, before, ("mark as answer", step.reply[:100]))
            walk.actor = marker
            walk.answered_by(ix)
            continue
        message, component = pick(own if move == "own" else public, step.button)
        actor = walk.actor if move == "own" else pick(members, step.member)
        custom_id = component["custom_id"]
        what = ":".join(custom_id.split(":")[:2]) if ":" in custom_id else component.get("label") or "select"
        if int(component["type"]) == 3:
            values = _select_values(component, step.values)
            event(f"select {what}")
            ix = live.run(walk.settle(lb.select(message.id, custom_id, actor, values)))
        else:
            event(f"click {what}")
            ix = live.run(walk.settle(lb.click_button(message.id, custom_id, actor)))
        _check(lb, ix, before, ("component", custom_id, component.get("label")))
        walk.actor = actor
        walk.answered_by(ix)


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
