"""The bot as a real process against the loopback: it starts, answers, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

from loopback import LoopbackDiscord
from tests.harness import SHIPPED_CONFIG

ROOT = Path(__file__).parents[2]


async def test_sigterm_stops_the_process_cleanly_and_the_token_is_never_logged(
    loopback: LoopbackDiscord, tmp_path: Path
) -> None:
    database = tmp_path / "community.db"
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "DISCORD_TOKEN": loopback.token,
        "BOT_CONFIG": str(SHIPPED_CONFIG),
        "BOT_DATABASE": str(database),
        "DISCORD_API_BASE": loopback.api_base,
        "DISCORD_GATEWAY_URL": loopback.gateway_url,
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await loopback.wait_until(lambda: loopback.commands_registered(loopback.guild.id), timeout=30)
        guild = loopback.guild
        ix = await loopback.invoke_slash(guild.id, guild.channel("general").id, guild.owner_id, "about")
        await ix.wait_response()
        assert "Gateway latency" in ix.content_text()
        proc.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(proc.communicate(), timeout=30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    log = output.decode()
    assert proc.returncode == 0, log
    assert "Stopped cleanly" in log
    assert loopback.token not in log
    assert "voice will NOT be supported" not in log  # discord.py's warnings nobody could act on
    assert "WARNING" not in log and "ERROR" not in log and "Traceback" not in log
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


async def test_once_logged_in_a_gateway_drop_is_ridden_out(loopback: LoopbackDiscord, tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "DISCORD_TOKEN": loopback.token,
        "BOT_CONFIG": str(SHIPPED_CONFIG),
        "BOT_DATABASE": str(tmp_path / "community.db"),
        "DISCORD_API_BASE": loopback.api_base,
        "DISCORD_GATEWAY_URL": loopback.gateway_url,
        "DISCORD_LOGIN_TIMEOUT": "3",  # the deadline is for the start only
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await loopback.wait_until(lambda: loopback.commands_registered(loopback.guild.id), timeout=30)
        await loopback.drop_gateway(code=1006)
        await loopback.wait_until(lambda: loopback.gateway.resume_count + loopback.gateway.identify_count >= 2, 30)
        await asyncio.sleep(4)  # longer than the start's deadline: nothing times out once logged in
        guild = loopback.guild
        ix = await loopback.invoke_slash(guild.id, guild.channel("general").id, guild.owner_id, "about")
        await ix.wait_response()
        assert "Gateway latency" in ix.content_text()
        assert proc.returncode is None
        proc.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(proc.communicate(), timeout=30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, output.decode()
    assert "error:" not in output.decode()
