"""Q&A commands: /ask, the "Mark as answer" message command, /qa search|unanswered|leaderboard|stats|reopen."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.answer_in_time import in_time, reply
from bot.client import CommunityBot
from bot.discord_helpers import clip, jump_url
from bot.errors import UserFacingError
from cogs.qa.answers import AnswerFlow
from cogs.qa.asking import AskFlow
from cogs.qa.reports import PERIODS, Reports, TagStats
from cogs.qa.runner import HOUSEKEEPING_EVERY, HOUSEKEEPING_JOB_ID, JOB_ID, DueRunner
from cogs.qa.search import QuestionSearch
from cogs.qa.service import hit_line
from cogs.qa.store import QAStore, unix
from cogs.qa.text import format_age, format_duration, inert, split_tags
from cogs.qa.tracking import TrackingListeners
from cogs.qa.views import COG_NAME, DraftButton, ReopenButton

log = logging.getLogger(__name__)

PERIOD_CHOICES = [
    app_commands.Choice(name="last 7 days", value="week"),
    app_commands.Choice(name="last 30 days", value="month"),
    app_commands.Choice(name="last 365 days", value="year"),
    app_commands.Choice(name="all time", value="all"),
]


class QACog(TrackingListeners, commands.Cog, name=COG_NAME):
    """Questions in threads, accepted answers, search, reminders."""

    qa = app_commands.Group(name="qa", description="Search, browse and manage questions", guild_only=True)

    def __init__(self, bot: CommunityBot) -> None:
        self.bot = bot
        self.store = QAStore(bot.db)
        self.search_index = QuestionSearch(bot.db)
        self.reports = Reports(bot.db)
        self.runner = DueRunner(bot, self.store)
        self.asking = AskFlow(self)
        self.answers = AnswerFlow(self)
        self.mark_menu = app_commands.ContextMenu(name="Mark as answer", callback=self.mark_as_answer)
        self.mark_menu.guild_only = True

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.mark_menu)
        self.bot.add_dynamic_items(DraftButton, ReopenButton)
        self.bot.scheduler.register_rebuilder("qa", self.runner.rebuild)
        self.bot.scheduler.every(HOUSEKEEPING_JOB_ID, HOUSEKEEPING_EVERY, self.runner.housekeeping)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.mark_menu.name, type=self.mark_menu.type)
        self.bot.remove_dynamic_items(DraftButton, ReopenButton)
        self.bot.scheduler.cancel(JOB_ID)
        self.bot.scheduler.cancel(HOUSEKEEPING_JOB_ID)

    async def about_counts(self) -> dict[str, int]:
        """What this feature stores, for /about."""
        return await self.store.counts()

    # --- asking and answering --------------------------------------------------------------------

    @app_commands.command(name="ask", description="Ask the community a question (opens a short form)")
    @app_commands.guild_only()
    @app_commands.checks.cooldown(5, 600, key=lambda i: (i.guild_id, i.user.id))
    async def ask(self, interaction: discord.Interaction) -> None:
        await self.asking.open_modal(interaction)

    async def mark_as_answer(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """Accept this reply as the answer to the thread's question."""
        await self.answers.mark(interaction, message)

    @qa.command(name="reopen", description="Undo the accepted answer of this question (asker or moderators)")
    async def qa_reopen(self, interaction: discord.Interaction) -> None:
        await self.answers.reopen(interaction)

    # --- finding ---------------------------------------------------------------------------------

    @qa.command(name="search", description="Search past questions and their accepted answers")
    @app_commands.describe(query="Words to look for", share="Post the results in the channel for everyone")
    async def qa_search(
        self, interaction: discord.Interaction, query: app_commands.Range[str, 1, 200], share: bool = False
    ) -> None:
        # Over a million questions a search can queue behind others at busy times: defer rather than let
        # Discord drop the interaction.
        search = self.search_index.search(interaction.guild.id, query)
        hits, loose = await in_time(interaction, search, ephemeral=not share)
        shown = inert(clip(" ".join(query.split()), 80))
        if not hits:
            raise UserFacingError(f"No question matches `{shown}`. Try other words, or ask it with /ask.")
        now = unix(self.bot.clock.now())
        lines = [hit_line(hit, interaction.guild.id, now) for hit in hits]
        embed = discord.Embed(title=clip(f"Questions matching “{' '.join(query.split())}”", 256), colour=0x2B7A78)
        embed.description = clip("\n".join(lines), 4096)
        footer = "Best matches first. ✅ solved · ❓ open"
        if loose:
            footer += " · no question had every word, so these have some of them"
        embed.set_footer(text=footer)
        await reply(interaction, embed=embed, ephemeral=not share)

    @qa.command(name="unanswered", description="Open questions, oldest first")
    @app_commands.describe(tag="Only questions with this tag")
    async def qa_unanswered(
        self, interaction: discord.Interaction, tag: app_commands.Range[str, 1, 40] | None = None
    ) -> None:
        listing = self.reports.unanswered(interaction.guild.id, tag)
        questions, total = await in_time(interaction, listing, ephemeral=True)
        label = f" tagged `{inert(tag)}`" if tag else ""
        if not questions:
            await reply(interaction, f"No open questions{label}. 🎉", ephemeral=True)
            return
        now = unix(self.bot.clock.now())
        lines = []
        for q in questions:
            count = q.reply_count
            replies = "no reply yet" if count == 0 else f"{count} repl{'y' if count == 1 else 'ies'}"
            tags = ", ".join(split_tags(q.tags))
            tag_text = f" · {inert(tags)}" if tags else ""
            lines.append(
                f"❓ [{inert(clip(q.title, 90))}]({jump_url(interaction.guild.id, q.thread_id)})"
                f" · {format_age(now - q.created_at)} old · {replies}{tag_text}"
            )
        embed = discord.Embed(title=f"Open questions{label}"[:256], description=clip("\n".join(lines), 4096))
        embed.set_footer(text=f"Showing {len(questions)} of {total}, oldest first. Archived posts are not listed.")
        await reply(interaction, embed=embed, ephemeral=True)

    @qa_unanswered.autocomplete("tag")
    async def _tag_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        names = await self.reports.known_tags(interaction.guild.id, current.strip())
        return [app_commands.Choice(name=name[:100], value=name[:40]) for name in names][:25]

    @qa.command(name="leaderboard", description="Members with the most accepted answers")
    @app_commands.choices(period=PERIOD_CHOICES)
    async def qa_leaderboard(self, interaction: discord.Interaction, period: str = "month") -> None:
        settings = await self.bot.guild_config(interaction.guild.id)
        if not settings.qa.leaderboard:
            raise UserFacingError("The leaderboard is turned off on this server.")
        since = self._since(period)
        rows = await in_time(interaction, self.reports.leaderboard(interaction.guild.id, since), ephemeral=True)
        name = next(c.name for c in PERIOD_CHOICES if c.value == period)
        if not rows:
            await reply(interaction, f"No accepted answers in the {name} yet.", ephemeral=True)
            return
        medals = ["🥇", "🥈", "🥉"]
        lines = [
            f"{medals[i] if i < 3 else f'`{i + 1}.`'} <@{user_id}> · {count} accepted answer{'s' * (count != 1)}"
            for i, (user_id, count) in enumerate(rows)
        ]
        if interaction.user.id not in {user_id for user_id, _ in rows}:
            mine = await self.reports.credit(interaction.guild.id, interaction.user.id, since)
            lines.append(f"\nYou: {mine} accepted answer{'s' * (mine != 1)}")
        embed = discord.Embed(title=f"Most helpful members · {name}", description="\n".join(lines), colour=0xF2B705)
        embed.set_footer(text="An answer counts when the asker (or a moderator) marks it. Self-answers do not count.")
        await reply(interaction, embed=embed, ephemeral=True)

    @qa.command(name="stats", description="Q&A figures per tag (moderators)")
    @app_commands.choices(period=PERIOD_CHOICES)
    async def qa_stats(self, interaction: discord.Interaction, period: str = "month") -> None:
        # Discord hides only whole commands by permission, not one subcommand of /qa: checked here.
        if not (await self.answers.actor(interaction)).can_manage_threads:
            raise UserFacingError("Only moderators (Manage Threads, Manage Server or the moderator role) see stats.")
        # Over a million questions the whole history takes seconds: defer rather than let Discord drop it.
        stats = self.reports.stats(interaction.guild.id, self._since(period))
        overall, tags = await in_time(interaction, stats, ephemeral=True)
        name = next(c.name for c in PERIOD_CHOICES if c.value == period)
        embed = discord.Embed(title=f"Q&A · {name}", colour=0x3B82F6)
        embed.description = _stats_table(overall, tags)
        embed.set_footer(text="reply: median time to a first reply by someone else · answer: to an accepted answer")
        await reply(interaction, embed=embed, ephemeral=True)

    def _since(self, period: str) -> int | None:
        days = PERIODS.get(period, 30)
        return None if days is None else unix(self.bot.clock.now()) - days * 86400


def _stats_table(overall: TagStats, tags: list[TagStats]) -> str:
    """A monospace table: asked, solved share, median time to first reply and to an accepted answer."""
    header = f"{'tag':<16}{'asked':>6}{'solved':>8}{'reply':>8}{'answer':>8}"

    def row(stats: TagStats) -> str:
        name = clip(stats.name or "all questions", 15).replace("`", "'")
        return (
            f"{name:<16}{stats.asked:>6}{stats.solved_share:>8.0%}"
            f"{format_duration(stats.median_first_reply):>8}{format_duration(stats.median_to_answer):>8}"
        )

    if overall.asked == 0:
        return "No questions were asked in this period."
    lines = [header, row(overall), *(row(t) for t in tags)]
    return "```\n" + "\n".join(lines) + "\n```"
