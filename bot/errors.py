"""One error path for every command and component: a clear ephemeral answer, a logged traceback with a ref."""

from __future__ import annotations

import functools
import logging
import secrets
import string
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot import i18n
from bot.answer_in_time import reply
from bot.discord_helpers import permission_name
from bot.i18n import N_, _

log = logging.getLogger(__name__)

_REF_ALPHABET = string.ascii_uppercase + string.digits


class UserFacingError(Exception):
    """An expected problem whose message is shown to the user as is (ephemeral)."""


def new_ref() -> str:
    """A short reference a user can quote and a moderator can grep for in the log."""
    return "".join(secrets.choice(_REF_ALPHABET) for _ in range(6))


# What a member typed that could not be read as the option's type, one whole sentence per type.
NOT_VALID: dict[str, str] = {
    "string": N_("`{value}` is not a valid string."),
    "integer": N_("`{value}` is not a valid integer."),
    "number": N_("`{value}` is not a valid number."),
    "boolean": N_("`{value}` is not a valid boolean."),
    "user": N_("`{value}` is not a valid user."),
    "channel": N_("`{value}` is not a valid channel."),
    "role": N_("`{value}` is not a valid role."),
    "mentionable": N_("`{value}` is not a valid mentionable."),
    "attachment": N_("`{value}` is not a valid attachment."),
}


def _permission_names(perms: list[str]) -> str:
    return i18n.join([f"**{permission_name(p)}**" for p in perms])


def describe_check_failure(error: app_commands.AppCommandError) -> str | None:
    """The user-facing text for an expected failure (in the member's language), or None when it is a bug."""
    if isinstance(error, app_commands.CommandInvokeError) and isinstance(error.original, UserFacingError):
        return str(error.original)
    if isinstance(error, app_commands.MissingPermissions):
        return _("You need the {permissions} permission to use this.").format(
            permissions=_permission_names(error.missing_permissions)
        )
    if isinstance(error, app_commands.BotMissingPermissions):
        return _("I need the {permissions} permission here to do that.").format(
            permissions=_permission_names(error.missing_permissions)
        )
    if isinstance(error, app_commands.NoPrivateMessage):
        return _("This command only works in a server.")
    if isinstance(error, app_commands.CommandOnCooldown):
        return _("Slow down: try again in {seconds} s.").format(seconds=i18n.number(round(error.retry_after)))
    if isinstance(error, app_commands.TransformerError):
        kind = error.type.name.lower()
        sentence = NOT_VALID.get(kind)
        value = str(error.value)
        return _(sentence).format(value=value) if sentence else f"`{value}` is not a valid {kind}."
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or _("You are not allowed to use this.")
    return None


async def reply_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Answer or follow up, whichever is still possible; never raises."""
    try:
        await reply(interaction, text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())
    except discord.HTTPException:
        log.warning("Could not send an error reply for interaction %s", interaction.id, exc_info=True)


async def handle_interaction_error(interaction: discord.Interaction, error: Exception) -> None:
    """Tell the user what went wrong; log unexpected errors with a ref the user sees."""
    if isinstance(error, UserFacingError):
        await reply_ephemeral(interaction, str(error))
        return
    if isinstance(error, app_commands.AppCommandError):
        text = describe_check_failure(error)
        if text is not None:
            await reply_ephemeral(interaction, text)
            return
    original = getattr(error, "original", error)
    ref = new_ref()
    where = interaction.command.qualified_name if interaction.command else f"component {interaction.data}"
    log.error("Unhandled error (ref %s) in %s", ref, where, exc_info=original)
    text = _("Something went wrong on my side (ref `{ref}`). A moderator can look it up.").format(ref=ref)
    await reply_ephemeral(interaction, text)


_Callback = TypeVar("_Callback", bound=Callable[..., Awaitable[Any]])


def guarded(callback: _Callback) -> _Callback:
    """Route a DynamicItem callback's exceptions to the shared error path (discord.py only logs them)."""

    @functools.wraps(callback)
    async def wrapper(self: Any, interaction: discord.Interaction, *args: Any, **kwargs: Any) -> Any:
        try:
            return await callback(self, interaction, *args, **kwargs)
        except Exception as error:
            await handle_interaction_error(interaction, error)
            return None

    return wrapper  # type: ignore[return-value]


class CommandTree(app_commands.CommandTree):
    """The command tree with the shared error path."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await handle_interaction_error(interaction, error)


class BaseView(discord.ui.View):
    """A view whose errors take the shared path."""

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]) -> None:
        await handle_interaction_error(interaction, error)


class BaseModal(discord.ui.Modal):
    """A modal whose errors take the shared path."""

    # discord.py 2.7 types Modal.on_error without the item its base class passes; this is Modal's own signature.
    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:  # type: ignore[override]
        await handle_interaction_error(interaction, error)
