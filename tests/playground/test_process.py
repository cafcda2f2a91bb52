"""`community-bot playground` as a process: it prints its URL, listens on 127.0.0.1 only and connects nowhere
else, Ctrl-C stops it with exit 0, and with --database the same server comes back on the next run."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
import urllib.request
from pathlib import Path

import psutil

URL = re.compile(r"open (http://127\.0\.0\.1:\d+/)")
LOOPBACK = "127.0.0.1"


async def start(database: Path) -> tuple[asyncio.subprocess.Process, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "playground", "--port", "0", "--database", str(database),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=database.parent,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    while True:
        line = (await asyncio.wait_for(proc.stdout.readline(), timeout=60)).decode()
        if not line:
            raise AssertionError(f"the playground stopped: {(await proc.stderr.read()).decode()[-2000:]}")  # type: ignore[union-attr]
        if found := URL.search(line):
            return proc, found.group(1)


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


async def stop(proc: asyncio.subprocess.Process) -> int:
    proc.send_signal(signal.SIGINT)
    return await asyncio.wait_for(proc.wait(), timeout=30)


async def test_it_listens_on_127_0_0_1_only_connects_nowhere_else_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    proc, url = await start(tmp_path / "play.db")
    try:
        state = await asyncio.to_thread(get, url + "api/state")
        assert state["guild"]["name"] and state["commands"]
        page = await asyncio.to_thread(lambda: urllib.request.urlopen(url, timeout=10).read().decode())
        assert "/static/app.js" in page and "http" not in page.replace("http-equiv", "")  # no CDN, no outside font
        connections = psutil.Process(proc.pid).net_connections(kind="inet")
        listening = [c for c in connections if c.status == psutil.CONN_LISTEN]
        assert len(listening) == 2  # the page and the loopback Discord
        assert all(c.laddr.ip == LOOPBACK for c in connections), connections
        assert all(not c.raddr or c.raddr.ip == LOOPBACK for c in connections), connections
    finally:
        code = await stop(proc)
    assert code == 0


async def test_with_a_database_the_same_server_comes_back(tmp_path: Path) -> None:
    database = tmp_path / "play.db"
    proc, url = await start(database)
    try:
        first = await asyncio.to_thread(get, url + "api/state")
    finally:
        assert await stop(proc) == 0
    assert database.exists() and (tmp_path / "play.db.world").exists()
    proc, url = await start(database)
    try:
        second = await asyncio.to_thread(get, url + "api/state")
    finally:
        assert await stop(proc) == 0
    assert second["guild"] == first["guild"]
    assert {t["name"] for t in second["threads"]} == {t["name"] for t in first["threads"]}
    assert len(second["threads"]) == len(first["threads"])  # not seeded again


async def test_ctrl_c_while_it_starts_exits_0_without_a_traceback(tmp_path: Path) -> None:
    for delay in (0.8, 1.6):  # importing, then most likely making the demo through the bot
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "playground", "--port", "0", cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            # as in a terminal, whatever this test runner does with SIGINT
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        await asyncio.sleep(delay)
        proc.send_signal(signal.SIGINT)
        try:
            out, err = await asyncio.wait_for(proc.communicate(), timeout=30)
        except TimeoutError:
            proc.kill()
            out, err = await proc.communicate()
            raise AssertionError(f"still running 30 s after Ctrl-C at {delay} s: {err.decode()[-3000:]}") from None
        assert proc.returncode == 0, err.decode()[-2000:]
        assert b"Traceback" not in err and b"Traceback" not in out, err.decode()[-2000:]
