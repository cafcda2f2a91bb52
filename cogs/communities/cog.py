"""`/communities recommend|list|info|suggest|add|remove`: the directory of data communities."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands

from bot import i18n, languages
from bot.client import CommunityBot
from bot.discord_helpers import channel_problem, clip, find_channel, guild_of, is_moderator
from bot.errors import UserFacingError
from bot.feature import Feature
from bot.i18n import N_, _, ngettext
from bot.mod_log import report
from cogs.communities import render
from cogs.communities.api import CommunitiesApi, CommunityPick
from cogs.communities.directory_file import load_directory, resolve_data_path
from cogs.communities.models import CommunityEntry, EntryError, Preferences
from cogs.communities.ranking import PerDirectory
from cogs.communities.rules import (
    entry_from_options,
    fill_from_profile,
    keywords_found,
    list_completions,
    preferences_from_options,
    profile_preferences,
    recommend,
    resolve_term,
    term_completions,
)
from cogs.communities.search import counts_without_each, filter_entries, find_entry, named, names_matching
from cogs.communities.settings import CommunitiesSettings
from cogs.communities.store import DirectoryStore
from cogs.communities.store_member import CommunitiesMemberData
from cogs.communities.views import ListPager, SuggestionDecision, suggestion_buttons
from cogs.communities.vocabulary import ACCESS, COSTS, LEVELS, PLATFORMS, REGIONS, ROLES, TOPICS, quoted
from cogs.onboarding.api import MemberProfile, OnboardingApi

log = logging.getLogger(__name__)

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


class CommunitiesCog(Feature, CommunitiesApi):
    """A curated, searchable directory of data communities, with recommendations and per-server additions."""

    name = "communities"
    title = N_("The community directory")
    settings_section = CommunitiesSettings
    dynamic_items = (SuggestionDecision,)

    communities = app_commands.Group(
        name="communities", description="Find data communities to join, and get recommendations", guild_only=True
    )

    def __init__(self, bot: CommunityBot) -> None:
        super().__init__(bot)
        self.store = DirectoryStore(bot.db)
        self.member_data = CommunitiesMemberData(bot.db)
        # Rendered answers of /communities recommend per directory version: members with the same profile and
        # options get the same embed (discord.py serialises an Embed afresh for every send, so sharing is safe).
        self._answers: PerDirectory[discord.Embed | str] = PerDirectory()

    async def on_load(self) -> None:
        # Validate the whole file before touching the database: a bad entry stops the start and changes nothing.
        path = resolve_data_path(self.bot.settings.section(CommunitiesSettings).directory_file)
        entries = load_directory(path)
        await self.store.listen()  # before anything is cached: other processes' changes must reach this one
        try:
            result = await self.store.sync_shipped(entries, self.bot.clock.now())
            log.info("Community directory %s: %s", path, result.summary())
            await self.store.shipped_directory()  # parse once now rather than in the first member's command
        except BaseException:
            self.store.close()  # a failed load is not unloaded: stop listening here
            raise

    async def on_unload(self) -> None:
        self.store.close()

    async def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        return await self.member_data.export(guild_id, user_id)

    async def forget_member(self, guild_id: int, user_id: int) -> int:
        """Forget their suggestions; the moderators' log cards that named them say it was withdrawn instead."""
        cards = await self.member_data.suggestion_cards(guild_id, user_id)
        touched = await self.member_data.forget(guild_id, user_id)
        if cards:
            with i18n.using(await languages.of_server(self.bot, guild_id)):  # the moderators' log: the server's
                forgotten = _(render.SUGGESTION_FORGOTTEN)
        for channel_id, message_id in cards:
            message = self.bot.get_partial_messageable(channel_id).get_partial_message(message_id)
            try:
                await message.edit(content=forgotten, embed=None, view=None)
            except discord.HTTPException:
                log.info("Could not edit the suggestion card %s of a forgotten member", message_id, exc_info=True)
        return touched

    async def about_counts(self) -> dict[str, int]:
        return await self.store.counts()

    async def _settings(self, guild_id: int) -> CommunitiesSettings:
        return (await self.guild_config(guild_id)).section(CommunitiesSettings)

    # -- for other features (api.py) -----------------------------------------------------------------------

    async def recommend_for(self, guild_id: int, profile: MemberProfile, limit: int) -> list[CommunityPick]:
        """The best `limit` communities of this server's directory for a member's onboarding answers (the reasons
        in the language of the message being written: the caller's `i18n.using`, or the interaction's)."""
        directory = await self.store.active_directory(guild_id)
        return [
            CommunityPick(rec.entry.name, rec.entry.join.url or rec.entry.website, rec.why_text)
            for rec in recommend(directory, profile_preferences(profile), limit)
        ]

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
        guild = guild_of(interaction)
        try:
            prefs, notes = preferences_from_options(role=role, interests=interests, region=region, level=level)
        except LookupError as error:
            raise UserFacingError(str(error)) from None
        onboarding = self.bot.optional_feature(OnboardingApi)
        profile = await onboarding.profile_of(guild.id, interaction.user.id) if onboarding else None
        prefs, from_profile = fill_from_profile(prefs, profile)
        if prefs.is_empty():
            raise UserFacingError(_(render.NOTHING_TO_GO_ON))
        directory = await self.store.active_directory(guild.id)
        limit = (await self._settings(guild.id)).recommendations
        key = (prefs, from_profile, notes, limit, i18n.current())
        answer = self._answers.get(directory, key)
        if answer is None:
            answer = self._recommendation(directory, prefs, from_profile, notes, limit)
            self._answers.put(directory, key, answer)
        if isinstance(answer, str):
            raise UserFacingError(answer)
        await interaction.response.send_message(embed=answer, ephemeral=True)

    @staticmethod
    def _recommendation(
        directory: Sequence[CommunityEntry], prefs: Preferences, from_profile: tuple[str, ...],
        notes: tuple[str, ...], limit: int,
    ) -> discord.Embed | str:
        """The answer to /communities recommend: the embed, or the text saying why there is none."""
        found = keywords_found(directory, prefs.keywords)
        ignored = [
            _("ignored {typed}: no community here mentions it").format(typed=quoted(w))
            for w in prefs.keywords
            if w not in found
        ]
        recs = recommend(directory, prefs, limit)
        basis = render.describe_basis(prefs, from_profile)
        if not recs:
            return render.no_match_text(basis)
        return render.recommendation_embed(recs, basis, [*notes, *ignored], shortfall=len(recs) < limit)

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
        guild = guild_of(interaction)
        try:
            filters = {
                "topic": resolve_term(TOPICS, topic),
                "region": resolve_term(REGIONS, region),
                "platform": platform.value if platform else None,
            }
        except LookupError as error:
            raise UserFacingError(str(error)) from None
        directory = await self.store.active_directory(guild.id)
        shown = filter_entries(directory, **filters)
        heading = render.describe_filters(filters)
        if not shown:
            counts = counts_without_each(directory, filters)
            raise UserFacingError(render.no_results_text(len(directory), filters, counts))
        settings = await self._settings(guild.id)
        pages = render.paginate(shown, settings.page_size)
        if len(pages) == 1:
            embed = render.list_embed(pages[0], heading=heading, page=0, pages=1, total=len(shown))
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
        guild = guild_of(interaction)
        directory = await self.store.active_directory(guild.id)
        lookup = find_entry(directory, name)
        if lookup.entry is None:
            raise UserFacingError(render.unknown_name_text(name, lookup.suggestions))
        entry = lookup.entry
        own = {e.key for e in await self.store.guild_additions(guild.id)}
        embed = render.info_embed(
            entry,
            children=[e for e in filter_entries(directory) if e.parent == entry.key],
            parent=next((e for e in directory if e.key == entry.parent), None),
            added_here=entry.key in own,
            today=self.bot.clock.now().date(),
            stale_after_days=(await self._settings(guild.id)).stale_after_days,
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
        entry = self._entry(
            name, join_url, platform, description, topics, roles, region, beginner_friendly, access, cost, website,
            language,
        )
        guild = guild_of(interaction)
        config = await self.guild_config(guild.id)
        pending = await self._refuse_duplicate(guild.id, entry)
        most = config.section(CommunitiesSettings).max_pending_suggestions
        if sum(1 for _name, by in pending if by == interaction.user.id) >= most:
            raise UserFacingError(
                ngettext(
                    "You already have {count} suggestion waiting for the moderators; once they decide, you can"
                    " suggest more.",
                    "You already have {count} suggestions waiting for the moderators; once they decide, you can"
                    " suggest more.",
                    most,
                ).format(count=i18n.number(most))
            )
        problem = channel_problem(guild, config.channels.mod_log, ("text",))
        channel = find_channel(guild, config.channels.mod_log, kinds=("text",))
        if problem or not isinstance(channel, discord.TextChannel):
            if problem:
                raise UserFacingError(
                    _(
                        "Suggestions go to the moderators' log, but {problem}. Ask a moderator to fix it"
                        " (/config set channels.mod_log)."
                    ).format(problem=problem)
                )
            raise UserFacingError(
                _(
                    "Suggestions go to the moderators' log, but it is not a text channel. Ask a moderator to fix it"
                    " (/config set channels.mod_log)."
                )
            )
        # Posting to the log may wait on Discord's rate limits: answer within the 3 s first.
        await interaction.response.defer(ephemeral=True, thinking=True)
        now = self.bot.clock.now()
        suggestion = await self.store.create_suggestion(guild.id, entry, by=interaction.user.id, now=now)
        try:
            with i18n.using(await languages.of_server(self.bot, guild.id)):  # the moderators' log: the server's
                card = render.suggestion_embed(suggestion)
                buttons = suggestion_buttons(suggestion.id)
            message = await channel.send(embed=card, view=buttons)
        except discord.HTTPException:
            await self.store.delete_suggestion(suggestion.id)
            log.warning(
                "Could not post suggestion %s to the moderators' log of %s", suggestion.id, guild.id, exc_info=True
            )
            await interaction.edit_original_response(
                content=_(
                    "I could not reach the moderators' log just now, so nothing was sent. Please try again in"
                    " a minute."
                )
            )
            return
        await self.store.set_suggestion_message(suggestion.id, channel.id, message.id)
        await interaction.edit_original_response(
            content=_(
                "Thanks! **{name}** went to the moderators as suggestion #{id}. If they approve it, it joins this"
                " server's /communities directory."
            ).format(name=render.safe(entry.name), id=suggestion.id)
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
        guild = guild_of(interaction)
        await self._require_moderator(interaction)
        entry = self._entry(
            name, join_url, platform, description, topics, roles, region, beginner_friendly, access, cost, website,
            language,
        )
        await self._refuse_duplicate(guild.id, entry)
        added = await self.store.add_entry(guild.id, entry, by=interaction.user.id, now=self.bot.clock.now())
        await interaction.response.send_message(
            _("Added **{name}** to this server's directory.").format(name=render.safe(added.name)), ephemeral=True
        )
        config = await self.guild_config(guild.id)
        with i18n.using(await languages.of_server(self.bot, guild.id)):  # the moderators' log: the server's
            line = _("{moderator} added **{name}** to the /communities directory.").format(
                moderator=interaction.user.mention, name=render.safe(added.name)
            )
        await report(self.bot.db, guild, config.channels.mod_log, line)

    @communities.command(name="remove", description="Moderators: remove a community this server added")
    @app_commands.describe(name="A community this server added")
    async def communities_remove(self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 100]) -> None:
        guild = guild_of(interaction)
        await self._require_moderator(interaction)
        own = await self.store.guild_additions(guild.id)
        lookup = find_entry(own, name)
        if lookup.entry is None:
            everything = find_entry(await self.store.active_directory(guild.id), name)
            if everything.entry is not None:
                raise UserFacingError(
                    _(
                        "**{name}** comes from the bot's curated directory (data/communities.yaml), not from this"
                        " server, so it cannot be removed here."
                    ).format(name=render.safe(everything.entry.name))
                )
            raise UserFacingError(render.unknown_name_text(name, lookup.suggestions, own=True))
        await self.store.retire_entry(guild.id, lookup.entry.key, self.bot.clock.now())
        await interaction.response.send_message(
            _("Removed **{name}** from this server's directory.").format(name=render.safe(lookup.entry.name)),
            ephemeral=True,
        )

    # -- helpers -------------------------------------------------------------------------------------------

    def _entry(
        self,
        name: str,
        join_url: str,
        platform: app_commands.Choice[str],
        description: str,
        topics: str,
        roles: str | None,
        region: str | None,
        beginner_friendly: bool,
        access: app_commands.Choice[str] | None,
        cost: app_commands.Choice[str] | None,
        website: str | None,
        language: str | None,
    ) -> CommunityEntry:
        """An entry from the add/suggest options (in their order), or a UserFacingError naming the options at fault."""
        try:
            return entry_from_options(
                name=name,
                join_url=join_url,
                platform=platform.value,
                description=description,
                topics=topics,
                roles=roles,
                region=region,
                beginner_friendly=beginner_friendly,
                access=access.value if access else "open",
                cost=cost.value if cost else "free",
                website=website,
                language=language,
                today=self.bot.clock.now().date(),
            )
        except EntryError as error:
            # each option by the name the member's Discord shows it under
            language = i18n.current()
            lines = [
                _("• **{option}**: {problem}").format(
                    option=i18n.translate(option, language, i18n.NAME_CONTEXT), problem=clip(problem, 300)
                )
                for option, problem in error.problems
            ]
            raise UserFacingError(clip(_("Not saved:") + "\n" + "\n".join(lines), 2000)) from None

    async def _refuse_duplicate(self, guild_id: int, entry: CommunityEntry) -> list[tuple[str, int]]:
        """Refuse a name already in the directory or waiting as a suggestion; the pending (name, by) otherwise."""
        other = named(await self.store.active_directory(guild_id), entry.name)
        if other is not None:
            raise UserFacingError(
                _("**{name}** is already in the directory: see /communities info.").format(name=render.safe(other.name))
            )
        pending = await self.store.pending(guild_id)
        if entry.name.casefold() in {name.casefold() for name, _ in pending}:
            raise UserFacingError(
                _("**{name}** was already suggested and is waiting for the moderators.").format(
                    name=render.safe(entry.name)
                )
            )
        return pending

    async def _require_moderator(self, interaction: discord.Interaction) -> None:
        config = await self.guild_config(guild_of(interaction).id)
        if not is_moderator(interaction.user, config.roles.moderator):
            raise UserFacingError(
                _(
                    "Only moderators (Manage Server, or the moderator role) can do that. Anyone can use"
                    " /communities suggest."
                )
            )

    async def decide_suggestion(self, interaction: discord.Interaction, suggestion_id: int, *, approve: bool) -> None:
        """A moderator clicked Approve or Reject: decide once, update the log card, or say who already did."""
        await self._require_moderator(interaction)
        outcome = await self.store.decide_suggestion(
            guild_of(interaction).id, suggestion_id, approve=approve, by=interaction.user.id, now=self.bot.clock.now()
        )
        if outcome is None:
            raise UserFacingError(_("That suggestion no longer exists."))
        suggestion = outcome.suggestion
        if not outcome.decided_now:
            raise UserFacingError(_("Already decided: {decision}.").format(decision=render.decision_note(suggestion)))
        log.info(
            "Guild %s: suggestion %s %s by %s",
            suggestion.guild_id,
            suggestion.id,
            suggestion.status,
            interaction.user.id,
        )
        # The card is the moderators' log's: written in the server's language, whatever the clicker's client.
        with i18n.using(await languages.of_server(self.bot, suggestion.guild_id)):
            card = render.suggestion_embed(suggestion, render.decision_note(suggestion))
        await interaction.response.edit_message(embed=card, view=None)

    # -- autocomplete --------------------------------------------------------------------------------------

    @communities_recommend.autocomplete("role")
    @communities_suggest.autocomplete("roles")
    @communities_add.autocomplete("roles")
    async def _role_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        if interaction.command and interaction.command.name == "recommend":
            return render.choices(term_completions(ROLES, current))
        return render.choices(list_completions(ROLES, current))

    @communities_recommend.autocomplete("level")
    async def _level_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return render.choices(term_completions(LEVELS, current))

    @communities_recommend.autocomplete("region")
    @communities_list.autocomplete("region")
    @communities_suggest.autocomplete("region")
    @communities_add.autocomplete("region")
    async def _region_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return render.choices(term_completions(REGIONS, current))

    @communities_recommend.autocomplete("interests")
    @communities_suggest.autocomplete("topics")
    @communities_add.autocomplete("topics")
    async def _topics_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return render.choices(list_completions(TOPICS, current))

    @communities_list.autocomplete("topic")
    async def _topic_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return render.choices(term_completions(TOPICS, current))

    @communities_info.autocomplete("name")
    @communities_remove.autocomplete("name")
    async def _name_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        if interaction.command and interaction.command.name == "remove":
            entries = await self.store.guild_additions(interaction.guild_id)
        else:
            entries = await self.store.active_directory(interaction.guild_id)
        return render.choices([(name, name) for name in names_matching(entries, current)])
