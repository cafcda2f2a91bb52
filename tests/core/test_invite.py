"""`community-bot invite`: the application ID from Discord (the loopback), the link with exactly the bot's
permissions, one reason per permission; the same errors and exit codes as starting the bot."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from bot.invite import NEEDED, bot_permissions, invite_text, invite_url
from loopback import LoopbackDiscord

ROOT = Path(__file__).parents[2]
# What README.md's hand-assembled link asked for before the command replaced it.
README_PERMISSIONS = 17927462177808


def test_permissions_are_the_named_flags_the_bot_uses() -> None:
    permissions = bot_permissions()
    assert permissions.value == README_PERMISSIONS
    assert all(getattr(permissions, needed.flag) for needed in NEEDED)
    assert bin(permissions.value).count("1") == len(NEEDED)  # one bit each: no flag named twice under an alias
    assert not permissions.administrator and not permissions.manage_guild
    assert len({needed.label for needed in NEEDED}) == len(NEEDED)


def test_the_link_has_the_scopes_and_the_permissions() -> None:
    url = urlsplit(invite_url(1234))
    assert (url.scheme, url.netloc, url.path) == ("https", "discord.com", "/oauth2/authorize")
    assert parse_qs(url.query) == {
        "client_id": ["1234"], "scope": ["bot applications.commands"], "permissions": [str(README_PERMISSIONS)]
    }
    assert "scope=bot+applications.commands&" in url.query


def test_the_text_gives_one_line_per_permission_saying_why() -> None:
    lines = invite_text(1234, "Community Bot").splitlines()
    assert lines[0] == invite_url(1234)
    for needed in NEEDED:
        [line] = [line for line in lines if line.strip().startswith(needed.label + "  ")]
        assert line.rstrip().endswith(needed.why)


async def run_invite(tmp_path: Path, loopback: LoopbackDiscord, token: str) -> tuple[int, str, str]:
    env = {
        "PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "HOME": str(tmp_path),
        "DISCORD_TOKEN": token, "DISCORD_API_BASE": loopback.api_base,
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "invite", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_invite_asks_discord_for_the_application_and_prints_the_link(
    tmp_path: Path, loopback: LoopbackDiscord
) -> None:
    code, out, err = await run_invite(tmp_path, loopback, loopback.token)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == (
        f"https://discord.com/oauth2/authorize?client_id={loopback.application_id}"
        f"&scope=bot+applications.commands&permissions={README_PERMISSIONS}"
    )
    assert sum(1 for needed in NEEDED if f"  {needed.label}  " in out) == len(NEEDED)
    [call] = loopback.calls
    assert (call.method, call.path, call.status) == ("GET", "/oauth2/applications/@me", 200)
    assert call.headers["Authorization"] == f"Bot {loopback.token}"
    assert call.headers["User-Agent"].startswith("DiscordBot (https://github.com/Rapptz/discord.py ")


async def test_invite_with_a_rejected_token_is_exit_2_like_the_bot(tmp_path: Path, loopback: LoopbackDiscord) -> None:
    code, out, err = await run_invite(tmp_path, loopback, "wrong-token-value")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "error: Discord rejected DISCORD_TOKEN: copy the bot token again from the Developer Portal"
    ]


async def test_invite_asks_again_while_discord_answers_5xx(tmp_path: Path, loopback: LoopbackDiscord) -> None:
    loopback.inject("GET", r"^/oauth2/applications/@me$", 502, times=1)
    code, out, err = await run_invite(tmp_path, loopback, loopback.token)
    assert (code, err) == (0, "")
    assert f"client_id={loopback.application_id}&" in out
    assert [c.status for c in loopback.calls] == [502, 200]


async def test_invite_reports_an_error_status_with_exit_3(tmp_path: Path, loopback: LoopbackDiscord) -> None:
    loopback.inject("GET", r"^/oauth2/applications/@me$", 403, times=1, code=40001)
    code, out, err = await run_invite(tmp_path, loopback, loopback.token)
    assert (code, out) == (3, "")
    assert err.splitlines() == [
        f"error: Discord could not be reached at {loopback.api_base}: it answered HTTP 403 Forbidden to GET"
        " /oauth2/applications/@me"
    ]
