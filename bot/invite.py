"""The invite link: the scopes and exactly the permissions the bot uses, each with the reason it is asked for.

The reasons are marked with N_(): the terminal shows them in English, /setup check in the manager's language."""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bot.i18n import N_

SCOPES = ("bot", "applications.commands")


@dataclass(frozen=True)
class Needed:
    """One permission the bot asks for: discord.py's flag name, the Developer Portal's label, and why."""

    flag: str
    label: str
    why: str


# The one place the bot's permissions are decided; README.md points at `community-bot invite`, which prints them.
NEEDED: tuple[Needed, ...] = (
    Needed("view_channel", "View Channels", N_("see the configured channels, the Q&A forum and their threads")),
    Needed("send_messages", "Send Messages", N_("welcomes, event announcements and reminders, the moderators' log")),
    Needed("send_messages_in_threads", "Send Messages in Threads", N_("nudges and notes in Q&A threads")),
    Needed("create_public_threads", "Create Public Threads", N_("a thread for each question asked with /ask")),
    Needed("manage_threads", "Manage Threads", N_("tag solved Q&A posts and archive quiet ones")),
    Needed("manage_channels", "Manage Channels", N_("add the Solved tag to the Q&A forum when it is missing")),
    Needed("embed_links", "Embed Links", N_("the embeds of /about, /communities and events")),
    Needed("attach_files", "Attach Files", N_("the calendar file of /event export (.ics)")),
    Needed("read_message_history", "Read Message History", N_("catch up on Q&A threads after a restart")),
    Needed("mention_everyone", "Mention Everyone", N_("only to ping a role an organiser or moderator picks")),
    Needed("manage_roles", "Manage Roles", N_("give onboarding roles (keep the bot's role above the roles it gives)")),
    Needed("manage_events", "Manage Events", N_("keep Discord's scheduled events in step with /event edit and cancel")),
    Needed("create_events", "Create Events", N_("create Discord's own scheduled event for each meetup")),
)


def bot_permissions() -> discord.Permissions:
    """The permissions the bot uses, as discord.py's named flags (an unknown name is a TypeError)."""
    return discord.Permissions(**{needed.flag: True for needed in NEEDED})


def invite_url(application_id: int) -> str:
    """The OAuth2 link that adds the bot to a server with its scopes and permissions."""
    return (
        f"https://discord.com/oauth2/authorize?client_id={application_id}"
        f"&scope={'+'.join(SCOPES)}&permissions={bot_permissions().value}"
    )


def invite_text(application_id: int, application_name: str) -> str:
    """What `community-bot invite` prints: the link first (alone on its line), then why each permission."""
    width = max(len(needed.label) for needed in NEEDED)
    lines = [
        invite_url(application_id),
        "",
        f"Open the link as a server manager to add {application_name or 'the bot'} to a server. It asks for:",
        *(f"  {needed.label:<{width}}  {needed.why}" for needed in NEEDED),
        "",
        "Also turn on Bot > Privileged Gateway Intents > Server Members Intent in the Developer Portal.",
    ]
    return "\n".join(lines)
