"""Logging through the standard module with discord.py's formatter; secrets are scrubbed from every line."""

from __future__ import annotations

import logging

import discord

REDACTED = "[redacted]"
# Shorter strings are no real token (Discord's are about 70 characters) and replacing them would garble every line.
MIN_SECRET_LENGTH = 8

# discord.py warns about optional voice libraries whenever a client is made; the bot has no voice feature, so
# nobody could act on these. Exactly these two messages are dropped, nothing else from that logger.
VOICE_WARNINGS = frozenset({
    "PyNaCl is not installed, voice will NOT be supported",
    "davey is not installed, voice will NOT be supported",
})


def scrub(text: str, secrets: list[str]) -> str:
    """`text` with every secret replaced by `[redacted]`."""
    for secret in _real(secrets):
        text = text.replace(secret, REDACTED)
    return text


def _real(secrets: list[str]) -> list[str]:
    return [secret for secret in secrets if len(secret) >= MIN_SECRET_LENGTH]


class RedactFilter(logging.Filter):
    """Replace secrets in a record's message, whatever logger or argument carried them.

    The traceback is formatted later, by the formatter; `RedactingFormatter` scrubs that.
    """

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = _real(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self._secrets):
            record.msg, record.args = scrub(message, self._secrets), None
        if record.exc_text:
            record.exc_text = scrub(record.exc_text, self._secrets)
        return True


class RedactingFormatter(logging.Formatter):
    """Wraps a formatter and scrubs its whole output: message, traceback (`exc_text`) and stack info."""

    def __init__(self, inner: logging.Formatter, secrets: list[str]) -> None:
        super().__init__()
        self._inner = inner
        self._secrets = _real(secrets)

    def format(self, record: logging.LogRecord) -> str:
        text = scrub(self._inner.format(record), self._secrets)
        if record.exc_text:  # the standard formatter caches the traceback on the record for other handlers
            record.exc_text = scrub(record.exc_text, self._secrets)
        return text


class DropVoiceWarnings(logging.Filter):
    """Drops discord.py's two "voice will NOT be supported" warnings."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno == logging.WARNING and record.getMessage() in VOICE_WARNINGS)


_DROP_VOICE_WARNINGS = DropVoiceWarnings()


def setup_logging(level: str, secrets: list[str]) -> None:
    """Root logging with discord.py's formatter; secrets scrubbed from every line, voice warnings dropped."""
    discord.utils.setup_logging(level=getattr(logging, level), root=True)
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactFilter(secrets))
        handler.setFormatter(RedactingFormatter(handler.formatter or logging.Formatter(), secrets))
    silence_voice_warnings()


def silence_voice_warnings() -> None:
    """Install the filter on discord.py's client logger (once); it must be there before a client is made."""
    logger = logging.getLogger("discord.client")
    if _DROP_VOICE_WARNINGS not in logger.filters:
        logger.addFilter(_DROP_VOICE_WARNINGS)


def set_level(level: str) -> None:
    """Change the root level once the settings file has said which."""
    logging.getLogger().setLevel(getattr(logging, level))
