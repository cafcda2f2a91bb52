"""The baseline: a bare discord.py bot with one slash command, started the same way as ours.

Benchmarks run it beside the community bot against the same loopback, so every figure is a ratio.
"""

from __future__ import annotations

import asyncio
import os
import signal

import discord
from discord import app_commands
from discord.ext import commands

from bot.environment import point_discord_at


class BareBot(commands.Bot):
    """Answers /about with a short ephemeral text; syncs to every guild it sees.

    With BARE_ANSWER_ALL=1 it also registers the commands the benchmarks send (/communities recommend and /qa
    search, with the community bot's option names) and answers each with the same short ephemeral text from its
    command callback, through discord.py's command tree as the community bot's commands go; button clicks (no view
    of its own) are answered straight from `on_interaction`. So both bots do the same discord.py work per
    interaction, and the bare bot no longer pays for a "command not found" traceback each time.
    """

    answer_all = os.environ.get("BARE_ANSWER_ALL") == "1"

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is discord.InteractionType.component and not interaction.response.is_done():
            await interaction.response.send_message("bare", ephemeral=True)

    async def setup_hook(self) -> None:
        @app_commands.command(name="about", description="bare baseline")
        async def about(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("bare", ephemeral=True)

        self.tree.add_command(about)
        if not self.answer_all:
            return
        communities = app_commands.Group(name="communities", description="bare baseline")
        qa = app_commands.Group(name="qa", description="bare baseline")

        @communities.command(name="recommend", description="bare baseline")
        async def recommend(
            interaction: discord.Interaction,
            role: str | None = None,
            interests: str | None = None,
            region: str | None = None,
            level: str | None = None,
        ) -> None:
            await interaction.response.send_message("bare", ephemeral=True)

        @qa.command(name="search", description="bare baseline")
        async def search(interaction: discord.Interaction, query: str, share: bool = False) -> None:
            await interaction.response.send_message("bare", ephemeral=True)

        self.tree.add_command(communities)
        self.tree.add_command(qa)

    async def on_ready(self) -> None:
        for guild in self.guilds:
            payload = [c.to_dict(self.tree) for c in self.tree.get_commands()]
            await self.http.bulk_upsert_guild_commands(self.application_id, guild.id, payload)


async def main() -> None:
    point_discord_at(os.environ["DISCORD_API_BASE"], os.environ["DISCORD_GATEWAY_URL"])
    intents = discord.Intents.default()
    intents.members = True
    bot = BareBot(command_prefix=commands.when_mentioned, intents=intents, help_command=None)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    runner = asyncio.create_task(bot.start(os.environ["DISCORD_TOKEN"]))
    await stop.wait()
    await bot.close()
    await runner


if __name__ == "__main__":
    asyncio.run(main())
