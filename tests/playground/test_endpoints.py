"""The page's endpoints over plain HTTP: malformed or forbidden requests get a clear JSON error, and the
playground keeps serving; ephemeral answers reach only the member who caused them."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from tests.playground.conftest import Running


async def call(running: Running, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.request(method, running.url.rstrip("/") + path,
                                                                    **kwargs) as response:
        body = await response.json(content_type=None)
        return response.status, body


async def act(running: Running, body: Any) -> tuple[int, Any]:
    return await call(running, "POST", "/api/act", json=body)


def ids(running: Running) -> dict[str, str]:
    pg = running.pg
    return {"owner": str(pg.members["owner"]), "member": str(pg.members["member"]),
            "general": str(pg.guild.channel("general").id), "mod_log": str(pg.guild.channel("mod-log").id)}


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "says"), [
    ("GET", "/api/state?as=abc", {}, 400, "must be an id"),
    ("GET", "/api/state?as=123", {}, 404, "not a member"),
    ("GET", "/api/messages?channel=1", {}, 400, "as must be an id"),
    ("POST", "/api/act", {"data": "hello"}, 415, "send JSON"),
    ("POST", "/api/act", {"data": "{not json", "headers": {"Content-Type": "application/json"}}, 400, "not valid JSON"),
    ("POST", "/api/act", {"json": [1, 2]}, 400, "JSON object"),
    ("POST", "/api/act", {"json": {"action": "explode"}}, 400, "action must be one of"),
    ("POST", "/api/act", {"json": {"action": "time", "hours": 5}}, 400, "hours must be one of"),
    ("POST", "/api/act", {"json": {"action": "time", "hours": True}}, 400, "hours must be one of"),
    ("POST", "/api/act", {"json": {"action": "join", "name": 42}}, 400, "name must be text"),
    ("POST", "/api/act", {"data": "x" * 70_000, "headers": {"Content-Type": "application/json"}}, 413, "too large"),
    ("GET", "/attachments/99", {}, 404, "no such attachment"),
    ("GET", "/static/../app.py", {}, 404, ""),
    ("GET", "/api/state", {"headers": {"Host": "evil.example:8765"}}, 403, "only on 127.0.0.1"),
])
async def test_malformed_requests_get_a_clear_error(
    running: Running, method: str, path: str, kwargs: dict[str, Any], status: int, says: str
) -> None:
    got, body = await call(running, method, path, **kwargs)
    assert got == status and says.lower() in body["error"].lower(), body
    ok, state = await call(running, "GET", "/api/state")
    assert ok == 200 and state["guild"]["name"]


async def test_actions_check_what_they_are_given(running: Running) -> None:
    i = ids(running)
    cases = [
        ({"action": "post", "as": i["member"], "channel": i["general"], "content": ""}, 400, "content is empty"),
        ({"action": "post", "as": i["member"], "channel": i["general"], "content": "x" * 2001}, 400, "longer than"),
        ({"action": "post", "as": i["member"], "channel": i["mod_log"], "content": "hi"}, 403, "cannot see"),
        ({"action": "post", "as": i["member"], "channel": "12", "content": "hi"}, 404, "no such channel"),
        ({"action": "slash", "as": i["member"], "channel": i["general"], "command": "nope"}, 404, "no command"),
        ({"action": "slash", "as": i["member"], "channel": i["general"], "command": "event"}, 400,
         "needs a subcommand"),
        ({"action": "slash", "as": i["member"], "channel": i["general"], "command": "qa", "subcommand": "search",
          "options": {"query": "x", "share": "maybe"}}, 400, "not a valid true or false"),
        ({"action": "slash", "as": i["member"], "channel": i["general"], "command": "qa", "subcommand": "search",
          "options": {"bogus": "x"}}, 400, "unknown option"),
        ({"action": "slash", "as": i["member"], "channel": i["general"], "command": "qa", "subcommand": "search",
          "options": {}}, 400, "required option 'query' missing"),
        ({"action": "button", "as": i["member"], "message": "5", "custom_id": "x"}, 404, "no such message"),
        ({"action": "modal", "as": i["member"], "interaction": "7", "values": {}}, 404, "no form"),
        ({"action": "autocomplete", "as": i["member"], "channel": i["general"], "command": "qa",
          "subcommand": "search", "focused": "query"}, 400, "no autocomplete"),
        ({"action": "select", "as": i["member"], "message": "5", "custom_id": "x", "values": "a"}, 404,
         "no such message"),
    ]
    for body, status, says in cases:
        got, answer = await act(running, body)
        assert got == status and says in answer["error"], (body, answer)
    got, answer = await act(running, {"action": "post", "as": i["member"], "channel": i["general"], "content": "ok"})
    assert got == 200 and answer["ok"]


async def test_a_button_a_member_cannot_press_is_refused_and_ephemeral_answers_stay_private(running: Running) -> None:
    i = ids(running)
    pg = running.pg
    create = {"action": "slash", "as": i["owner"], "channel": i["general"], "command": "event",
              "subcommand": "create", "options": {"title": "Private preview", "when": "in 3 hours"}}
    got, answer = await act(running, create)
    assert got == 200 and answer["answered"], answer
    ix = pg.lb.interactions[int(answer["interaction"])]
    await pg.lb.wait_until(lambda: ix.original is not None and not ix.original.flags & 128)
    preview = ix.original
    assert preview is not None and preview.ephemeral
    _, owner_view = await call(running, "GET", f"/api/messages?as={i['owner']}&channel={i['general']}")
    _, member_view = await call(running, "GET", f"/api/messages?as={i['member']}&channel={i['general']}")
    assert str(preview.id) in {m["id"] for m in owner_view["messages"]}
    assert str(preview.id) not in {m["id"] for m in member_view["messages"]}
    confirm = next(c["custom_id"] for row in preview.components for c in row["components"]
                   if c["custom_id"].startswith("ev:confirm:"))
    got, refused = await act(running, {"action": "button", "as": i["member"], "message": str(preview.id),
                                       "custom_id": confirm})
    assert got == 403 and "only to someone else" in refused["error"]
    got, refused = await act(running, {"action": "button", "as": i["owner"], "message": str(preview.id),
                                       "custom_id": "not-on-this-message"})
    assert got == 400 and "has no component" in refused["error"]


async def test_a_forum_post_autocomplete_and_an_insights_chart(running: Running) -> None:
    i = ids(running)
    pg = running.pg
    forum = pg.guild.channel("questions")
    sql = next(t for t in forum.available_tags if t.name.lower() == "sql")
    got, answer = await act(running, {"action": "post", "as": i["member"], "channel": str(forum.id),
                                      "title": "LEFT JOIN or NOT EXISTS?", "content": "Which is faster?",
                                      "tags": [str(sql.id)]})
    assert got == 200, answer
    thread = pg.lb.world.channel(int(answer["channel"]))
    assert thread.parent_id == forum.id and thread.applied_tags == [sql.id]
    _, state = await call(running, "GET", f"/api/state?as={i['member']}")
    assert any(t["name"] == "LEFT JOIN or NOT EXISTS?" and t["tags"] == [str(sql.id)] for t in state["threads"])
    # autocomplete is asked of the bot: the demo's meetup is offered
    got, answer = await act(running, {"action": "autocomplete", "as": i["member"], "channel": i["general"],
                                      "command": "event", "subcommand": "info", "options": {"event": "dbt"},
                                      "focused": "event"})
    assert got == 200 and any("dbt in production" in c["name"] for c in answer["choices"]), answer
    # an insight chart: the owner's ephemeral report carries PNGs, served as images to the page
    got, answer = await act(running, {"action": "slash", "as": i["owner"], "channel": i["general"],
                                      "command": "insights", "subcommand": "overview"})
    assert got == 200, answer
    ix = pg.lb.interactions[int(answer["interaction"])]
    await pg.lb.wait_until(lambda: any(m.attachments for m in ix.followups), timeout=30)
    _, shown = await call(running, "GET", f"/api/messages?as={i['owner']}&channel={i['general']}")
    charts = [a for m in shown["messages"] if m["ephemeral"] for a in m["attachments"]
              if a["content_type"] == "image/png"]
    assert charts, [(m["attachments"], m["embeds"][:1]) for m in shown["messages"] if m["ephemeral"]]
    async with aiohttp.ClientSession() as session, session.get(f"{running.url}attachments/{charts[0]['id']}") as r:
        assert r.status == 200 and r.content_type == "image/png"
        assert (await r.read()).startswith(b"\x89PNG")
