"""Logging through the standard module with discord.py's formatter; secrets are scrubbed from every line."""

from __future__ import annotations

import logging

import discord


class RedactFilter(logging.Filter):
    """Replace secrets in the final message text, whatever logger or argument carried them."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self._secrets):
            for secret in self._secrets:
                message = message.replace(secret, "[redacted]")
            record.msg, record.args = message, None
        if record.exc_text:
            for secret in self._secrets:
                record.exc_text = record.exc_text.replace(secret, "[redacted]")
        return True


def setup_logging(level: str, secrets: list[str]) -> None:
    """Root logging with discord.py's formatter and a redacting filter on the handler."""
    discord.utils.setup_logging(level=getattr(logging, level), root=True)
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactFilter(secrets))
