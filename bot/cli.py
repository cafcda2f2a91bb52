"""The command line: `community-bot [run | invite | ...]`; each subcommand is one function registered below.

Exit codes, the same for every subcommand:

- 0: done, or stopped cleanly (Ctrl-C, SIGTERM)
- 1: an unexpected error (a bug): its traceback is logged
- 2: a configuration problem: token missing or rejected, settings, a file they name, intents
- 3: Discord could not be reached (network, DNS, TLS, no answer, its server errors); a service manager may retry

Every problem is printed as lines that start with `error:`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

import discord
from dotenv import load_dotenv

from bot.database import DatabaseRefused, DatabaseTarget, DatabaseUnavailable, parse_target, redact
from bot.discord_api import DiscordUnreachable, fetch_application
from bot.environment import Environment, load_database, load_environment, point_discord_at
from bot.invite import invite_text
from bot.logging_setup import scrub, setup_logging
from bot.settings import ConfigError

log = logging.getLogger("bot")

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_CONFIG = 2
EXIT_UNREACHABLE = 3

PROG = "community-bot"
DEFAULT_COMMAND = "run"


@dataclass(frozen=True)
class Subcommand:
    """One subcommand: its name, one line of help, the function (args -> exit code), its own arguments."""

    name: str
    help: str
    function: Callable[[argparse.Namespace], int]
    arguments: Callable[[argparse.ArgumentParser], None] | None = None


SUBCOMMANDS: dict[str, Subcommand] = {}


def subcommand(
    name: str, help: str, arguments: Callable[[argparse.ArgumentParser], None] | None = None
) -> Callable[[Callable[[argparse.Namespace], int]], Callable[[argparse.Namespace], int]]:
    """Register a function as `community-bot <name>`; it returns the exit code or raises ConfigError or
    DiscordUnreachable, which main reports."""

    def register(function: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        SUBCOMMANDS[name] = Subcommand(name, help, function, arguments)
        return function

    return register


SECRETS: list[str] = []  # the token once the environment is read: no printed or logged line carries it


def environment() -> Environment:
    """The environment (and `.env`), with logging set up to scrub the token from every line."""
    env = load_environment()
    SECRETS[:] = [env.token]
    setup_logging("INFO", SECRETS)
    return env


@subcommand("run", "run the bot until Ctrl-C or SIGTERM (what no subcommand does)")
def run(args: argparse.Namespace) -> int:
    from bot.startup import run_bot  # the client and every feature are imported only to run the bot

    return asyncio.run(run_bot(environment(), args.started))


@subcommand("invite", "print the link that adds the bot to a server, and why it asks for each permission")
def invite(args: argparse.Namespace) -> int:
    env = environment()
    point_discord_at(env.api_base, env.gateway_url)
    application = asyncio.run(
        fetch_application(discord.http.Route.BASE, env.token, seconds=env.login_timeout, since=args.started)
    )
    print(invite_text(application.id, application.name))
    return EXIT_OK


def _migrate_db_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--to", required=True, metavar="POSTGRESQL_URL",
                        help="an empty PostgreSQL database, e.g. postgresql://bot:secret@db.example/community")


@subcommand(
    "migrate-db", "copy the SQLite database (BOT_DATABASE) into an empty PostgreSQL database (docs/scaling.md)",
    _migrate_db_arguments,
)
def migrate_db(args: argparse.Namespace) -> int:
    from bot.client import all_migrations  # discord.py and the features only to know their migrations
    from bot.discovery import feature_packages
    from bot.migrate_db import CopyMismatch
    from bot.migrate_db import migrate_db as copy

    SECRETS[:] = [secret for secret in (urlsplit(args.to).password,) if secret]
    setup_logging("INFO", SECRETS)
    source = load_database()
    try:
        target = parse_target(args.to.strip())
    except ValueError as error:
        raise ConfigError(f"--to: {error}") from None
    if not isinstance(source, Path):
        raise ConfigError(f"BOT_DATABASE is already PostgreSQL ({redact(source)}): migrate-db copies a SQLite file")
    if isinstance(target, Path):
        raise ConfigError(f"--to: {args.to!r} is not a postgresql:// URL")
    try:
        report_ = asyncio.run(copy(source, target, all_migrations(feature_packages())))
    except CopyMismatch as error:
        report(f"{error}\nNothing was copied: the PostgreSQL database is as empty as before.")
        return EXIT_UNEXPECTED
    print(f"Done in {report_.seconds:.1f} s: {report_.rows:,} rows of {len(report_.tables)} tables copied from"
          f" {source} to {redact(target)}. Skipped (SQLite only): {', '.join(report_.skipped) or 'none'}.")
    print(f"Next: stop the bot if it still runs, set BOT_DATABASE={redact(target)} and start it (docs/scaling.md).")
    return EXIT_OK


def _backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dest", metavar="DEST", help="the backup file to write, e.g. backups/community-2025-06-01.db")


@subcommand(
    "backup", "copy the live database (BOT_DATABASE) into the file DEST, while the bot runs (docs/backups.md)",
    _backup_arguments,
)
def backup_command(args: argparse.Namespace) -> int:
    from bot.backup import BackupError, backup  # no Discord: a second gateway session would steal interactions

    source = _database_alone()
    try:
        done = backup(source, Path(args.dest))
    except BackupError as error:
        report(str(error))
        return EXIT_CONFIG
    checked = " (integrity_check ok)" if isinstance(source, Path) else " (pg_dump custom format)"
    print(f"{done.path}: {done.size_bytes:,} bytes in {done.seconds:.1f} s{checked}")
    return EXIT_OK


def _restore_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a backup made by `community-bot backup`")


@subcommand(
    "restore", "put the backup FILE in place of the database (BOT_DATABASE); stop the bot first (docs/backups.md)",
    _restore_arguments,
)
def restore_command(args: argparse.Namespace) -> int:
    from bot.backup import BackupError, restore

    target = _database_alone()
    try:
        restore(Path(args.file), target)
    except BackupError as error:
        report(str(error))
        return EXIT_CONFIG
    assert isinstance(target, Path)  # restore() refuses PostgreSQL with the pg_restore line to run
    print(f"{target}: restored from {args.file}; the previous file is kept as {target.name}.before-restore")
    return EXIT_OK


def _database_alone() -> DatabaseTarget:
    """BOT_DATABASE for a command that needs no token; a PostgreSQL password never reaches a printed line."""
    target = load_database()
    if isinstance(target, str):
        SECRETS[:] = [secret for secret in (urlsplit(target).password,) if secret]
    return target


def _playground_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8765, help="the page's port on 127.0.0.1 (default 8765; 0: any)")
    parser.add_argument("--database", type=Path, default=None, metavar="PATH",
                        help="a SQLite file kept between runs (with PATH.world beside it); default: a temporary one")


@subcommand(
    "playground", "try the bot in a browser: no token, no network (a local Discord, a demo server, the real bot)",
    _playground_arguments,
)
def playground(args: argparse.Namespace) -> int:
    from playground.app import run as run_playground  # the bot, its features and the loopback only here

    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port: {args.port} is not a port number (0-65535)")
    if args.database is not None and not args.database.parent.is_dir():
        raise ConfigError(f"--database: the folder {args.database.parent} does not exist")
    setup_logging("ERROR", SECRETS)  # a fresh demo server's "no channel named ..." before /setup create is noise
    code = asyncio.run(run_playground(args.port, args.database))
    # Stopped while the bot was still starting, a database connection it was opening may be left with its worker
    # thread, which would keep the process alive after Ctrl-C; nothing is left to write by then.
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


class Parser(argparse.ArgumentParser):
    """argparse with its usage errors as `error:` lines, like every other problem, and exit code 2."""

    def error(self, message: str) -> NoReturn:
        report(f"{message} (see {PROG} --help)")
        sys.exit(EXIT_CONFIG)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        usage=f"{PROG} [-h] [COMMAND]",
        description="A Discord bot for data communities. Without a command it runs the bot.",
        epilog="exit codes: 0 stopped cleanly, 1 unexpected error, 2 configuration problem (token, settings,"
        " files, intents), 3 Discord could not be reached. Settings: README.md.",
    )
    commands = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND", parser_class=Parser)
    for sub in SUBCOMMANDS.values():
        child = commands.add_parser(sub.name, prog=f"{PROG} {sub.name}", help=sub.help, description=sub.help)
        if sub.arguments is not None:
            sub.arguments(child)
    return parser


def report(problem: str) -> None:
    """Print a problem on stderr, every line starting with `error:`."""
    for line in scrub(problem, SECRETS).splitlines() or [""]:
        print(f"error: {line}", file=sys.stderr)


def say(message: str) -> None:
    """A short note on stderr: through logging once it is set up, else plainly."""
    if logging.getLogger().handlers:
        log.info(message)
    else:
        print(message, file=sys.stderr)


# Set when main() stopped on a signal's KeyboardInterrupt: bot/__main__.py then ends the process with os._exit.
interrupted = False


def main(argv: list[str] | None = None, *, started: float | None = None) -> int:
    """Parse the command line, run the subcommand, turn what it raised into `error:` lines and an exit code.

    `started` is the `time.monotonic()` of the process's start (bot/__main__.py), given to subcommands as
    `args.started`: Discord's deadline counts from it.
    """
    started = time.monotonic() if started is None else started
    try:
        load_dotenv(".env")  # from the folder the bot is started in, not next to this file
        args = build_parser().parse_args(argv)
        args.started = started
        return SUBCOMMANDS[args.command or DEFAULT_COMMAND].function(args)
    except KeyboardInterrupt:  # SIGINT or SIGTERM before the bot's own handlers were installed or after
        global interrupted
        interrupted = True
        say("Signal received; stopped")
        return EXIT_OK
    except ConfigError as error:
        report(str(error))
        return EXIT_CONFIG
    except DatabaseRefused as error:
        report(str(error))
        return EXIT_CONFIG
    except (DiscordUnreachable, DatabaseUnavailable) as error:
        report(str(error))
        return EXIT_UNREACHABLE
    except Exception as error:
        log.critical("Stopped by an unexpected error", exc_info=error)
        report(f"unexpected {type(error).__name__}: {error} (a bug; the traceback is above)")
        return EXIT_UNEXPECTED
