"""`python -m bot` / `community-bot`: the command line of bot/cli.py, stoppable by a signal from the first moment.

Only the standard library is imported before SIGINT and SIGTERM raise KeyboardInterrupt, so a stop during the
seconds of importing discord.py and the features still exits 0 without a traceback. The start's instant is taken
here too: Discord's deadline (`DISCORD_LOGIN_TIMEOUT`) counts from it.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import NoReturn


def main() -> None:
    """Console entry point."""
    started = time.monotonic()  # DISCORD_LOGIN_TIMEOUT counts from here
    for sig in (signal.SIGINT, signal.SIGTERM):  # both like Ctrl-C (KeyboardInterrupt, handled), even if inherited
        signal.signal(sig, signal.default_int_handler)  # as ignored, as `run` handles them both in any case
    try:
        from bot import cli
    except KeyboardInterrupt:
        print("Signal received; stopped", file=sys.stderr)
        _exit_after_interrupt(0)
    code = cli.main(started=started)
    if cli.interrupted:
        import logging

        logging.shutdown()  # what os._exit skips: the log handlers' last lines
        _exit_after_interrupt(code)
    sys.exit(code)


def _exit_after_interrupt(code: int) -> NoReturn:
    # os._exit, not sys.exit: after a Ctrl-C that was caught and handled, CPython sometimes still ended the process by
    # SIGINT at exit (status -2 after "Signal received; stopped"; a Ctrl-C 1-2 s into the playground's start on a busy
    # machine, while an interrupted import was running). Everything of ours is closed by then.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
