"""A loopback Discord (REST v10 + Gateway v10 on 127.0.0.1) for testing an unmodified discord.py bot."""

from .interactions import InteractionRecord
from .server import LoopbackDiscord, RecordedCall
from .world import (
    DEFAULT_BOT_PERMISSIONS,
    Channel,
    ChannelType,
    ForumTag,
    Guild,
    Member,
    Message,
    Perm,
    Role,
    User,
)

__all__ = [
    "DEFAULT_BOT_PERMISSIONS",
    "Channel",
    "ChannelType",
    "ForumTag",
    "Guild",
    "InteractionRecord",
    "LoopbackDiscord",
    "Member",
    "Message",
    "Perm",
    "RecordedCall",
    "Role",
    "User",
]
