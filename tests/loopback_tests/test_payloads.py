"""Every loopback payload goes through discord.py's own parsers, so an upgrade needing a new key fails here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import discord
import pytest
from discord.app_commands import AppCommand, Namespace
from discord.http import HTTPClient, Route
from discord.interactions import InteractionCallbackResponse

from loopback import LoopbackDiscord, payloads

from .conftest import World

PINNED = "2.7.1"
COMMANDS = [
    {"name": "ask", "description": "Ask", "type": 1, "options": [
        {"name": "topic", "description": "Topic", "type": 3, "required": True, "autocomplete": True},
        {"name": "who", "description": "Who", "type": 6},
        {"name": "where", "description": "Where", "type": 7},
        {"name": "role", "description": "Role", "type": 8},
        {"name": "count", "description": "Count", "type": 4},
        {"name": "file", "description": "File", "type": 11},
    ]},
    {"name": "Mark as answer", "type": 3},
    {"name": "Profile", "type": 2},
]
BUTTON_ROW = {"type": 1, "components": [{"type": 2, "style": 1, "label": "Go", "custom_id": "go"}]}
SELECT_ROW = {"type": 1, "components": [{"type": 5, "custom_id": "people", "min_values": 1, "max_values": 2}]}


def test_discord_py_is_the_pinned_version() -> None:
    assert discord.__version__ == PINNED, (
        f"discord.py is {discord.__version__}, the loopback's payloads were checked against {PINNED}: "
        "re-run tests/loopback_tests, fix the payload builders, then update PINNED"
    )


class Parsed:
    """A discord.py client state fed only by the loopback's payloads."""

    def __init__(self, lb: LoopbackDiscord) -> None:
        self.client = discord.Client(intents=discord.Intents.all(), chunk_guilds_at_startup=False,
                                     guild_ready_timeout=0)
        self.state = self.client._connection
        self.dispatched: list[str] = []
        self.state.dispatch = lambda event, *args: self.dispatched.append(event)
        self.state.handlers = {}  # the client never started, so its on-ready handler has nothing to set
        self.events: list[tuple[str, dict[str, Any]]] = []

        async def record(event: str, data: dict[str, Any]) -> bool:
            self.events.append((event, data))
            return True

        lb.gateway.dispatch = record  # capture instead of sending: no bot in this test

    def feed(self) -> None:
        """Run every captured event through discord.py's gateway parsers."""
        for event, data in self.events:
            self.state.parsers[event](data)
        self.events.clear()


@pytest.fixture
async def http(lb: LoopbackDiscord) -> AsyncIterator[HTTPClient]:
    """discord.py's own HTTP client, logged in to the loopback."""
    Route.BASE = lb.api_base
    client = HTTPClient(loop=__import__("asyncio").get_running_loop())
    await client.static_login(lb.token)
    try:
        yield client
    finally:
        await client.close()


async def test_gateway_payloads_parse(lb: LoopbackDiscord, world: World, http: HTTPClient) -> None:
    p = Parsed(lb)
    state, g = p.state, world.guild
    ready = payloads.ready(bot=lb.bot_user, app_id=lb.application_id, guild_ids=[g.id], session_id="s",
                           resume_url=lb.gateway_url)
    state.parsers["READY"](ready)
    state.parsers["GUILD_CREATE"](payloads.guild_create(g, bot_id=lb.bot_user.id))
    guild = state._get_guild(g.id)
    assert guild.member_count == 4 and len(guild.channels) == 5 and len(guild.roles) == 3
    commands = await http.request(Route("PUT", f"/applications/{lb.application_id}/guilds/{g.id}/commands"),
                                  json=COMMANDS)
    assert [AppCommand(data=c, state=state).name for c in commands] == ["ask", "Mark as answer", "Profile"]

    general, forum = g.channel("general"), g.channel("questions")
    carol = lb.add_user("carol")
    await lb.join_member(g.id, carol)
    await lb.set_member_roles(g.id, carol.id, [g.role("Moderators")])
    msg = await lb.send_message(general.id, world.alice.id, f"hi {carol.mention}", components=[BUTTON_ROW, SELECT_ROW])
    post = await lb.create_forum_post(forum.id, world.alice.id, "Q", "question", applied_tags=["sql"])
    await lb.update_thread(post.id, locked=True)
    await lb.add_reaction(msg.id, world.bob.id, "👍")
    await lb.update_role(g.id, g.role("Moderators").id, name="Mods")
    await lb.send_dm(world.alice.id, "hello bot")
    p.feed()
    assert {"member_join", "member_update", "message", "thread_create", "thread_update", "reaction_add",
            "guild_role_update"} <= set(p.dispatched)

    user, channel = world.alice.id, general.id
    options = {"topic": "sql", "who": world.bob, "where": general, "role": g.role("Mods"), "count": 2,
               "file": "notes.txt"}
    slash = await lb.invoke_slash(g.id, channel, user, "ask", options)
    auto = await lb.autocomplete(g.id, channel, user, "ask", {"topic": "sq"}, focused="topic")
    menu = await lb.invoke_message_command(g.id, channel, user, "Mark as answer", msg.id)
    profile = await lb.invoke_user_command(g.id, channel, user, "Profile", world.bob.id)
    click = await lb.click_button(msg.id, "go", user)
    pick = await lb.select(msg.id, "people", user, [world.bob, carol])
    thread_ix = await lb.invoke_slash(g.id, post.id, world.bob.id, "ask", {"topic": "x"})
    dm_msg = await lb.post_message(lb.world.dm_channel(user), lb.bot_user, {"components": [BUTTON_ROW]})
    dm_click = await lb.click_button(dm_msg.id, "go", user)
    p.feed()
    for ix in (slash, auto, menu, profile, click, pick, thread_ix, dm_click):
        interaction = discord.Interaction(data=ix.payload, state=state)
        resolved = ix.payload["data"].get("resolved", {})
        items = Namespace._get_resolved_items(interaction, resolved)
        assert len(items) == sum(len(v) for k, v in resolved.items() if k != "members")
        assert interaction.user.id == user or ix is thread_ix
        assert interaction.channel is not None and interaction.filesize_limit > 0
    assert isinstance(discord.Interaction(data=click.payload, state=state).message, discord.Message)

    modal = {"title": "T", "custom_id": "m", "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "a", "label": "A", "style": 1}]},
        {"type": 18, "label": "B", "component": {"type": 3, "custom_id": "b", "options": [
            {"label": "x", "value": "x"}]}},
        {"type": 10, "content": "Read me"},
    ]}
    body = await http.request(Route("POST", f"/interactions/{click.id}/{click.token}/callback"),
                              json={"type": 9, "data": modal}, params={"with_response": "1"})
    InteractionCallbackResponse(data=body, parent=discord.Interaction(data=click.payload, state=state),
                                state=state, type=discord.InteractionResponseType.modal)
    submit = await lb.submit_modal(click, "m", {"a": "typed", "b": ["x"]})
    p.feed()
    parts = submit.payload["data"]["components"]
    assert parts[0]["components"][0]["value"] == "typed" and parts[1]["component"]["values"] == ["x"]


