"""Starting and stopping the playground: the loopback Discord, the demo server, the real bot, the web page."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord

from bot.client import CommunityBot
from bot.clock import ManualClock
from bot.environment import point_discord_at
from bot.settings import ConfigError, Settings, load_settings
from loopback import Guild, LoopbackDiscord, User
from playground import demo, persist
from playground.timetravel import TimeTravel

log = logging.getLogger("playground")
SHIPPED_CONFIG = Path(__file__).parents[1] / "data" / "config.yaml"
READY_WITHIN = 30.0


@dataclass
class Playground:
    """Everything one playground run holds; `web.py` acts on it for the page."""

    lb: LoopbackDiscord
    bot: CommunityBot
    clock: ManualClock
    guild_id: int
    members: dict[str, int]  # "owner", "moderator", ... -> user id
    database: Path
    time: TimeTravel = field(init=False)
    submitted: set[int] = field(default_factory=set)  # modals already sent (by the interaction that opened them)
    version: int = 0  # bumped by every action from the page, so live updates go out even when the bot is silent
    bot_task: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.time = TimeTravel(self.clock, self.bot.scheduler)

    @property
    def guild(self) -> Guild:
        return self.lb.world.guild(self.guild_id)

    def user(self, user_id: int) -> User:
        return self.lb.world.user(user_id)

    def save(self) -> None:
        persist.save(persist.world_file(self.database), self.lb, self.guild_id, self.clock.now(), self.members)


@contextlib.contextmanager
def quiet_if(stopping: bool) -> Iterator[None]:
    """Ctrl-C while the bot starts or the demo is made: work still in flight (answers, arming due work) fails as
    the bot closes under it; that is the stop asked for, not an error to print."""
    before = logging.root.manager.disable
    if stopping:
        logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        logging.disable(before)


async def start_bot(lb: LoopbackDiscord, settings: Settings, database: Path, clock: ManualClock
                    ) -> tuple[CommunityBot, asyncio.Task[None]]:
    """The real bot against the loopback, as tests/harness.py starts it; returns once it is ready and synced."""
    point_discord_at(lb.api_base, lb.gateway_url)
    bot = CommunityBot(settings, database, clock=clock, guild_ready_timeout=0.05)
    ready = asyncio.Event()

    async def on_ready() -> None:
        ready.set()

    bot.add_listener(on_ready, "on_ready")
    task = asyncio.create_task(bot.start(lb.token), name="playground-bot")
    waiter = asyncio.create_task(ready.wait())
    try:
        done, _ = await asyncio.wait({task, waiter}, timeout=READY_WITHIN, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()  # re-raise what stopped it
            raise RuntimeError("the bot stopped while starting")
        if waiter not in done:
            raise TimeoutError(f"the bot did not become ready within {READY_WITHIN:.0f} s")
        await lb.wait_until(lambda: lb.commands_registered(), timeout=15)
    except BaseException as error:
        waiter.cancel()
        with quiet_if(isinstance(error, asyncio.CancelledError)):
            await bot.close()
            task.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(task, timeout=10)
            # A close while the bot's setup was still opening the database finds no database to close, and the
            # setup then opens it: its threads would keep the process alive after Ctrl-C. Close what it opened.
            db = getattr(bot, "db", None)
            if db is not None:
                with contextlib.suppress(Exception):
                    await db.close()
        raise
    return bot, task


async def open_playground(database: Path, *, settings: Settings | None = None) -> Playground:
    """The loopback, the server (saved, or a fresh demo one), the bot on it; the demo seeded through the bot."""
    settings = settings or load_settings(SHIPPED_CONFIG)
    lb = await LoopbackDiscord(token="playground-token", bot_name="Community Bot").start()
    saved = persist.load(persist.world_file(database))
    if saved is not None:
        persist.restore(lb, saved)
        clock = ManualClock(max(saved.now, datetime.now(UTC)))
        guild_id, members = saved.guild_id, saved.members
    else:
        cast = demo.fresh_server(lb)
        clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
        guild_id, members = cast.guild.id, {k: u.id for k, u in cast.users.items()}
    try:
        bot, task = await start_bot(lb, settings, database, clock)
    except BaseException:
        await lb.stop()
        raise
    playground = Playground(lb, bot, clock, guild_id, members, database, bot_task=task)
    if saved is None:
        try:
            await demo.seed(lb, cast)
        except BaseException as error:
            # Nothing is saved: the next run starts afresh.
            with quiet_if(isinstance(error, asyncio.CancelledError)):
                await close_playground(playground, save=False)
            raise
        playground.save()
    return playground


async def close_playground(playground: Playground, *, save: bool = True) -> None:
    """Save the world, stop the bot (scheduler, gateway, database) and the loopback."""
    if save:
        with contextlib.suppress(OSError):
            playground.save()
    await playground.bot.close()
    if playground.bot_task is not None:
        with contextlib.suppress(discord.HTTPException, discord.ConnectionClosed, asyncio.TimeoutError):
            await asyncio.wait_for(playground.bot_task, timeout=10)
    await playground.lb.stop()


async def run(port: int, database: Path | None, *, say: Callable[[str], None] = print) -> int:
    """`community-bot playground`: take the port, start everything, print the URL, run until Ctrl-C or SIGTERM."""
    from playground.web import Holder, serve  # aiohttp's web app only for the playground

    started = time.monotonic()
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    try:
        with contextlib.ExitStack() as stack:
            if database is None:
                folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="community-bot-playground-"))
                database = Path(folder) / "playground.db"
            holder = Holder()
            try:
                runner, url = await serve(holder, port)
            except OSError as error:
                raise ConfigError(f"--port {port}: cannot serve on 127.0.0.1 ({error.strerror}); try another port"
                                  ) from None
            try:
                await until_stopped(stopping, holder, database, url, started, say)
            finally:
                await runner.cleanup()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    return 0


async def until_stopped(stopping: asyncio.Event, holder: Any, database: Path, url: str, started: float,
                        say: Callable[[str], None]) -> None:
    opening = asyncio.create_task(open_playground(database))
    stop_wait = asyncio.create_task(stopping.wait())
    await asyncio.wait({opening, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
    stop_wait.cancel()
    if not opening.done():  # Ctrl-C while starting: open_playground closes what it opened
        opening.cancel()
        # From here on the process only stops: what the bot had in flight fails as it closes under it, which is
        # the stop asked for, not an error to print (logging stays off until the process ends).
        logging.disable(logging.CRITICAL)
        with contextlib.suppress(asyncio.CancelledError):
            await opening
        # Let that work end on its own rather than be cancelled half-way by asyncio.run.
        others = {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}
        if others:
            await asyncio.wait(others, timeout=5)
        return
    holder.pg = playground = opening.result()
    try:
        say(f"Playground ready in {time.monotonic() - started:.1f} s: open {url}  (Ctrl-C stops it)")
        say(f"Database: {database}")
        await stopping.wait()
        say("Stopping the playground…")
    finally:
        holder.pg = None
        await close_playground(playground)
