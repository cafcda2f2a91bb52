"""The demo server: a fresh Discord server that /setup create has laid out, members, questions and a meetup.

Everything after the bare server is done the way members do it, through the real bot on the loopback:
/setup create and Confirm, /ask and its form, a reply and Mark as answer, /event create and Confirm, a join.
So the demo is always what the current code makes, never a hand-written copy of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from loopback import ChannelType, Guild, LoopbackDiscord, Message, User
from loopback.interactions import InteractionRecord

SERVER_NAME = "Data Community (playground)"
# The five members one can act as: (key, username, display name)
MEMBERS = (
    ("owner", "olivia", "Olivia (owner)"),
    ("moderator", "mo", "Mo (moderator)"),
    ("mentor", "mei", "Mei (mentor)"),
    ("member", "sam", "Sam (member)"),
    ("newcomer", "nia", "Nia (newcomer)"),
)
WAIT = 10.0


class DemoError(RuntimeError):
    """The bot did not do what the demo expected (a bug to report, not a user error)."""


@dataclass
class Cast:
    guild: Guild
    users: dict[str, User]


def fresh_server(lb: LoopbackDiscord) -> Cast:
    """A server as Discord makes it (@everyone, the bot's role, a "General" category with #general and a voice
    channel) and the demo members in it; the newcomer joins later, once the bot is there to welcome her."""
    owner = lb.add_user("olivia", "Olivia (owner)")
    guild = lb.add_guild(SERVER_NAME, owner=owner, default_channels=False)
    del guild.roles[guild.role("Moderators").id]  # the loopback's default world has one; a new server does not
    category = lb.add_channel(guild.id, "General", type=ChannelType.CATEGORY)
    lb.add_channel(guild.id, "general", parent_id=category.id)
    lb.add_channel(guild.id, "General", type=ChannelType.VOICE, parent_id=category.id)
    users = {"owner": owner}
    for key, username, display in MEMBERS[1:]:
        users[key] = lb.add_user(username, display)
        if key != "newcomer":
            lb.add_member(guild.id, users[key])
    return Cast(guild, users)


async def answered(ix: InteractionRecord) -> dict[str, Any]:
    first = await ix.wait_response(timeout=WAIT)
    return first


async def settled(lb: LoopbackDiscord, ix: InteractionRecord) -> None:
    """Wait until a deferred answer ("thinking…") has been replaced by the bot's real answer."""
    await lb.wait_until(lambda: ix.followups or (ix.original is not None and not ix.original.flags & 128)
                        or (ix.responses and ix.responses[0].get("type") not in (5, 6)), timeout=WAIT)


def custom_ids(message: Message, prefix: str) -> list[str]:
    out: list[str] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for c in items:
            if str(c.get("custom_id", "")).startswith(prefix):
                out.append(c["custom_id"])
            walk(c.get("components") or [])
            for key in ("accessory", "component"):
                if isinstance(c.get(key), dict):
                    walk([c[key]])

    walk(message.components)
    return out


async def setup_create(lb: LoopbackDiscord, cast: Cast) -> None:
    """/setup create as the owner, then Confirm: the channels, forum, tags and roles of the settings."""
    guild, owner = cast.guild, cast.users["owner"]
    preview = await lb.invoke_slash(guild.id, guild.channel("general").id, owner.id, "setup", {}, "create")
    await answered(preview)
    original = await preview.wait_original(timeout=WAIT)
    confirm = custom_ids(original, "setup:create:")
    if not confirm:
        raise DemoError(f"/setup create offered no Confirm: {original.text()[:300]}")
    click = await lb.click_button(original.id, confirm[0], owner.id)
    await answered(click)
    await lb.wait_until(lambda: "/setup create: done" in lb.message(original.id).text(), timeout=30)


async def give_roles(lb: LoopbackDiscord, cast: Cast) -> None:
    guild = cast.guild
    await lb.set_member_roles(guild.id, cast.users["moderator"].id, [guild.role("Moderators").id])
    await lb.set_member_roles(guild.id, cast.users["mentor"].id,
                              [guild.role("Data Scientist").id, guild.role("Experienced").id])
    await lb.set_member_roles(guild.id, cast.users["member"].id, [guild.role("Data Analyst").id])


def modal_inputs(modal: dict[str, Any]) -> dict[str, str]:
    """A modal's text inputs: first word of the label (lower case) -> custom_id."""
    out = {}
    for row in modal["components"]:
        for c in row.get("components") or [row.get("component")]:
            if c and c.get("custom_id"):
                out[str(c.get("label") or row.get("label") or "").split(" ")[0].lower()] = c["custom_id"]
    return out


