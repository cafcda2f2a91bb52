"""Message create with `enforce_nonce`: a repeat with the same nonce returns the first message, as on Discord."""

from __future__ import annotations

from loopback import LoopbackDiscord

from .conftest import BotRunner, World


async def test_an_enforced_nonce_returns_the_first_message(
    lb: LoopbackDiscord, world: World, runner: BotRunner
) -> None:
    bot = await runner.start()
    events = bot.get_channel(world.guild.channel("events").id)
    first = await events.send("Reminder", nonce="ev-1")  # discord.py sends enforce_nonce with any nonce
    again = await events.send("Reminder", nonce="ev-1")
    other = await events.send("Reminder", nonce="ev-2")
    assert again.id == first.id and other.id != first.id
    assert [m.id for m in lb.channel_messages(events.id)] == [first.id, other.id]
    assert lb.calls_to("POST", rf"^/channels/{events.id}/messages$")[1].body["enforce_nonce"] is True


async def test_the_nonce_is_per_channel_and_a_deleted_message_does_not_count(
    lb: LoopbackDiscord, world: World, runner: BotRunner
) -> None:
    bot = await runner.start()
    events = bot.get_channel(world.guild.channel("events").id)
    general = bot.get_channel(world.guild.channel("general").id)
    first = await events.send("a", nonce="same")
    elsewhere = await general.send("a", nonce="same")
    assert elsewhere.id != first.id
    await lb.delete_message(first.id)
    assert (await events.send("a", nonce="same")).id != first.id
