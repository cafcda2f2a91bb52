"""`/communities recommend|list|info|suggest|add|remove`: the directory of data communities."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import CommunityBot
from bot.discord_helpers import channel_problem, clip, find_channel, is_moderator
from bot.errors import UserFacingError
from bot.mod_log import report
from cogs.communities import embeds
from cogs.communities.models import CommunityEntry, EntryError, load_directory
from cogs.communities.options import entry_from_options, multi_choices, single_choices
from cogs.communities.profiles import fill_from_profile, read_profile
from cogs.communities.service import (
    filter_entries,
    find_entry,
    keywords_found,
    named,
    preferences_from_options,
    recommend,
    resolve_term,
)
from cogs.communities.store import DirectoryStore
from cogs.communities.views import COG_NAME, ListPager, SuggestionDecision, suggestion_buttons
from cogs.communities.vocabulary import ACCESS, COSTS, LEVELS, PLATFORMS, REGIONS, ROLES, TOPICS, normalise

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]

PLATFORM_CHOICES = [app_commands.Choice(name=t.label, value=t.key) for t in PLATFORMS]
ACCESS_CHOICES = [app_commands.Choice(name=t.label, value=t.key) for t in ACCESS]
COST_CHOICES = [app_commands.Choice(name=t.label, value=t.key) for t in COSTS]

_ENTRY_OPTIONS = {
    "name": "The community's name",
    "join_url": "The link to join (invite, sign-up page or form)",
    "platform": "Where members talk",
    "description": "What it is and who it is for (10-400 characters)",
    "topics": "Comma-separated topics, e.g. MLOps, NLP",
    "roles": "Comma-separated roles it serves (default: all)",
    "region": "Where it is based (default: worldwide, online)",
    "beginner_friendly": "Does it welcome people new to data? (default: yes)",
    "access": "Open to anyone, or by application (default: open)",
    "cost": "Default: free",
    "website": "Its website (default: the join link)",
    "language": "Main language as an ISO code such as en, fr, sw (default: en)",
}


def resolve_data_path(name: str) -> Path:
    """A data file path: absolute as given; relative to where the bot runs, else to the project."""
    path = Path(name)
    if path.is_absolute() or path.exists():
        return path
    return PROJECT_ROOT / path


class CommunitiesCog(commands.Cog, name=COG_NAME):
    """A curated, searchable directory of data communities, with recommendations and per-server additions."""

    communities = app_commands.Group(
        name="communities", description="Find data communities to join, and get recommendations", guild_only=True
    )

    def __init__(self, bot: CommunityBot) -> None:
        self.bot = bot
        self.store = DirectoryStore(bot.db)

    async def cog_load(self) -> None:
        # Validate the whole file before touching the database: a bad entry stops the start and changes nothing.
        path = resolve_data_path(self.bot.settings.communities.directory_file)
        entries = load_directory(path)
        result = await self.store.sync_shipped(entries, self.bot.clock.now())
        log.info("Community directory %s: %s", path, result.summary())
        await self.store.shipped_directory()  # parse once now rather than in the first member's command
        self.bot.add_dynamic_items(SuggestionDecision)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(SuggestionDecision)

    async def about_counts(self) -> dict[str, int]:
        return await self.store.counts()

    # -- recommend -----------------------------------------------------------------------------------------

    @communities.command(name="recommend", description="The communities that fit you best, and why")
    @app_commands.describe(
        role="Your role (default: from your onboarding profile)",
        interests="Comma-separated topics, e.g. MLOps, NLP (default: from your profile)",
        region="Where you are (default: from your profile)",
        level="How far along you are (default: from your profile)",
    )
    async def communities_recommend(
        self,
        interaction: discord.Interaction,
        role: app_commands.Range[str, 1, 100] | None = None,
        interests: app_commands.Range[str, 1, 400] | None = None,
        region: app_commands.Range[str, 1, 100] | None = None,
        level: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        try:
            prefs, notes = preferences_from_options(role=role, interests=interests, region=region, level=level)
        except LookupError as error:
            raise UserFacingError(str(error)) from None
        profile = await read_profile(self.bot.db, interaction.guild_id, interaction.user.id)
        prefs, from_profile = fill_from_profile(prefs, profile)
        if prefs.is_empty():
            raise UserFacingError(
                "Tell me a little about you and I will pick communities for you: give a role, interests, a region"
                " or a level, for example `/communities recommend role:Data engineer region:Africa`."
                " To browse everything instead, use /communities list."
            )
        directory = await self.store.active_directory(interaction.guild_id)
        limit = (await self.bot.guild_config(interaction.guild_id)).communities.recommendations
        found = keywords_found(directory, prefs.keywords)
        notes = [*notes, *(f"ignored “{w}”: no community here mentions it" for w in prefs.keywords if w not in found)]
        recs = recommend(directory, prefs, limit)
        basis = embeds.describe_basis(prefs, from_profile)
        if not recs:
            raise UserFacingError(
                clip(
                    f"No community in this server's directory matches any of {basis}. Try other options, or"
                    " browse everything with /communities list.",
                    2000,
                )
            )
        embed = embeds.recommendation_embed(recs, basis, notes, shortfall=len(recs) < limit)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    # -- list ----------------------------------------------------------------------------------------------

    @communities.command(name="list", description="Browse the directory, optionally filtered")
    @app_commands.describe(
        topic="Only communities about this",
        region="Only communities based here",
        platform="Only communities on this platform",
    )
    @app_commands.choices(platform=PLATFORM_CHOICES)
    async def communities_list(
        self,
        interaction: discord.Interaction,
        topic: app_commands.Range[str, 1, 100] | None = None,
        region: app_commands.Range[str, 1, 100] | None = None,
        platform: app_commands.Choice[str] | None = None,
    ) -> None:
        try:
            filters = {
                "topic": resolve_term(TOPICS, topic),
                "region": resolve_term(REGIONS, region),
                "platform": platform.value if platform else None,
            }
        except LookupError as error:
            raise UserFacingError(str(error)) from None
        directory = await self.store.active_directory(interaction.guild_id)
        shown = filter_entries(directory, **filters)
        heading = embeds.describe_filters(filters)
        if not shown:
            raise UserFacingError(embeds.no_results_text(directory, filters))
        settings = (await self.bot.guild_config(interaction.guild_id)).communities
        pages = embeds.paginate(shown, settings.page_size)
        if len(pages) == 1:
            embed = embeds.list_embed(pages[0], heading=heading, page=0, pages=1, total=len(shown))
            await interaction.response.send_message(embed=embed, ephemeral=True)
            return
        view = ListPager(
            pages,
            heading=heading,
            total=len(shown),
            owner_id=interaction.user.id,
            timeout=settings.page_buttons_seconds,
        )
        view.last_interaction = interaction
        await interaction.response.send_message(embed=view.embed(), view=view, ephemeral=True)

    # -- info ----------------------------------------------------------------------------------------------

    @communities.command(name="info", description="Everything about one community")
    @app_commands.describe(name="The community's name", share="Post it in the channel for everyone (default: no)")
    async def communities_info(
        self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 100], share: bool = False
    ) -> None:
        directory = await self.store.active_directory(interaction.guild_id)
        lookup = find_entry(directory, name)
        if lookup.entry is None:
            raise UserFacingError(embeds.unknown_name_text(name, lookup.suggestions))
        entry = lookup.entry
        own = {e.key for e in await self.store.guild_additions(interaction.guild_id)}
        settings = (await self.bot.guild_config(interaction.guild_id)).communities
        embed = embeds.info_embed(
            entry,
            children=[e for e in filter_entries(directory) if e.parent == entry.key],
            parent=next((e for e in directory if e.key == entry.parent), None),
            added_here=entry.key in own,
            today=self.bot.clock.now().date(),
            stale_after_days=settings.stale_after_days,
        )
        await interaction.response.send_message(embed=embed, ephemeral=not share)

    # -- a server's own entries ----------------------------------------------------------------------------

    @communities.command(name="suggest", description="Suggest a community for this server's directory")
    @app_commands.describe(**_ENTRY_OPTIONS)
    @app_commands.choices(platform=PLATFORM_CHOICES, access=ACCESS_CHOICES, cost=COST_CHOICES)
    async def communities_suggest(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 80],
        join_url: app_commands.Range[str, 1, 300],
        platform: app_commands.Choice[str],
        description: app_commands.Range[str, 10, 400],
        topics: app_commands.Range[str, 1, 300],
        roles: app_commands.Range[str, 1, 300] | None = None,
        region: app_commands.Range[str, 1, 100] | None = None,
        beginner_friendly: bool = True,
        access: app_commands.Choice[str] | None = None,
        cost: app_commands.Choice[str] | None = None,
        website: app_commands.Range[str, 1, 300] | None = None,
        language: app_commands.Range[str, 2, 3] | None = None,
    ) -> None:
        guild = interaction.guild
        config = await self.bot.guild_config(guild.id)
        entry = self._entry(
            name=name,
            join_url=join_url,
            platform=platform,
            description=description,
            topics=topics,
            roles=roles,
            region=region,
            beginner_friendly=beginner_friendly,
            access=access,
            cost=cost,
            website=website,
            language=language,
        )
        await self._refuse_duplicate(guild.id, entry)
        if await self.store.pending_count(guild.id, interaction.user.id) >= config.communities.max_pending_suggestions:
            raise UserFacingError(
                f"You already have {config.communities.max_pending_suggestions} suggestions waiting for the"
                " moderators; once they decide, you can suggest more."
            )
        problem = channel_problem(guild, config.channels.mod_log, ("text",))
        if problem:
            raise UserFacingError(
                f"Suggestions go to the moderators' log, but {problem}. Ask a moderator to fix it"
                " (/config set channels.mod_log)."
            )
        channel = find_channel(guild, config.channels.mod_log)
        # Posting to the log may wait on Discord's rate limits: answer within the 3 s first.
        await interaction.response.defer(ephemeral=True, thinking=True)
        suggestion_id = await self.store.create_suggestion(
            guild.id, entry, by=interaction.user.id, now=self.bot.clock.now()
        )
        suggestion = await self.store.get_suggestion(suggestion_id)
        try:
            message = await channel.send(
                embed=embeds.suggestion_embed(suggestion), view=suggestion_buttons(suggestion_id)
            )
        except discord.HTTPException:
            await self.store.delete_suggestion(suggestion_id)
            log.warning(
                "Could not post suggestion %s to the moderators' log of %s", suggestion_id, guild.id, exc_info=True
            )
            await interaction.edit_original_response(
                content="I could not reach the moderators' log just now, so nothing was sent. Please try again in"
                " a minute."
            )
            return
        await self.store.set_suggestion_message(suggestion_id, channel.id, message.id)
        await interaction.edit_original_response(
            content=f"Thanks! **{embeds.safe(entry.name)}** went to the moderators as suggestion #{suggestion_id}."
            " If they approve it, it joins this server's /communities directory."
        )

    @communities.command(name="add", description="Moderators: add a community to this server's directory")
    @app_commands.describe(**_ENTRY_OPTIONS)
    @app_commands.choices(platform=PLATFORM_CHOICES, access=ACCESS_CHOICES, cost=COST_CHOICES)
    async def communities_add(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 80],
        join_url: app_commands.Range[str, 1, 300],
        platform: app_commands.Choice[str],
        description: app_commands.Range[str, 10, 400],
        topics: app_commands.Range[str, 1, 300],
        roles: app_commands.Range[str, 1, 300] | None = None,
        region: app_commands.Range[str, 1, 100] | None = None,
        beginner_friendly: bool = True,
        access: app_commands.Choice[str] | None = None,
        cost: app_commands.Choice[str] | None = None,
        website: app_commands.Range[str, 1, 300] | None = None,
        language: app_commands.Range[str, 2, 3] | None = None,
    ) -> None:
        await self._require_moderator(interaction)
        entry = self._entry(
            name=name,
            join_url=join_url,
            platform=platform,
            description=description,
            topics=topics,
            roles=roles,
            region=region,
            beginner_friendly=beginner_friendly,
            access=access,
            cost=cost,
            website=website,
            language=language,
        )
        await self._refuse_duplicate(interaction.guild_id, entry)
        added = await self.store.add_entry(
            interaction.guild_id, entry, by=interaction.user.id, now=self.bot.clock.now()
        )
        await interaction.response.send_message(
            f"Added **{embeds.safe(added.name)}** to this server's directory.", ephemeral=True
        )
        config = await self.bot.guild_config(interaction.guild_id)
        await report(
            self.bot.db,
            interaction.guild,
            config.channels.mod_log,
            f"{interaction.user.mention} added **{embeds.safe(added.name)}** to the /communities directory.",
        )

    @communities.command(name="remove", description="Moderators: remove a community this server added")
    @app_commands.describe(name="A community this server added")
    async def communities_remove(self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 100]) -> None:
        await self._require_moderator(interaction)
        own = await self.store.guild_additions(interaction.guild_id)
        lookup = find_entry(own, name)
        if lookup.entry is None:
            everything = find_entry(await self.store.active_directory(interaction.guild_id), name)
            if everything.entry is not None:
                raise UserFacingError(
                    f"**{embeds.safe(everything.entry.name)}** comes from the bot's curated directory"
                    " (data/communities.yaml), not from this server, so it cannot be removed here."
                )
            raise UserFacingError(embeds.unknown_name_text(name, lookup.suggestions, scope="this server's additions"))
        await self.store.retire_entry(interaction.guild_id, lookup.entry.key, self.bot.clock.now())
        await interaction.response.send_message(
            f"Removed **{embeds.safe(lookup.entry.name)}** from this server's directory.", ephemeral=True
        )

    # -- helpers -------------------------------------------------------------------------------------------

    def _entry(
        self,
        *,
        platform: app_commands.Choice[str],
        access: app_commands.Choice[str] | None,
        cost: app_commands.Choice[str] | None,
        **options: Any,
    ) -> CommunityEntry:
        """An entry from the add/suggest options, or a UserFacingError naming the options at fault."""
        try:
            return entry_from_options(
                platform=platform.value,
                access=access.value if access else "open",
                cost=cost.value if cost else "free",
                today=self.bot.clock.now().date(),
                **options,
            )
        except EntryError as error:
            lines = [f"• **{option}**: {clip(problem, 300)}" for option, problem in error.problems]
            raise UserFacingError(clip("Not saved:\n" + "\n".join(lines), 2000)) from None

    async def _refuse_duplicate(self, guild_id: int, entry: CommunityEntry) -> None:
        other = named(await self.store.active_directory(guild_id), entry.name)
        if other is not None:
            raise UserFacingError(f"**{embeds.safe(other.name)}** is already in the directory: see /communities info.")
        if entry.name.casefold() in await self.store.pending_names(guild_id):
            raise UserFacingError(
                f"**{embeds.safe(entry.name)}** was already suggested and is waiting for the moderators."
            )

    async def _require_moderator(self, interaction: discord.Interaction) -> None:
        config = await self.bot.guild_config(interaction.guild_id)
        if not is_moderator(interaction.user, config.roles.moderator):
            raise UserFacingError(
                "Only moderators (Manage Server, or the moderator role) can do that. Anyone can use"
                " /communities suggest."
            )

    async def decide_suggestion(self, interaction: discord.Interaction, suggestion_id: int, *, approve: bool) -> None:
        """A moderator clicked Approve or Reject: decide once, update the log card, or say who already did."""
        await self._require_moderator(interaction)
        decision = await self.store.decide_suggestion(
            interaction.guild_id, suggestion_id, approve=approve, by=interaction.user.id, now=self.bot.clock.now()
        )
        if decision is None:
            raise UserFacingError("That suggestion no longer exists.")
        suggestion = decision.suggestion
        note = embeds.decision_note(suggestion)
        if not decision.decided_now:
            raise UserFacingError(f"Already decided: {note}.")
        log.info(
            "Guild %s: suggestion %s %s by %s",
            suggestion.guild_id,
            suggestion.id,
            suggestion.status,
            interaction.user.id,
        )
        await interaction.response.edit_message(embed=embeds.suggestion_embed(suggestion, note), view=None)

    # -- autocomplete --------------------------------------------------------------------------------------

    @communities_recommend.autocomplete("role")
    @communities_suggest.autocomplete("roles")
    @communities_add.autocomplete("roles")
    async def _role_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        if interaction.command and interaction.command.name == "recommend":
            return single_choices(ROLES, current)
        return multi_choices(ROLES, current)

    @communities_recommend.autocomplete("level")
    async def _level_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return single_choices(LEVELS, current)

    @communities_recommend.autocomplete("region")
    @communities_list.autocomplete("region")
    @communities_suggest.autocomplete("region")
    @communities_add.autocomplete("region")
    async def _region_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return single_choices(REGIONS, current)

    @communities_recommend.autocomplete("interests")
    @communities_suggest.autocomplete("topics")
    @communities_add.autocomplete("topics")
    async def _topics_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return multi_choices(TOPICS, current)

    @communities_list.autocomplete("topic")
    async def _topic_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return single_choices(TOPICS, current)

    @communities_info.autocomplete("name")
    @communities_remove.autocomplete("name")
    async def _name_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        if interaction.command and interaction.command.name == "remove":
            entries = await self.store.guild_additions(interaction.guild_id)
        else:
            entries = await self.store.active_directory(interaction.guild_id)
        wanted = normalise(current)
        names = sorted(entries, key=lambda e: (not normalise(e.name).startswith(wanted), e.name.casefold()))
        hits = [e for e in names if not wanted or wanted in normalise(" ".join((e.name, *e.aliases)))]
        return [app_commands.Choice(name=e.name[:100], value=e.name[:100]) for e in hits[:25]]
