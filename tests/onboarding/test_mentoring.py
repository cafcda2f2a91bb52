"""Mentor matching on a real SQLite file: fit, order, capacity (also across connections), answers, time-outs."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.clock import ManualClock
from bot.database import Database, DatabaseTarget, open_database
from cogs.onboarding.mentors.models import AnswerOutcome, MentorStatus, RequestOutcome
from cogs.onboarding.mentors.store import MentorStore
from cogs.onboarding.models import Step
from cogs.onboarding.store import OnboardingStore

G = 1
H48 = timedelta(hours=48)


async def test_a_request_goes_to_the_fitting_mentor_never_the_mentee(db: Database, clock: ManualClock) -> None:
    service = MentorStore(db)
    await service.join(G, 10, ["mlops"], 2, None, clock.now())
    await service.join(G, 11, ["careers"], 2, None, clock.now())
    # A mentor asking for a mentor in their own topic is never offered to themselves.
    own = await service.request(G, 10, ["mlops"], None, "command", clock.now(), H48)
    assert own.outcome is RequestOutcome.WAITING
    result = await service.request(G, 20, ["careers", "learning"], None, "command", clock.now(), H48)
    assert result.outcome is RequestOutcome.OFFERED and result.offer.mentor_id == 11
    assert result.offer.due_at == clock.now() + H48
    again = await service.request(G, 20, ["mlops"], None, "command", clock.now(), H48)
    assert (again.outcome, again.mentor_id) == (RequestOutcome.ALREADY_OPEN, 11)


async def test_same_role_first_then_least_loaded(db: Database, clock: ManualClock) -> None:
    service, store = MentorStore(db), OnboardingStore(db)
    for mentor, role in ((10, "data-analyst"), (11, "data-engineer"), (12, "data-engineer")):
        await store.save_answer(G, mentor, {"role": role}, Step.LEVEL, clock.now(), timedelta(days=3))
        await service.join(G, mentor, ["data-engineering"], 3, None, clock.now())
        clock.advance(timedelta(minutes=1))
    picks = []
    for mentee in range(20, 24):
        result = await service.request(G, mentee, ["data-engineering"], "data-engineer", "command", clock.now(), H48)
        picks.append(result.offer.mentor_id)
    # The data engineers first (the mentee's role), taking turns by load; the analyst serves analysts first.
    assert picks == [11, 12, 11, 12]
    analyst_first = await service.request(G, 30, ["data-engineering"], "data-analyst", "command", clock.now(), H48)
    assert analyst_first.offer.mentor_id == 10


async def test_capacity_holds_for_racing_requests_from_two_connections(
    migrated_target: DatabaseTarget, db: Database, clock: ManualClock
) -> None:
    await MentorStore(db).join(G, 10, ["mlops"], 2, None, clock.now())
    other = await open_database(migrated_target)  # a second connection: only the engine's write lock keeps order
    try:
        services = [MentorStore(db), MentorStore(other)]
        results = await asyncio.gather(*(
            services[i % 2].request(G, 100 + i, ["mlops"], None, "command", clock.now(), H48) for i in range(10)
        ))
    finally:
        await other.close()
    offered = [r for r in results if r.outcome is RequestOutcome.OFFERED]
    assert len(offered) == 2
    assert await db.fetchval("SELECT COUNT(*) FROM mentor_offers WHERE status = 'open'") == 2
    mentor = await MentorStore(db).mentor(G, 10)
    assert (mentor.open_offers, mentor.free) == (2, 0)


async def test_a_decline_asks_the_next_mentor_and_accept_fills_a_place(db: Database, clock: ManualClock) -> None:
    service = MentorStore(db)
    await service.join(G, 10, ["mlops"], 1, None, clock.now())
    clock.advance(timedelta(minutes=1))
    await service.join(G, 11, ["mlops"], 1, None, clock.now())
    offer = (await service.request(G, 20, ["mlops"], None, "command", clock.now(), H48)).offer
    assert offer.mentor_id == 10
    assert (await service.answer(offer.id, 11, True, clock.now(), H48)).outcome is AnswerOutcome.NOT_YOURS
    declined = await service.answer(offer.id, 10, False, clock.now(), H48)
    assert declined.outcome is AnswerOutcome.DECLINED and declined.next_offer.mentor_id == 11
    assert (await service.answer(offer.id, 10, True, clock.now(), H48)).outcome is AnswerOutcome.NOT_OPEN
    accepted = await service.answer(declined.next_offer.id, 11, True, clock.now(), H48)
    assert accepted.outcome is AnswerOutcome.ACCEPTED
    assert (await service.open_request(G, 20)).mentor_id == 11
    assert await service.request(G, 21, ["mlops"], None, "command", clock.now(), H48) is not None
    assert (await service.mentor(G, 11)).free == 0


async def test_no_answer_within_the_window_moves_on_and_then_waits(db: Database, clock: ManualClock) -> None:
    service = MentorStore(db)
    await service.join(G, 10, ["careers"], 1, None, clock.now())
    offer = (await service.request(G, 20, ["careers"], None, "command", clock.now(), H48)).offer
    assert await service.next_offer_due() == clock.now() + H48
    clock.advance(H48 - timedelta(seconds=1))
    assert await service.expire_due(clock.now()) == []
    clock.advance(timedelta(seconds=1))
    [expired] = await service.expire_due(clock.now())
    assert expired.id == offer.id
    # Nobody else fits: the request waits, and the mentor who let it lapse is not asked again.
    assert await service.offer_next(offer.request_id, clock.now(), H48) is None
    assert (await service.open_request(G, 20)).status == "waiting"
    await service.join(G, 11, ["careers"], 1, None, clock.now())
    [rematched] = await service.rematch_waiting(G, clock.now(), H48)
    assert (rematched.request_id, rematched.mentor_id) == (offer.request_id, 11)
    assert await service.expire_due(clock.now()) == []  # an expired offer never fires twice


async def test_pause_leave_and_end_free_or_close_places(db: Database, clock: ManualClock) -> None:
    service = MentorStore(db)
    await service.join(G, 10, ["mlops"], 2, "ten years of pipelines", clock.now())
    assert await service.has_available_mentor(G)
    assert await service.set_status(G, 10, MentorStatus.PAUSED, clock.now())
    assert not await service.has_available_mentor(G)
    waiting = await service.request(G, 20, ["mlops"], None, "command", clock.now(), H48)
    assert waiting.outcome is RequestOutcome.WAITING
    await service.set_status(G, 10, MentorStatus.ACTIVE, clock.now())
    [offer] = await service.rematch_waiting(G, clock.now(), H48)
    await service.answer(offer.id, 10, True, clock.now(), H48)
    offer2 = (await service.request(G, 21, ["mlops"], None, "command", clock.now(), H48)).offer

    was, ended, requeued = await service.leave(G, 10, clock.now())
    assert was and [e.mentee_id for e in ended] == [20] and requeued == [offer2.request_id]
    assert (await service.open_request(G, 21)).status == "waiting"
    assert await service.open_request(G, 20) is None
    assert not await service.set_status(G, 10, MentorStatus.ACTIVE, clock.now())  # left: join again instead
    ended_request = await service.end_for_mentee(G, 21, clock.now())
    assert ended_request is not None and ended_request.mentor_id is None  # a cancelled request
