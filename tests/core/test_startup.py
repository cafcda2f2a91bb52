"""Start-up that explains itself: `python -m bot` as a real process against local sockets.

Discord that cannot be reached (refused, unresolvable, TLS, silent) is one `error:` line and exit code 3; a
signal at any step stops it with exit 0; settings problems are exit 2 even when Discord is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import discord
import pytest
from pydantic import Field, create_model

from bot import startup
from bot.discord_api import DiscordUnreachable, fetch_application
from bot.environment import load_environment
from bot.settings import ConfigError, FeatureSettings, Settings
from bot.startup import check_files
from loopback import LoopbackDiscord
from tests.databases import postgres_problem
from tests.harness import SHIPPED_CONFIG

ROOT = Path(__file__).parents[2]
TOKEN = "startup-test-token"


@dataclass
class Finished:
    code: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def lines(self) -> list[str]:
        return self.stderr.splitlines()


def bot_env(tmp_path: Path, api_base: str, **extra: str) -> dict[str, str]:
    """A clean environment (no stray .env: the process runs in tmp_path) pointing the bot at `api_base`."""
    return {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        "DISCORD_TOKEN": TOKEN,
        "BOT_CONFIG": str(SHIPPED_CONFIG),
        "BOT_DATABASE": str(tmp_path / "community.db"),
        "DISCORD_API_BASE": api_base,
        **extra,
    }


async def start(tmp_path: Path, env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def finish(proc: asyncio.subprocess.Process, started: float, within: float = 60) -> Finished:
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=within)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode is not None
    return Finished(proc.returncode, out.decode(), err.decode(), time.monotonic() - started)


async def run_bot(tmp_path: Path, env: dict[str, str], *args: str) -> Finished:
    started = time.monotonic()
    return await finish(await start(tmp_path, env, *args), started)


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port bound but not listening: connecting to it is refused (and nothing else can take it meanwhile)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


class Listener:
    """A local TCP server; `silent` accepts and never answers, else it answers whatever arrives with an HTTP 400."""

    def __init__(self, *, silent: bool, tls: ssl.SSLContext | None = None) -> None:
        self.silent, self.tls = silent, tls
        self.accepted = asyncio.Event()
        self.port = 0
        self._writers: list[asyncio.StreamWriter] = []

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        self.accepted.set()
        if self.silent:
            return  # the connection stays open and quiet
        with contextlib.suppress(OSError, ssl.SSLError):
            await reader.read(1)
            writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
            writer.close()

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[Listener]:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)
        self.port = server.sockets[0].getsockname()[1]
        try:
            yield self
        finally:
            for writer in self._writers:
                writer.close()
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 5)


def only_error(result: Finished) -> str:
    """The one line on stderr, which is an `error:` line; nothing else was printed (no traceback, no log)."""
    assert len(result.lines) == 1, result.stderr
    assert result.lines[0].startswith("error: ")
    return result.lines[0]


@pytest.mark.parametrize("command", [[], ["run"], ["invite"]], ids=["default", "run", "invite"])
async def test_connection_refused_is_one_error_line_and_exit_3(
    tmp_path: Path, closed_port: int, command: list[str]
) -> None:
    base = f"http://127.0.0.1:{closed_port}/api/v10"
    result = await run_bot(tmp_path, bot_env(tmp_path, base), *command)
    assert result.code == 3, result.stderr
    assert only_error(result) == f"error: Discord could not be reached at {base}: connection refused"
    assert result.seconds < 30
    assert not (tmp_path / "community.db").exists()  # nothing was touched before Discord answered


async def test_unresolvable_host_is_one_error_line_and_exit_3(tmp_path: Path) -> None:
    base = "http://nonexistent.invalid/api/v10"
    result = await run_bot(tmp_path, bot_env(tmp_path, base))
    assert result.code == 3, result.stderr
    assert only_error(result).startswith(
        f"error: Discord could not be reached at {base}: the host name nonexistent.invalid could not be resolved ("
    )
    assert result.seconds < 30


async def test_tls_to_a_plain_server_is_one_error_line_and_exit_3(tmp_path: Path) -> None:
    async with Listener(silent=False).serving() as plain:
        base = f"https://127.0.0.1:{plain.port}/api/v10"
        result = await run_bot(tmp_path, bot_env(tmp_path, base))
    assert result.code == 3, result.stderr
    assert only_error(result).startswith(f"error: Discord could not be reached at {base}: the TLS handshake failed (")
    assert result.seconds < 30


@pytest.fixture
def self_signed(tmp_path: Path) -> ssl.SSLContext:
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"],
        check=True, capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


async def test_self_signed_certificate_is_one_error_line_and_exit_3(
    tmp_path: Path, self_signed: ssl.SSLContext
) -> None:
    async with Listener(silent=False, tls=self_signed).serving() as server:
        base = f"https://127.0.0.1:{server.port}/api/v10"
        result = await run_bot(tmp_path, bot_env(tmp_path, base))
    assert result.code == 3, result.stderr
    assert only_error(result).startswith(
        f"error: Discord could not be reached at {base}: its TLS certificate was not accepted ("
    )


async def test_a_server_that_never_answers_is_exit_3_after_the_login_timeout(tmp_path: Path) -> None:
    async with Listener(silent=True).serving() as silent:
        base = f"http://127.0.0.1:{silent.port}/api/v10"
        result = await run_bot(tmp_path, bot_env(tmp_path, base, DISCORD_LOGIN_TIMEOUT="3"))
        assert silent.accepted.is_set()
    assert result.code == 3, result.stderr
    assert only_error(result) == f"error: Discord could not be reached at {base}: no answer within 3 s"
    assert 3 <= result.seconds < 30


async def test_the_deadline_counts_from_the_start_and_leaves_discord_at_least_a_second() -> None:
    async with Listener(silent=True).serving() as silent:
        base = f"http://127.0.0.1:{silent.port}/api/v10"
        asked = time.monotonic()
        with pytest.raises(DiscordUnreachable, match="no answer within 4 s"):
            await fetch_application(base, TOKEN, seconds=4, since=asked - 2)  # started 2 s ago: 2 s are left
        assert 1.9 <= time.monotonic() - asked < 3.5
        asked = time.monotonic()
        with pytest.raises(DiscordUnreachable, match="no answer within 4 s"):
            await fetch_application(base, TOKEN, seconds=4, since=asked - 30)  # a very slow start: still 1 s
        assert 0.9 <= time.monotonic() - asked < 2.5


@pytest.mark.parametrize("command", [[], ["invite"]], ids=["run", "invite"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
async def test_a_signal_while_discord_holds_the_login_exits_0(
    tmp_path: Path, sig: signal.Signals, command: list[str]
) -> None:
    async with Listener(silent=True).serving() as silent:
        started = time.monotonic()
        proc = await start(tmp_path, bot_env(tmp_path, f"http://127.0.0.1:{silent.port}/api/v10"), *command)
        try:
            await asyncio.wait_for(silent.accepted.wait(), 30)  # the bot is waiting for Discord's answer
        finally:
            proc.send_signal(sig)
        result = await finish(proc, started, within=30)
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr and "error:" not in result.stderr
    assert ("Signal received while waiting for Discord; stopped" if not command else "Signal received; stopped") in (
        result.stderr
    )
    assert result.stdout == ""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
async def test_a_signal_during_discord_py_login_exits_0_cleanly(
    tmp_path: Path, loopback: LoopbackDiscord, sig: signal.Signals
) -> None:
    # The check before login passes; discord.py's own login (GET /users/@me) is then held by Discord.
    hold = loopback.hold("GET", r"^/users/@me$")
    env = bot_env(tmp_path, loopback.api_base, DISCORD_TOKEN=loopback.token,
                  DISCORD_GATEWAY_URL=loopback.gateway_url)
    started = time.monotonic()
    proc = await start(tmp_path, env)
    try:
        await asyncio.wait_for(hold.reached.wait(), 30)
    finally:
        proc.send_signal(sig)
    try:
        result = await finish(proc, started, within=30)
    finally:
        hold.release()
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr and "error:" not in result.stderr
    assert "Signal received while logging in; shutting down" in result.stderr
    assert "Stopped cleanly" in result.stderr
    assert loopback.token not in result.stderr


async def test_broken_settings_are_exit_2_even_when_discord_is_down(tmp_path: Path, closed_port: int) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("channels:\n  events: my events\nroles:\n  moderatr: Mods\n")
    env = bot_env(tmp_path, f"http://127.0.0.1:{closed_port}/api/v10", BOT_CONFIG=str(config))
    result = await run_bot(tmp_path, env)
    assert result.code == 2, result.stderr
    assert result.lines == [
        f"error: {config}: channels.events: 'my events' is neither a channel ID nor a channel name"
        " (names have no spaces, '#', '@' or '<>')",
        f"error: {config}: roles.moderatr: unknown key (check the spelling; see the configuration reference in"
        " README.md)",
    ]


async def test_a_broken_community_directory_is_exit_2_even_when_discord_is_down(
    tmp_path: Path, closed_port: int
) -> None:
    directory = tmp_path / "communities.yaml"
    directory.write_text("communities:\n  - key: x\n    name: X\n    join: {platform: slak}\n")
    config = tmp_path / "config.yaml"
    config.write_text(f"communities:\n  directory_file: {directory}\n")
    env = bot_env(tmp_path, f"http://127.0.0.1:{closed_port}/api/v10", BOT_CONFIG=str(config))
    result = await run_bot(tmp_path, env)
    assert result.code == 2, result.stderr
    assert result.lines and all(line.startswith(f"error: {directory}: communities[x]") for line in result.lines)
    assert any("'slak' is not a known platform" in line for line in result.lines)
    assert "Traceback" not in result.stderr and "could not be reached" not in result.stderr


async def test_a_bad_login_timeout_is_a_configuration_problem(tmp_path: Path, closed_port: int) -> None:
    env = bot_env(tmp_path, f"http://127.0.0.1:{closed_port}/api/v10", DISCORD_LOGIN_TIMEOUT="soon")
    result = await run_bot(tmp_path, env)
    assert result.code == 2
    assert result.lines == ["error: DISCORD_LOGIN_TIMEOUT: 'soon' is not a positive number of seconds"]


async def test_a_rejected_token_is_exit_2_before_anything_is_set_up(tmp_path: Path, loopback: LoopbackDiscord) -> None:
    env = bot_env(tmp_path, loopback.api_base, DISCORD_TOKEN="wrong-token-value")
    result = await run_bot(tmp_path, env)
    assert result.code == 2
    assert result.lines == [
        "error: Discord rejected DISCORD_TOKEN: copy the bot token again from the Developer Portal"
    ]
    assert [c.path for c in loopback.calls] == ["/oauth2/applications/@me"]
    assert not (tmp_path / "community.db").exists()


# ---- the check_files hook, with a settings model of the test's own


class ListSettings(FeatureSettings):
    """A feature section naming a file, as the communities directory does."""

    section_name: ClassVar[str] = "lists"
    list_file: str = "lists.yaml"

    def check_files(self) -> None:
        path = Path(self.list_file)
        if not path.is_file():
            raise ConfigError(f"{path}: lists.list_file: file not found")
        if path.read_text() != "ok\n":
            raise ConfigError(f"{path}: lists.list_file: must say ok")


class NothingToCheck(FeatureSettings):
    section_name: ClassVar[str] = "plain"
    size: int = 3


def composed(**sections: type[FeatureSettings]) -> type[Settings]:
    fields: dict[str, Any] = {key: (model, Field(default_factory=model)) for key, model in sections.items()}
    model: type[Settings] = create_model("Settings", __base__=Settings, **fields)
    return model


def test_check_files_runs_every_sections_hook_and_reports_every_problem(tmp_path: Path) -> None:
    model = composed(lists=ListSettings, more=ListSettings, plain=NothingToCheck)
    good = tmp_path / "good.yaml"
    good.write_text("ok\n")
    (tmp_path / "bad.yaml").write_text("not ok\n")
    check_files(model.model_validate({"lists": {"list_file": str(good)}, "more": {"list_file": str(good)}}))
    with pytest.raises(ConfigError) as raised:
        check_files(model.model_validate({
            "lists": {"list_file": str(tmp_path / "missing.yaml")}, "more": {"list_file": str(tmp_path / "bad.yaml")}
        }))
    assert str(raised.value).splitlines() == [
        f"{tmp_path / 'missing.yaml'}: lists.list_file: file not found",
        f"{tmp_path / 'bad.yaml'}: lists.list_file: must say ok",
    ]


def test_the_default_hook_checks_nothing() -> None:
    check_files(composed(plain=NothingToCheck)())
    assert NothingToCheck().check_files() is None


async def test_files_are_checked_before_discord_is_asked(
    tmp_path: Path, closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)  # start() points discord.py elsewhere
    level = logging.getLogger().level  # and sets the root level
    env = load_environment({"DISCORD_TOKEN": TOKEN, "DISCORD_API_BASE": f"http://127.0.0.1:{closed_port}/api/v10"})
    settings = composed(lists=ListSettings).model_validate({"lists": {"list_file": str(tmp_path / "none.yaml")}})
    try:
        with pytest.raises(ConfigError, match=r"none\.yaml: lists\.list_file: file not found"):
            await startup.start(env, settings, asyncio.Event())
        (tmp_path / "none.yaml").write_text("ok\n")
        with pytest.raises(DiscordUnreachable, match="connection refused"):  # files fine: then Discord is asked
            await startup.start(env, settings, asyncio.Event())
    finally:
        logging.getLogger().setLevel(level)


# ---- the database named by BOT_DATABASE

async def test_an_unreachable_postgresql_is_one_error_line_and_exit_3(
    tmp_path: Path, loopback: LoopbackDiscord, closed_port: int
) -> None:
    url = f"postgresql://bot:secret@127.0.0.1:{closed_port}/community"
    env = bot_env(tmp_path, loopback.api_base, DISCORD_TOKEN=loopback.token, BOT_DATABASE=url)
    result = await run_bot(tmp_path, env)
    assert result.code == 3, result.stderr
    assert result.lines == [
        f"error: PostgreSQL could not be reached at postgresql://bot:***@127.0.0.1:{closed_port}/community:"
        " connection refused"
    ]
    assert "secret" not in result.stderr


async def test_a_missing_postgresql_database_is_exit_2(tmp_path: Path, loopback: LoopbackDiscord) -> None:
    if postgres_problem() is not None:
        pytest.skip(postgres_problem())
    url = "postgresql://postgres@127.0.0.1:5432/no_such_database_here"
    env = bot_env(tmp_path, loopback.api_base, DISCORD_TOKEN=loopback.token, BOT_DATABASE=url)
    result = await run_bot(tmp_path, env)
    assert result.code == 2, result.stderr
    assert result.lines == [
        f"error: BOT_DATABASE: {url}: no such database (create it first: createdb ...)"
    ]


async def test_a_database_url_of_another_kind_is_refused_by_name(tmp_path: Path, closed_port: int) -> None:
    env = bot_env(tmp_path, f"http://127.0.0.1:{closed_port}/api/v10", BOT_DATABASE="mysql://root@localhost/bot")
    result = await run_bot(tmp_path, env)
    assert result.code == 2
    assert result.lines == [
        "error: BOT_DATABASE: mysql:// databases are not supported: give a file path for SQLite, or a"
        " postgresql:// URL"
    ]
    assert not (tmp_path / "mysql:").exists()  # before, such a value became a folder holding a SQLite file
