"""Sending the welcome: the DM of each join, the welcome-channel greeting when DMs are closed, and the roles."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord

from bot import i18n, languages, mod_log
from bot.discord_helpers import channel_problem, escape, find_channel, find_role
from bot.i18n import N_, _
from bot.settings import Settings
from cogs.onboarding import render
from cogs.onboarding.dms import DmOutcome, DmResult, custom_ids, find_own_dm, nonce, send_dm
from cogs.onboarding.models import Answers, FlowContext, Welcome, WelcomeKind, WelcomeState
from cogs.onboarding.rules import WELCOME_MAX_ATTEMPTS, first_step, steps_for, welcome_retry_after
from cogs.onboarding.settings import OnboardingSettings
from cogs.onboarding.store import OnboardingStore
from cogs.onboarding.views import Surface, again_view, start_view, step_view

if TYPE_CHECKING:
    from bot.client import CommunityBot
    from cogs.onboarding.mentors.cog import MentorsCog
    from cogs.onboarding.welcome_queue import FallbackBatcher, WelcomeQueue

log = logging.getLogger(__name__)

FALLBACK_HISTORY = 200  # welcome-channel messages read at start to find greetings a crash left unrecorded
_OPEN = (WelcomeState.PENDING, WelcomeState.SENDING)


class WelcomeSender:
    """Sends what onboarding sends; every send is written as due before and as done after Discord accepted it."""

    def __init__(self, bot: CommunityBot, store: OnboardingStore, mentors: MentorsCog) -> None:
        self.bot = bot
        self.store = store
        self.mentors = mentors
        self.queue: WelcomeQueue | None = None
        self.fallback: FallbackBatcher | None = None

    def now(self) -> datetime:
        return self.bot.clock.now()

    def _bot_id(self) -> int:
        if self.bot.user is None:
            raise RuntimeError("the bot is not logged in")
        return self.bot.user.id

    async def context(self, guild_id: int, user_id: int, settings: OnboardingSettings) -> FlowContext:
        """Which questions this member gets: the mentor question only when some mentor has room for them."""
        available, skip = await self.mentors.can_offer(guild_id, user_id)
        return FlowContext(settings, mentors_available=available, skip_mentor=skip)

    async def report(
        self, guild: discord.Guild, config: Settings, text: str | Callable[[], str], key: str, **values: str
    ) -> None:
        """Tell the moderators once about a problem they must fix (not once per member), in the server's language
        (a member's click may be what found the problem, and that is answered in the member's): `text` is an N_()
        string filled with `values`, or a function that writes the line."""
        with i18n.using(await languages.of_server(self.bot, guild.id)):
            written = _(text).format(**values) if isinstance(text, str) else text()
        await mod_log.report(self.bot.db, guild, config.channels.mod_log, written, once_key=f"onboarding:{key}")

    async def step_message(
        self, member: discord.Member, surface: Surface, *, greeting: bool, note: str | None = None
    ) -> dict[str, Any]:
        """The question a DM starts with: where the member stopped (their answers preselected)."""
        settings = (await self.bot.guild_config(member.guild.id)).section(OnboardingSettings)
        profile = await self.store.ensure_profile(member.guild.id, member.id, self.now())
        ctx = await self.context(member.guild.id, member.id, settings)
        steps = steps_for(ctx, profile.answers)
        step = first_step(profile, steps, resume_finished=True)
        embed = render.step_embed(member.guild, step, ctx, profile.answers, greeting=greeting, note=note)
        view = step_view(member.guild.id, step, surface, settings, profile.answers, self.now(), first=step is steps[0])
        return {"embed": embed, "view": view}

    # --- the welcome ----------------------------------------------------------------------------------------------

    async def deliver_welcome(self, guild_id: int, user_id: int) -> None:
        """The queue's handler: one welcome DM per join, exactly once."""
        welcome = await self.store.welcome(guild_id, user_id)
        if welcome is None or welcome.state not in _OPEN:
            return
        # any process welcomes any server's newcomers (claim_welcome keeps each to one): a survivor finishes the
        # queue of a process that died, over REST
        guild = await self.bot.work_guild(guild_id)
        member = await self.bot.work_member(guild, user_id) if guild else None
        if member is None:
            if guild is not None or not self.bot.is_remote(guild_id):  # another shard's, not fetched now: kept
                await self.store.set_welcome_state(guild_id, user_id, WelcomeState.LEFT, self.now(), only_from=_OPEN)
            return
        if welcome.state is WelcomeState.SENDING:
            # The bot stopped during this DM: Discord may have accepted it. Look before sending again.
            found = await find_own_dm(
                self._bot_id(), member, guild_id, _surface(welcome.kind).value, after=welcome.queued_at
            )
            if found is not None:
                await self.store.set_welcome_state(
                    guild_id, user_id, WelcomeState.SENT, self.now(), message_id=found.id
                )
                return
            await self.store.set_welcome_state(guild_id, user_id, WelcomeState.PENDING, self.now())
        config = await self.bot.guild_config(guild_id)
        roles: list[discord.Role] = []
        if welcome.kind is WelcomeKind.WELCOME_BACK:
            # Discord drops a member's roles when they leave: give back those of their kept answers, DM or not.
            profile = await self.store.ensure_profile(guild_id, user_id, self.now())
            roles = await self.sync_roles(member, config, profile.answers, previously=[])
        if await self.store.dm_closed(guild_id, user_id):
            await self._to_fallback(guild_id, user_id, "DMs closed earlier")
            return
        claimed = await self.store.claim_welcome(guild_id, user_id, self.now())
        if claimed is None:
            return
        # Nobody asked for this DM: it is written in the member's chosen language, else the server's.
        with i18n.using(await languages.of_member(self.bot, guild_id, user_id)):
            if claimed.kind is WelcomeKind.WELCOME_BACK:
                fields = await self._welcome_back(member, config, roles)
            else:
                fields = await self.step_message(member, Surface.WELCOME, greeting=True)
        result = await send_dm(member, nonce_value=nonce("welcome", guild_id, user_id, claimed.join_seq), **fields)
        await self._after_welcome(member, claimed.attempts, result)

    async def _welcome_back(
        self, member: discord.Member, config: Settings, roles: list[discord.Role]
    ) -> dict[str, Any]:
        profile = await self.store.ensure_profile(member.guild.id, member.id, self.now())
        settings = config.section(OnboardingSettings)
        return {
            "embed": render.welcome_back_embed(member.guild, settings, profile.answers, [r.name for r in roles]),
            "view": again_view(member.guild.id, Surface.BACK),
        }

    async def _after_welcome(self, member: discord.Member, attempts: int, result: DmResult) -> None:
        guild_id, user_id, now = member.guild.id, member.id, self.now()
        if result.outcome is DmOutcome.SENT and result.message is not None:
            await self.store.set_welcome_state(guild_id, user_id, WelcomeState.SENT, now, message_id=result.message.id)
        elif result.outcome is DmOutcome.CLOSED:
            await self.store.record_dm_closed(guild_id, user_id, now)
            await self._to_fallback(guild_id, user_id, result.error, only_from=(WelcomeState.SENDING,))
        elif result.outcome is DmOutcome.GONE:
            await self.store.set_welcome_state(guild_id, user_id, WelcomeState.LEFT, now, error=result.error)
        elif attempts >= WELCOME_MAX_ATTEMPTS:
            log.warning(
                "Gave up welcoming member %s in guild %s after %d attempts: %s", user_id, guild_id, attempts,
                result.error,
            )  # fmt: skip
            await self.store.set_welcome_state(guild_id, user_id, WelcomeState.FAILED, now, error=result.error)
        else:
            await self.store.set_welcome_state(guild_id, user_id, WelcomeState.PENDING, now, error=result.error)
            if self.queue is not None:
                self.queue.offer_later((guild_id, user_id), welcome_retry_after(attempts))

    async def _to_fallback(
        self, guild_id: int, user_id: int, error: str | None, only_from: tuple[WelcomeState, ...] = _OPEN
    ) -> None:
        await self.store.set_welcome_state(
            guild_id, user_id, WelcomeState.FALLBACK, self.now(), only_from=only_from, error=error
        )
        if self.fallback is not None:
            self.fallback.add(guild_id, user_id)

    # --- the welcome-channel fallback -----------------------------------------------------------------------------

    async def resume_fallbacks(self, welcomes: list[Welcome]) -> None:
        """At start: members a greeting of ours already mentions are marked greeted; the others are queued."""
        # A crash after Discord accepted a greeting and before every member in it was marked leaves them
        # 'fallback'; the batches formed after the restart can be other sets, whose nonce is another, so the
        # welcome channel's history is what says who was greeted.
        by_guild: dict[int, list[Welcome]] = {}
        for welcome in welcomes:
            by_guild.setdefault(welcome.guild_id, []).append(welcome)
        for guild_id, waiting in by_guild.items():
            guild = self.bot.get_guild(guild_id)
            greeted = await self._greeted_in_channel(guild, waiting) if guild is not None else set()
            for welcome in waiting:
                if welcome.user_id in greeted:
                    await self.store.set_welcome_state(
                        guild_id, welcome.user_id, WelcomeState.DM_CLOSED, self.now(),
                        only_from=(WelcomeState.FALLBACK,),
                    )  # fmt: skip
                elif self.fallback is not None:
                    self.fallback.add(guild_id, welcome.user_id)

    async def _greeted_in_channel(self, guild: discord.Guild, waiting: list[Welcome]) -> set[int]:
        """Which of these members a welcome-channel greeting of ours mentions, posted after they were queued."""
        config = await self.bot.guild_config(guild.id)
        channel = find_channel(guild, config.channels.welcome, kinds=("text",))
        if not isinstance(channel, discord.TextChannel):
            return set()
        wanted = {welcome.user_id for welcome in waiting}
        after = min(welcome.queued_at for welcome in waiting) - timedelta(seconds=5)
        found: set[int] = set()
        try:
            async for message in channel.history(limit=FALLBACK_HISTORY, after=after):
                if message.author.id == self._bot_id() and any(
                    custom_id.startswith("onbstart:") for custom_id in custom_ids(message)
                ):
                    found |= wanted & set(message.raw_mentions)
        except discord.HTTPException:
            log.warning("Could not read the welcome channel of guild %s; greeting again", guild.id, exc_info=True)
        return found

    async def post_fallback(self, guild_id: int, user_ids: list[int]) -> None:
        """One message in the welcome channel mentioning members whose DMs are closed, with a start button."""
        guild = await self.bot.work_guild(guild_id)
        if guild is None:
            return
        now = self.now()
        waiting, joins = [], []
        for user_id in user_ids:
            welcome = await self.store.welcome(guild_id, user_id)
            if welcome is None or welcome.state is not WelcomeState.FALLBACK:
                continue
            member = await self.bot.work_member(guild, user_id)
            if member is None:
                await self.store.set_welcome_state(
                    guild_id, user_id, WelcomeState.LEFT, now, only_from=(WelcomeState.FALLBACK,)
                )
            else:
                waiting.append(member)
                joins.append((user_id, welcome.join_seq))
        if not waiting:
            return
        config = await self.bot.guild_config(guild_id)
        language = await languages.of_server(self.bot, guild_id)  # a channel post and a mod-log line
        with i18n.using(language):
            problem = channel_problem(guild, config.channels.welcome, ("text",))
        channel = find_channel(guild, config.channels.welcome, kinds=("text",))
        if problem is None and isinstance(channel, discord.TextChannel):
            with i18n.using(language):
                greeting, view = render.fallback_greeting(waiting), start_view(guild_id)
            try:
                await channel.send(
                    greeting,
                    view=view,
                    allowed_mentions=discord.AllowedMentions(users=waiting, roles=False, everyone=False),
                    nonce=nonce("fallback", guild_id, *sorted(joins)),
                )
            except discord.Forbidden:
                with i18n.using(language):
                    problem = _("the bot may not post in {channel}").format(channel=channel.mention)
            except discord.HTTPException as failure:
                log.warning("Welcome-channel post in guild %s failed; trying again soon: %s", guild_id, failure)
                if self.fallback is not None:
                    for member in waiting:
                        self.fallback.add(guild_id, member.id)
                return
        if problem is not None:
            await self.report(
                guild,
                config,
                N_(
                    "Onboarding: some newcomers have closed DMs and I cannot greet them in the welcome channel: "
                    "{problem}. Fix `channels.welcome` with /config set. They can still run /onboarding start."
                ),
                "welcome-channel",
                problem=problem,
            )
        for member in waiting:
            await self.store.set_welcome_state(
                guild_id, member.id, WelcomeState.DM_CLOSED, now, only_from=(WelcomeState.FALLBACK,), error=problem
            )

    # --- roles ----------------------------------------------------------------------------------------------------

    async def sync_roles(
        self, member: discord.Member, config: Settings, answers: Answers, previously: tuple[int, ...] | list[int]
    ) -> list[discord.Role]:
        """Give the roles mapped to the answers and take back ones the bot gave for answers since changed."""
        guild, settings = member.guild, config.section(OnboardingSettings)
        picked = {answers.role, answers.level, *answers.interests}
        mapped: list[tuple[str, bool]] = []  # (role ref, wanted now)
        for options in (settings.roles, settings.levels, settings.topics):
            mapped += [(option.discord_role, option.key in picked) for option in options if option.discord_role]
        wanted: list[discord.Role] = []
        ours: set[int] = set()
        for ref, is_wanted in mapped:
            role = find_role(guild, ref)
            if role is None:
                if is_wanted:
                    await self.report(
                        guild,
                        config,
                        N_(
                            "Onboarding gives the role **{role}**, but this server "
                            "has no such role. Create it, or change its `discord_role` in the settings file."
                        ),
                        f"role-missing:{ref.lower()}",
                        role=escape(ref),
                    )
                continue
            ours.add(role.id)
            if is_wanted and role not in wanted:
                wanted.append(role)
        me = guild.me
        if not me.guild_permissions.manage_roles:
            if wanted:
                await self.report(
                    guild, config, N_("Onboarding cannot give roles: I need the **Manage Roles** permission."),
                    "manage-roles",
                )  # fmt: skip
            return []
        for role in [r for r in wanted if r >= me.top_role or r.managed]:
            wanted.remove(role)
            await self.report(
                guild,
                config,
                N_(
                    "Onboarding cannot give the role **{role}**: it is above "
                    "my highest role. Move my role above it in Server Settings → Roles."
                ),
                f"role-above:{role.id}",
                role=escape(role.name),
            )
        add = [role for role in wanted if role not in member.roles]
        remove = [
            role
            for role in member.roles
            if role.id in previously and role.id in ours and role not in wanted and role < me.top_role
        ]
        try:
            if add:
                await member.add_roles(*add, reason="Onboarding answers")
            if remove:
                await member.remove_roles(*remove, reason="Onboarding answers changed")
        except discord.Forbidden:
            await self.report(
                guild,
                config,
                N_(
                    "Onboarding could not change a member's roles (Discord said the bot "
                    "lacks permission). Check my role's position and the Manage Roles permission."
                ),
                "roles-forbidden",
            )
            return [role for role in wanted if role in member.roles]
        except discord.HTTPException:
            log.warning("Changing onboarding roles of %s in guild %s failed", member.id, guild.id, exc_info=True)
            return [role for role in wanted if role in member.roles and role not in add]
        await self.store.set_given_roles(guild.id, member.id, [role.id for role in wanted])
        return wanted


def _surface(kind: WelcomeKind) -> Surface:
    return Surface.BACK if kind is WelcomeKind.WELCOME_BACK else Surface.WELCOME

