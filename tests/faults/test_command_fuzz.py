"""Every slash command, fed options from hypothesis (empty, huge, unicode, mentions, markdown, bad dates,
unknown names), gets an answer and never an unhandled error; refusals are ephemeral; users' text never pings."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.faults.fuzzing import answered, bodies_with_pings, draw_options, public_answers
from tests.faults.live_bot import LiveBot


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_command_answers_whatever_is_typed(live: LiveBot, data: st.DataObject) -> None:
    lb = live.loopback
    guild = lb.guild
    name, group, sub, specs = data.draw(st.sampled_from(live.paths), label="command")
    options = draw_options(data, specs, live)
    invoker = data.draw(st.sampled_from([guild.owner_id, *[m for m in guild.members if m != guild.owner_id]]))
    channel = guild.channel("general")
    before = len(lb.calls)

    async def invoke() -> Any:
        ix = await lb.invoke_slash(guild.id, channel.id, invoker, name, options, subcommand=sub, group=group)
        await ix.wait_response(timeout=10)
        await lb.wait_until(lambda: answered(ix), timeout=10)
        return ix

    ix = live.run(invoke())
    text = ix.content_text()
    where = (name, group, sub, json.dumps(options)[:500], text[:500])
    assert "Something went wrong" not in text, where
    assert not lb.handler_errors, lb.handler_errors
    assert bodies_with_pings(lb.calls[before:]) == []
    # Whatever went wrong is said to the member alone; only a result the member chose to share is public.
    public = public_answers(ix)
    assert public == [] or (options.get("share") is True and all(m.embeds for m in public)), where
