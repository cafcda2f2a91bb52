"""`python -m bot` / `community-bot`: the command line of bot/cli.py, stoppable by a signal from the first moment.

Only the standard library is imported before SIGTERM is pointed at the same handler as Ctrl-C, so a stop during
the seconds of importing discord.py and the features still exits 0 without a traceback.
"""

from __future__ import annotations

import signal
import sys


def main() -> None:
    """Console entry point."""
    for sig in (signal.SIGINT, signal.SIGTERM):  # both like Ctrl-C (KeyboardInterrupt, handled), even if inherited
        signal.signal(sig, signal.default_int_handler)  # as ignored, as `run` handles them both in any case
    try:
        from bot.cli import main as cli_main
    except KeyboardInterrupt:
        print("Signal received; stopped", file=sys.stderr)
        sys.exit(0)
    sys.exit(cli_main())


if __name__ == "__main__":
    main()