async def test_rest_payloads_parse(lb: LoopbackDiscord, world: World, http: HTTPClient) -> None:
    p = Parsed(lb)
    state, g = p.state, world.guild
    state.parsers["GUILD_CREATE"](payloads.guild_create(g, bot_id=lb.bot_user.id))
    guild = state._get_guild(g.id)
    discord.AppInfo(state, await http.application_info())
    discord.ClientUser(state=state, data=await http.request(Route("GET", "/users/@me")))
    discord.Guild(data=await http.get_guild(g.id), state=state)
    forum = g.channel("questions")
    data = await http.request(Route("POST", f"/channels/{forum.id}/threads"), json={
        "name": "Post", "auto_archive_duration": 1440, "applied_tags": [str(forum.tag("ml").id)],
        "message": {"content": "body"}})
    thread = discord.Thread(guild=guild, state=state, data=data)
    discord.Message(state=state, channel=thread, data=data["message"])
    sent = await http.request(Route("POST", f"/channels/{g.channel('general').id}/messages"),
                              json={"content": "x", "embeds": [{"title": "t"}]})
    discord.Message(state=state, channel=guild.get_channel(g.channel("general").id), data=sent)
    dm = state.add_dm_channel(await http.start_private_message(world.alice.id))
    assert dm.recipient.id == world.alice.id
    start = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    event = await http.request(Route("POST", f"/guilds/{g.id}/scheduled-events"), json={
        "name": "Meetup", "privacy_level": 2, "scheduled_start_time": start, "scheduled_end_time": start,
        "entity_type": 3, "entity_metadata": {"location": "Online"}})
    assert discord.ScheduledEvent(state=state, data=event).location == "Online"
    role = discord.Role(guild=guild, state=state, data=await http.request(Route("POST", f"/guilds/{g.id}/roles"),
                                                                          json={"name": "New"}))
    await http.add_role(g.id, world.alice.id, role.id)
    member = await http.get_member(g.id, world.alice.id)
    assert role.id in discord.Member(data=member, guild=guild, state=state)._roles
    archived = await http.request(Route("GET", f"/channels/{forum.id}/threads/archived/public"))
    assert archived["threads"] == [] and archived["has_more"] is False
    p.feed()
    assert {"thread_create", "message", "scheduled_event_create", "guild_role_create", "member_update"} <= set(
        p.dispatched)


async def test_sharded_payloads_parse(lb: LoopbackDiscord, world: World, http: HTTPClient) -> None:
    """READY with its shard, as the sharded client parses it, and GET /gateway/bot."""
    client = discord.AutoShardedClient(intents=discord.Intents.all(), shard_count=2, shard_ids=[1],
                                       chunk_guilds_at_startup=False, guild_ready_timeout=0)
    state = client._connection
    state.shard_ids, state.shard_count = [1], 2
    dispatched: list[str] = []
    state.dispatch = lambda event, *args: dispatched.append(event)
    ready = payloads.ready(bot=lb.bot_user, app_id=lb.application_id, guild_ids=[world.guild.id], session_id="s",
                           resume_url=lb.gateway_url, shard=[1, 2])
    state.parsers["READY"](ready)
    assert {"connect", "shard_connect"} <= set(dispatched) and state._get_guild(world.guild.id) is not None
    for task in state._ready_tasks.values():
        task.cancel()
    if state._ready_task is not None:
        state._ready_task.cancel()
    shards, url, limits = await http.get_bot_gateway()
    discord.shard.SessionStartLimits(**limits)
    assert (shards, url) == (1, lb.gateway_url)
    async with aiohttp.ClientSession() as session, session.get(lb.api_base + "/gateway") as answer:
        assert await answer.json() == {"url": lb.gateway_url}  # no token needed, and nothing more
