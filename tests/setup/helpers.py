"""Running /setup on the loopback as a member would: the command, its preview, the Confirm button."""

from __future__ import annotations

import re

from loopback import ChannelType, Guild, LoopbackDiscord, RecordedCall
from loopback.interactions import InteractionRecord

CONFIRM = re.compile(r"^setup:create:\d+:[0-9a-f]{16}$")
# Writes that change the server (interaction answers and their webhooks are how the bot replies, not changes).
SERVER_WRITE = re.compile(r"^/(guilds|channels)/")


def fresh_guild(lb: LoopbackDiscord, name: str = "Fresh Server") -> Guild:
    """A server as Discord makes it: @everyone, the bot's role, #general, and a "General" category and voice
    channel; the category comes first, so a lookup that ignores the kind finds it first."""
    guild = lb.add_guild(name, default_channels=False)
    del guild.roles[guild.role("Moderators").id]  # the loopback's default world has one; a new server does not
    category = lb.add_channel(guild.id, "General", type=ChannelType.CATEGORY)
    lb.add_channel(guild.id, "general", parent_id=category.id)
    lb.add_channel(guild.id, "General", type=ChannelType.VOICE, parent_id=category.id)
    return guild


async def slash(lb: LoopbackDiscord, user_id: int, subcommand: str) -> InteractionRecord:
    ix = await lb.invoke_slash(lb.guild.id, lb.guild.channel("general").id, user_id, "setup", {}, subcommand)
    await ix.wait_response()
    return ix


def confirm_id(ix: InteractionRecord) -> str | None:
    """The Confirm button's custom_id on the preview, or None when the preview offers none."""
    data = ix.responses[0].get("data") or {}
    ids = [c.get("custom_id", "") for row in data.get("components") or [] for c in row.get("components") or []]
    found = [i for i in ids if CONFIRM.match(i)]
    return found[0] if found else None


FINISHED = ("/setup create: done", "/setup create stopped", "changed since", "Nothing can be created",
            "nothing to create")


async def confirm(
    lb: LoopbackDiscord, preview: InteractionRecord, user_id: int, *, within: float = 30
) -> InteractionRecord:
    """Press Confirm on a preview and wait for the final answer (the result replaces the "Creating…" text)."""
    custom_id = confirm_id(preview)
    assert custom_id is not None, preview.content_text()
    assert preview.original is not None
    message_id = preview.original.id
    ix = await lb.click_button(message_id, custom_id, user_id)
    await ix.wait_response()
    await lb.wait_until(lambda: any(word in lb.message(message_id).text() for word in FINISHED), timeout=within)
    return ix


def server_writes(lb: LoopbackDiscord, since: int = 0) -> list[RecordedCall]:
    writes = ("POST", "PATCH", "PUT", "DELETE")
    return [c for c in lb.calls[since:] if c.method in writes and SERVER_WRITE.match(c.path)]
