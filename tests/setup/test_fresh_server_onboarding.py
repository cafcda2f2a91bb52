"""The whole point: on a fresh server, /setup create, then a newcomer who finishes onboarding gets the roles for
their answers and a summary whose channel links all exist."""

from __future__ import annotations

import re

from loopback import ChannelType, LoopbackDiscord
from tests.harness import BotHarness
from tests.onboarding.helpers import join, pick, wait_dms
from tests.setup.helpers import confirm, slash

LINK = re.compile(r"channels/(\d+)/(\d+)")


async def test_after_setup_create_a_newcomer_gets_roles_and_only_working_links(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    guild = loopback.guild
    assert {r.name for r in guild.roles.values()} == {"@everyone", "Bot"}
    assert sorted((c.name, c.type) for c in guild.channels.values()) == [
        ("General", ChannelType.VOICE), ("General", ChannelType.CATEGORY), ("general", ChannelType.TEXT)]
    await harness.start()
    preview = await slash(loopback, guild.owner_id, "create")
    await confirm(loopback, preview, guild.owner_id)
    assert "/setup create: done" in loopback.message(preview.original.id).text()

    ada = await join(loopback, "ada")
    [welcome] = await wait_dms(loopback, ada.id)
    await pick(loopback, welcome.id, ada.id, "role", ["data-engineer"])
    await pick(loopback, welcome.id, ada.id, "level", ["early-career"])
    await pick(loopback, welcome.id, ada.id, "interests", ["mlops", "nlp"])
    await pick(loopback, welcome.id, ada.id, "region", ["africa"])
    await pick(loopback, welcome.id, ada.id, "timezone", ["Africa/Lagos"])
    await loopback.wait_until(lambda: "all set" in loopback.message(welcome.id).text())

    roles = {guild.roles[r].name for r in loopback.member(guild.id, ada.id).roles}
    assert roles == {"Data Engineer", "Early career"}
    summary = loopback.message(welcome.id).text()
    linked = [(int(g), int(c)) for g, c in LINK.findall(summary)]
    assert linked and all(g == guild.id for g, _ in linked)
    channels = [guild.channels.get(c) for _, c in linked]
    assert None not in channels, summary  # every link points at a channel that exists
    assert all(c.type in (ChannelType.TEXT, ChannelType.FORUM) for c in channels if c is not None)
    names = {c.name for c in channels if c is not None}
    assert {"general", "data-engineering", "mlops", "llms", "questions", "events"} <= names
    assert next(c for c in channels if c is not None and c.name == "general").type == ChannelType.TEXT
    # Nothing was missing, so the moderators' log holds only the setup summary.
    mod_log = guild.channel("mod-log")
    assert [m.content.splitlines()[0] for m in loopback.channel_messages(mod_log.id)] == [
        f"**/setup create** by <@{guild.owner_id}>"]
