"""Mentors on the loopback Discord: a decline moves to the next mentor; capacity holds under racing requests."""

from __future__ import annotations

import asyncio

from loopback import LoopbackDiscord
from tests.harness import BotHarness
from tests.onboarding.helpers import component_ids


async def slash(lb: LoopbackDiscord, user_id: int, name: str, sub: str, options: dict | None = None):
    ix = await lb.invoke_slash(lb.guild.id, lb.guild.channel("general").id, user_id, name, options or {}, sub)
    await ix.wait_response()
    return ix


def member(lb: LoopbackDiscord, name: str):
    user = lb.add_user(name)
    lb.add_member(lb.guild.id, user)
    return user


async def test_a_decline_moves_the_request_to_the_next_mentor_and_the_mentee_is_told(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    ana, ben, kim = member(loopback, "ana"), member(loopback, "ben"), member(loopback, "kim")
    bot = await harness.start()
    for mentor in (ana, ben):
        ix = await slash(loopback, mentor.id, "mentor", "join", {"topics": "MLOps, careers", "capacity": 1})
        assert "Thank you" in ix.content_text()

    ix = await slash(loopback, kim.id, "mentor", "request", {"topic": "mlops"})
    assert f"I asked <@{ana.id}>" in ix.content_text()
    [offer] = await _dms(loopback, ana.id, 1)
    assert f"<@{kim.id}> would like a mentor for **MLOps**" in offer.text()

    decline = await loopback.click_button(offer.id, _button(offer, "decline"), ana.id)
    await decline.wait_response()
    assert "Declined" in loopback.message(offer.id).text()
    [second] = await _dms(loopback, ben.id, 1)
    notes = await _dms(loopback, kim.id, 1)
    assert f"asked another one: <@{ben.id}>" in notes[-1].text()

    accept = await loopback.click_button(second.id, _button(second, "accept"), ben.id)
    await accept.wait_response()
    assert f"You're now mentoring <@{kim.id}>" in loopback.message(second.id).text()
    notes = await _dms(loopback, kim.id, 2)
    assert f"<@{ben.id}> accepted to be your mentor" in notes[-1].text()
    status = await bot.db.fetchrow("SELECT status, mentor_id FROM mentor_requests WHERE mentee_id = ?", (kim.id,))
    assert tuple(status) == ("matched", ben.id)

    # The answered offer lost its buttons, so a late click is impossible.
    assert not [c for c in component_ids(loopback.message(offer.id)) if c.startswith("mentor:")]


async def test_capacity_holds_when_requests_race(loopback: LoopbackDiscord, harness: BotHarness) -> None:
    mentor = member(loopback, "mo")
    mentees = [member(loopback, f"mentee{i}") for i in range(6)]
    bot = await harness.start()
    await slash(loopback, mentor.id, "mentor", "join", {"topics": "data engineering", "capacity": 1})

    answers = await asyncio.gather(*(
        slash(loopback, m.id, "mentor", "request", {"topic": "data-engineering"}) for m in mentees
    ))
    asked = [ix for ix in answers if f"I asked <@{mentor.id}>" in ix.content_text()]
    waiting = [ix for ix in answers if "No mentor has a free place" in ix.content_text()]
    assert (len(asked), len(waiting)) == (1, 5)
    [offer] = await _dms(loopback, mentor.id, 1)
    open_offers = await bot.db.fetchval("SELECT COUNT(*) FROM mentor_offers WHERE status = 'open'")
    assert open_offers == 1

    accept = await loopback.click_button(offer.id, _button(offer, "accept"), mentor.id)
    await accept.wait_response()
    matched = await bot.db.fetchval(
        "SELECT COUNT(*) FROM mentor_requests WHERE mentor_id = ? AND status = 'matched'", (mentor.id,)
    )
    assert matched == 1
    await asyncio.sleep(0.2)
    assert len(loopback.dm_messages(mentor.id)) == 1  # no second offer: the only place is taken


def _button(message, answer: str) -> str:
    [custom_id] = [c for c in component_ids(message) if c.startswith("mentor:") and c.endswith(f":{answer}")]
    return custom_id


async def _dms(lb: LoopbackDiscord, user_id: int, count: int):
    await lb.wait_until(lambda: len(lb.dm_messages(user_id)) >= count, timeout=5)
    return lb.dm_messages(user_id)
