"""`python -m bot` / `community-bot`: the command line of bot/cli.py, stoppable by a signal from the first moment.

Only the standard library is imported before SIGINT and SIGTERM raise KeyboardInterrupt, so a stop during the
seconds of importing discord.py and the features still exits 0 without a traceback. The start's instant is taken
here too: Discord's deadline (`DISCORD_LOGIN_TIMEOUT`) counts from it.
"""

from __future__ import annotations

import signal
import sys
import time


def main() -> None:
    """Console entry point."""
    started = time.monotonic()  # DISCORD_LOGIN_TIMEOUT counts from here
    for sig in (signal.SIGINT, signal.SIGTERM):  # both like Ctrl-C (KeyboardInterrupt, handled), even if inherited
        signal.signal(sig, signal.default_int_handler)  # as ignored, as `run` handles them both in any case
    try:
        from bot.cli import main as cli_main
    except KeyboardInterrupt:
        print("Signal received; stopped", file=sys.stderr)
        sys.exit(0)
    sys.exit(cli_main(started=started))


if __name__ == "__main__":
    main()
