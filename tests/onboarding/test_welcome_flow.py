"""A newcomer on the loopback Discord: one welcome DM, the questions, roles, the summary."""

from __future__ import annotations

from bot.settings import Settings
from loopback import LoopbackDiscord
from tests.harness import BotHarness
from tests.onboarding.helpers import join, pick, press, steps_shown, wait_dms


async def test_a_join_gets_one_dm_and_finishing_gives_roles_and_the_summary(
    loopback: LoopbackDiscord, harness: BotHarness, settings: Settings
) -> None:
    guild = loopback.guild
    engineer = loopback.add_role(guild.id, "Data Engineer")
    early = loopback.add_role(guild.id, "Early career")
    loopback.add_channel(guild.id, "data-engineering")
    loopback.add_channel(guild.id, "mlops")
    await harness.start()

    ada = await join(loopback, "ada")
    [welcome] = await wait_dms(loopback, ada.id)
    assert "Welcome to **Data Community**" in welcome.text()
    assert "What do you do?" in welcome.text()
    assert steps_shown(welcome) == {"role"}

    await pick(loopback, welcome.id, ada.id, "role", ["data-engineer"])
    assert "Where are you in your data journey?" in loopback.message(welcome.id).text()
    await pick(loopback, welcome.id, ada.id, "level", ["early-career"])
    await pick(loopback, welcome.id, ada.id, "interests", ["mlops", "data-engineering"])
    await pick(loopback, welcome.id, ada.id, "region", ["europe"])
    await pick(loopback, welcome.id, ada.id, "timezone", ["Europe/Berlin"])

    await loopback.wait_until(lambda: "all set" in loopback.message(welcome.id).text())
    summary = loopback.message(welcome.id).text()
    assert "Start here" in summary
    assert f"channels/{guild.id}/{guild.channel('data-engineering').id}" in summary
    assert f"channels/{guild.id}/{guild.channel('mlops').id}" in summary
    assert "Questions?" in summary and "Events" in summary
    summary_embed = loopback.message(welcome.id).embeds[0]
    [communities] = [f["value"] for f in summary_embed["fields"] if f["name"] == "Communities worth joining too"]
    assert len(communities.splitlines()) == 3 and "https://" in communities  # from the community directory
    assert "Data Engineer" in summary
    role_calls = loopback.calls_to("PUT", rf"/guilds/{guild.id}/members/{ada.id}/roles/\d+")
    assert sorted(int(c.path.rsplit("/", 1)[1]) for c in role_calls) == sorted([engineer.id, early.id])
    assert set(loopback.member(guild.id, ada.id).roles) == {engineer.id, early.id}
    assert len(loopback.dm_messages(ada.id)) == 1  # the same message was edited from question to summary

    profile = await harness.bot.db.fetchrow("SELECT * FROM onboarding_profiles WHERE user_id = ?", (ada.id,))
    assert (profile["role"], profile["level"], profile["interests"]) == (
        "data-engineer", "early-career", '["data-engineering", "mlops"]')
    assert (profile["region"], profile["timezone"], profile["status"]) == ("europe", "Europe/Berlin", "finished")


async def test_skipping_the_region_skips_the_time_zone(loopback: LoopbackDiscord, bot) -> None:
    bo = await join(loopback, "bo")
    [welcome] = await wait_dms(loopback, bo.id)
    await pick(loopback, welcome.id, bo.id, "role", ["student"])
    await pick(loopback, welcome.id, bo.id, "level", ["new-to-data"])
    await pick(loopback, welcome.id, bo.id, "interests", ["learning"])
    await press(loopback, welcome.id, bo.id, "region", "skip")
    await loopback.wait_until(lambda: "all set" in loopback.message(welcome.id).text())


async def test_a_typed_time_zone_and_going_back(loopback: LoopbackDiscord, bot) -> None:
    uma = await join(loopback, "uma")
    [welcome] = await wait_dms(loopback, uma.id)
    await pick(loopback, welcome.id, uma.id, "role", ["data-scientist"])
    await press(loopback, welcome.id, uma.id, "level", "back")
    assert "What do you do?" in loopback.message(welcome.id).text()
    await pick(loopback, welcome.id, uma.id, "role", ["researcher"])
    await pick(loopback, welcome.id, uma.id, "level", ["experienced"])
    await pick(loopback, welcome.id, uma.id, "interests", ["nlp"])
    await pick(loopback, welcome.id, uma.id, "region", ["africa"])
    assert "Africa/Nairobi" in option_values(loopback, welcome.id)

    opened = await press(loopback, welcome.id, uma.id, "timezone", "type")
    assert opened.modal is not None
    wrong = await loopback.submit_modal(opened, values={"zone": "Mars/Olympus"})
    await wrong.wait_response()
    assert wrong.ephemeral and "I don't know that time zone" in wrong.content_text()
    right = await loopback.submit_modal(opened, values={"zone": "harare"})
    await right.wait_response()
    await loopback.wait_until(lambda: "all set" in loopback.message(welcome.id).text())
    profile = await bot.db.fetchrow("SELECT role, timezone FROM onboarding_profiles WHERE user_id = ?", (uma.id,))
    assert tuple(profile) == ("researcher", "Africa/Harare")


def option_values(lb: LoopbackDiscord, message_id: int) -> list[str]:
    rows = lb.message(message_id).components
    return [o["value"] for row in rows for c in row["components"] for o in c.get("options", [])]
