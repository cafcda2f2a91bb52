"""The directory file at start on the loopback: edits apply on restart; a broken file stops the bot (exit 2)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
import yaml

from bot.guild_settings import SETTABLE_KEYS
from bot.settings import ConfigError
from loopback import LoopbackDiscord
from tests.communities.helpers import member, slash, with_communities
from tests.harness import BotHarness

ROOT = Path(__file__).parents[2]
SHIPPED = ROOT / "data" / "communities.yaml"


def _edited(tmp_path: Path, edit) -> Path:
    raw = yaml.safe_load(SHIPPED.read_text())
    edit(raw["communities"])
    path = tmp_path / "communities.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True))
    return path


async def test_a_restart_with_an_edited_file_just_works(
    loopback: LoopbackDiscord, harness: BotHarness, settings, tmp_path: Path
) -> None:
    await harness.start()
    alice = member(loopback, "alice")

    def edit(entries: list[dict]) -> None:
        entries[:] = [e for e in entries if e["key"] != "mlspace"]
        next(e for e in entries if e["key"] == "zindi")["description"] = "Zindi, described anew after a check."

    await harness.restart(settings=with_communities(settings, directory_file=str(_edited(tmp_path, edit))))
    retired = await slash(loopback, alice.id, "info", name="MLSpace")
    assert retired.content_text().startswith("No community called “MLSpace”")
    updated = await slash(loopback, alice.id, "info", name="Zindi")
    assert "Zindi, described anew after a check." in updated.content_text()
    listed = await slash(loopback, alice.id, "list")
    assert "17 communities" in (await listed.wait_original()).embeds[0]["footer"]["text"]


async def test_a_broken_file_stops_the_start_and_changes_nothing(
    loopback: LoopbackDiscord, harness: BotHarness, settings, tmp_path: Path
) -> None:
    bot = await harness.start()
    before = await bot.db.fetch("SELECT guild_id, key, data, status FROM community_entries ORDER BY guild_id, key")
    await harness.stop()

    def edit(entries: list[dict]) -> None:
        next(e for e in entries if e["key"] == "dbt")["join"]["platform"] = "carrier pigeon"
        entries.pop()  # would retire Women in Data Africa if the file were applied

    broken = _edited(tmp_path, edit)
    with pytest.raises(ConfigError) as caught:
        await harness.start(settings=with_communities(settings, directory_file=str(broken)))
    assert str(caught.value).startswith(f"{broken}: communities[dbt].join.platform: 'carrier pigeon' is not a known")

    bot = await harness.start()
    after = await bot.db.fetch("SELECT guild_id, key, data, status FROM community_entries ORDER BY guild_id, key")
    assert [tuple(r) for r in after] == [tuple(r) for r in before]


async def test_python_m_bot_prints_the_problem_and_exits_2(loopback: LoopbackDiscord, tmp_path: Path) -> None:
    broken = tmp_path / "communities.yaml"
    broken.write_text("version: 1\ncommunities:\n  - key: dbt\n    name: dbt\n")
    config = tmp_path / "config.yaml"
    config.write_text(f"communities:\n  directory_file: {broken}\n")
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        "DISCORD_TOKEN": loopback.token,
        "BOT_CONFIG": str(config),
        "BOT_DATABASE": str(tmp_path / "community.db"),
        "DISCORD_API_BASE": loopback.api_base,
        "DISCORD_GATEWAY_URL": loopback.gateway_url,
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, stderr = await asyncio.wait_for(proc.communicate(), timeout=60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    errors = stderr.decode()
    assert proc.returncode == 2, errors
    assert f"error: {broken}: communities[dbt].website: is required" in errors.splitlines()
    assert f"{broken}: communities[dbt].join: is required" in errors
    assert "Traceback" not in errors


def test_the_directory_file_is_read_at_start_not_set_per_server() -> None:
    assert "communities.directory_file" not in SETTABLE_KEYS  # PROCESS_WIDE in cogs/communities/settings.py
    assert {"communities.recommendations", "communities.page_size"} <= set(SETTABLE_KEYS)