async def ask(lb: LoopbackDiscord, cast: Cast, who: str, title: str, details: str, tags: str) -> int:
    """/ask and its form; returns the forum post's id."""
    guild, user = cast.guild, cast.users[who]
    forum = guild.channel("questions")
    before = {t.id for t in guild.threads}
    ix = await lb.invoke_slash(guild.id, guild.channel("general").id, user.id, "ask")
    await answered(ix)
    if ix.modal is None:
        raise DemoError(f"/ask did not open its form: {ix.content_text()[:300]}")
    ids = modal_inputs(ix.modal)
    submit = await lb.submit_modal(ix, values={ids["title"]: title, ids["details"]: details, ids["tags"]: tags})
    await answered(submit)
    await settled(lb, submit)
    new = await lb.wait_until(
        lambda: [t for t in guild.threads if t.id not in before and t.parent_id == forum.id], timeout=WAIT)
    return int(new[0].id)


async def seed_questions(lb: LoopbackDiscord, cast: Cast) -> None:
    """Two questions; the first gets a reply that its asker marks as the answer."""
    guild = cast.guild
    solved = await ask(lb, cast, "member", "How do I read a 5 GB CSV with pandas?",
                       "My laptop has 8 GB of RAM and `pd.read_csv` dies. Is there a way to read it in parts?",
                       "python")
    reply = await lb.send_message(
        solved, cast.users["mentor"].id,
        "Use `chunksize`: `for part in pd.read_csv(path, chunksize=100_000): ...` and aggregate each part. "
        "Or try **polars** with `scan_csv`, which streams.")
    mark = await lb.invoke_message_command(guild.id, solved, cast.users["member"].id, "Mark as answer", reply.id)
    await answered(mark)
    forum = guild.channel("questions")
    solved_tag = next((t.id for t in forum.available_tags if t.name.lower().startswith("solved")), None)
    try:
        await lb.wait_until(lambda: solved_tag in lb.world.channel(solved).applied_tags, timeout=WAIT)
    except TimeoutError:
        raise DemoError(f"Mark as answer did not solve the question: {mark.content_text()[:300]}") from None
    await ask(lb, cast, "newcomer" if cast.users["newcomer"].id in guild.members else "member",
              "Which SQL window function gives a running total?",
              "I want a cumulative sum of sales per customer, ordered by date.", "sql")


async def seed_meetup(lb: LoopbackDiscord, cast: Cast) -> None:
    """/event create as the owner and Confirm: an announcement in #events and Discord's own event."""
    guild, owner = cast.guild, cast.users["owner"]
    events = guild.channel("events")
    before = len(lb.channel_messages(events.id))
    ix = await lb.invoke_slash(guild.id, guild.channel("general").id, owner.id, "event",
                               {"title": "Data meetup: dbt in production", "when": "in 2 days",
                                "location": "Impact Hub, room 2"}, subcommand="create")
    await answered(ix)
    await lb.wait_until(lambda: ix.original is not None and not ix.original.flags & 128, timeout=WAIT)
    assert ix.original is not None
    confirm = custom_ids(ix.original, "ev:confirm:")
    if not confirm:
        raise DemoError(f"/event create offered no Confirm: {ix.content_text()[:300]}")
    click = await lb.click_button(ix.original.id, confirm[0], owner.id)
    await answered(click)
    await lb.wait_until(lambda: len(lb.channel_messages(events.id)) > before, timeout=WAIT)


async def newcomer_joins(lb: LoopbackDiscord, cast: Cast) -> None:
    """The newcomer joins while the bot runs: the welcome DM with its questions is waiting for her."""
    newcomer = cast.users["newcomer"]
    await lb.join_member(cast.guild.id, newcomer)
    await lb.wait_until(lambda: lb.dm_messages(newcomer.id), timeout=WAIT)


async def seed(lb: LoopbackDiscord, cast: Cast) -> None:
    """Everything after the bare server, through the running bot."""
    await setup_create(lb, cast)
    await give_roles(lb, cast)
    await seed_questions(lb, cast)
    await seed_meetup(lb, cast)
    await newcomer_joins(lb, cast)
    general = cast.guild.channel("general")
    await lb.send_message(general.id, cast.users["owner"].id,
                          "Welcome to the playground! Pick a member on the left and try `/ask`, `/event` or the "
                          "buttons on any message.", allowed_mentions={"parse": []})
