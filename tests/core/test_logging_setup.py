"""Logging as the process sets it up: the token never reaches the output, not even inside a traceback, and
discord.py's voice warnings (nothing a user could act on) are dropped."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import discord
import pytest

from bot.logging_setup import RedactingFormatter, setup_logging

TOKEN = "MTIzNDU2Nzg5.s3cr3t-token-value.abcdefghijklmnop"


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    """The process's logging setup, writing to a buffer; the root logger is put back afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    root.handlers = []
    setup_logging("INFO", [TOKEN])
    buffer = io.StringIO()
    for handler in root.handlers:
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(buffer)
    try:
        yield buffer
    finally:
        root.handlers, root.level = saved_handlers, saved_level


def fail_with_token_in_message() -> None:
    raise RuntimeError(f"rejected Authorization: Bot {TOKEN}")


def fail_with_token_in_a_chained_cause() -> None:
    try:
        fail_with_token_in_message()
    except RuntimeError as error:
        raise ValueError("login failed") from error


def test_token_is_scrubbed_from_a_logged_traceback(output: io.StringIO) -> None:
    try:
        fail_with_token_in_a_chained_cause()
    except ValueError:
        logging.getLogger("bot").exception("Login with %s failed", TOKEN)
    text = output.getvalue()
    assert "Traceback" in text and "fail_with_token_in_message" in text  # the traceback is there...
    assert "rejected Authorization: Bot [redacted]" in text  # ...with the exception's message scrubbed
    assert "Login with [redacted] failed" in text
    assert TOKEN not in text


def test_token_is_scrubbed_from_exc_info_passed_by_hand_and_from_stack_info(output: io.StringIO) -> None:
    error = RuntimeError(f"token {TOKEN} in a message")
    logging.getLogger("discord.http").error("request failed", exc_info=error, stack_info=True)
    logging.getLogger("bot").warning("where %s was used", TOKEN, stack_info=True)
    text = output.getvalue()
    assert "token [redacted] in a message" in text and "where [redacted] was used" in text
    assert "Stack (most recent call last)" in text
    assert TOKEN not in text


def test_the_plain_formatters_cached_traceback_is_scrubbed_too() -> None:
    # Without colours discord.py uses a plain logging.Formatter, which caches the traceback on the record.
    formatter = RedactingFormatter(logging.Formatter("%(levelname)s %(message)s"), [TOKEN])
    record = logging.LogRecord("bot", logging.ERROR, __file__, 1, "boom", None, None)
    try:
        fail_with_token_in_message()
    except RuntimeError as error:
        record.exc_info = (type(error), error, error.__traceback__)
    text = formatter.format(record)
    assert text.startswith("ERROR boom\nTraceback") and text.endswith("rejected Authorization: Bot [redacted]")
    assert record.exc_text is not None and TOKEN not in record.exc_text


def test_voice_warnings_are_dropped_and_other_warnings_kept(output: io.StringIO) -> None:
    discord.voice_client.VoiceClient.warn_nacl = True  # as on a machine without PyNaCl and davey
    discord.voice_client.VoiceClient.warn_dave = True
    discord.Client(intents=discord.Intents.none())
    logging.getLogger("discord.client").warning("Application has an interaction endpoint URL set")
    text = output.getvalue()
    assert "voice will NOT be supported" not in text
    assert "Application has an interaction endpoint URL set" in text
