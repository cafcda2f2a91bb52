"""Helpers of the insights scenarios: run an /insights command, read its text, PNGs and CSVs off the wire."""

from __future__ import annotations

import io
import re
from typing import Any

from PIL import Image

from loopback import LoopbackDiscord
from loopback.interactions import InteractionRecord

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def insights(lb: LoopbackDiscord, user_id: int, subcommand: str, **options: Any) -> InteractionRecord:
    """`/insights <subcommand>` in #general; returns once the final answer (after the deferral) is in."""
    guild = lb.guild
    ix = await lb.invoke_slash(guild.id, guild.channel("general").id, user_id, "insights", options,
                               subcommand=subcommand)
    first = await ix.wait_response()
    if first.get("type") == 5:
        await ix.wait_followup(timeout=30)
    return ix


def uploaded(lb: LoopbackDiscord, ix: InteractionRecord) -> dict[str, bytes]:
    """File name -> bytes of what the bot uploaded in its answers to this interaction."""
    files: dict[str, bytes] = {}
    for call in lb.calls:
        if ix.token in call.path:
            files.update({f["filename"]: f["data"] for f in call.files})
    return files


def png_size(data: bytes) -> tuple[int, int]:
    """The size of a PNG, after checking its signature and decoding it whole."""
    assert data[:8] == PNG_SIGNATURE
    with Image.open(io.BytesIO(data)) as image:
        image.load()  # decodes every pixel: a truncated or corrupt file raises here
        return image.size


def number(text: str, label: str) -> str:
    """The bold value after "- label:" in a report."""
    match = re.search(rf"^- {re.escape(label)}: \*\*(.+?)\*\*$", text, re.MULTILINE)
    assert match is not None, f"{label!r} not in:\n{text}"
    return match.group(1)
