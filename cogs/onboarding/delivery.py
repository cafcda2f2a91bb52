"""Talking to Discord for onboarding: welcome DMs, the welcome-channel fallback, reminders and roles."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import discord

from bot import mod_log
from bot.discord_helpers import NO_PINGS, channel_problem, clip, escape, find_channel, find_role
from bot.settings import Settings
from cogs.onboarding.flow import Answers, FlowContext, Step, steps_for
from cogs.onboarding.store import OnboardingStore, Welcome, WelcomeKind, WelcomeState, parse
from cogs.onboarding.summary import role_labels
from cogs.onboarding.views import Surface, again_view, custom_ids, start_view, step_embed, step_view

if TYPE_CHECKING:
    from bot.client import CommunityBot
    from cogs.onboarding.welcome_queue import FallbackBatcher, WelcomeQueue

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FALLBACK_HISTORY = 200  # welcome-channel messages read at start to find greetings a crash left unrecorded


class DmOutcome(StrEnum):
    SENT = "sent"
    CLOSED = "closed"  # 403 / 50007: the member does not accept DMs from this server's members
    GONE = "gone"  # unknown user
    FAILED = "failed"  # a server error or rate limit that outlasted discord.py's own retries


@dataclass(frozen=True)
class DmResult:
    outcome: DmOutcome
    message: discord.Message | None = None
    error: str | None = None


def nonce(*parts: Any) -> str:
    """A stable message nonce (Discord dedupes a repeated nonce from the same author for a few minutes)."""
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:25]


async def send_dm(user: discord.abc.User, *, nonce_value: str, **fields: Any) -> DmResult:
    """Send a DM and classify the outcome; never raises for a Discord error."""
    try:
        message = await user.send(nonce=nonce_value, allowed_mentions=NO_PINGS, **fields)
    except discord.Forbidden as error:
        # 50007 is the documented code; any 403 on a DM means the same for us: do not try again.
        return DmResult(DmOutcome.CLOSED, error=f"{error.status} {error.code}")
    except discord.NotFound as error:
        return DmResult(DmOutcome.GONE, error=f"{error.status} {error.code}")
    except discord.HTTPException as error:
        return DmResult(DmOutcome.FAILED, error=f"{error.status} {error.code} {clip(str(error.text), 200)}")
    return DmResult(DmOutcome.SENT, message)


def welcome_back_embed(guild: discord.Guild, config: Settings, answers: Answers, roles: list[str]) -> discord.Embed:
    role, level, topics = role_labels(config.onboarding, answers)
    lines = [f"Good to see you again! I kept your answers: {' · '.join(p for p in (role, level) if p) or 'none'}."]
    if topics:
        lines.append(f"Interested in {', '.join(topics)}.")
    if roles:
        lines.append(f"Your roles are back: {', '.join(escape(r) for r in roles)}.")
    lines.append("Anything changed? Press the button, or use `/onboarding start` in the server.")
    embed = discord.Embed(
        title=f"Welcome back to {clip(guild.name, 200)}", description="\n".join(lines), colour=discord.Colour.green()
    )
    return embed


class Delivery:
    """Sends what onboarding sends; every send is written as due before and as done after Discord accepted it."""

    def __init__(self, bot: CommunityBot, store: OnboardingStore) -> None:
        self.bot = bot
        self.store = store
        self.queue: WelcomeQueue | None = None
        self.fallback: FallbackBatcher | None = None

    def now(self) -> datetime:
        return self.bot.clock.now()

    async def context(self, guild_id: int, user_id: int, config: Settings) -> FlowContext:
        mentors = self.bot.get_cog("Mentors")
        available = skip = False
        if mentors is not None:
            available = await mentors.service.has_available_mentor(guild_id)
            skip = await mentors.service.open_request(guild_id, user_id) is not None
        return FlowContext(config.onboarding, mentors_available=available, skip_mentor=skip)

    async def report(self, guild: discord.Guild, config: Settings, text: str, key: str) -> None:
        """Tell the moderators once about a problem they must fix (not once per member)."""
        await mod_log.report(self.bot.db, guild, config.channels.mod_log, text, once_key=f"onboarding:{key}")

    # --- the welcome ----------------------------------------------------------------------------------------------

    async def deliver_welcome(self, guild_id: int, user_id: int) -> None:
        """The queue's handler: one welcome DM per join, exactly once."""
        welcome = await self.store.welcome(guild_id, user_id)
        if welcome is None or welcome.state not in (WelcomeState.PENDING, WelcomeState.SENDING):
            return
        guild = self.bot.get_guild(guild_id)
        member = guild.get_member(user_id) if guild else None
        if member is None:
            await self.store.set_welcome_state(
                guild_id, user_id, WelcomeState.LEFT, self.now(), only_from=(WelcomeState.PENDING, WelcomeState.SENDING)
            )
            return
        if welcome.state is WelcomeState.SENDING:
            # The bot stopped during this DM: Discord may have accepted it. Look before sending again.
            found = await self.find_own_dm(member, guild_id, _surface(welcome.kind), after=parse(welcome.queued_at))
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
            roles = await self.sync_roles(member, config, Answers.from_row(profile), previously=[])
        if await self.store.dm_closed(guild_id, user_id):
            await self._to_fallback(guild_id, user_id, "DMs closed earlier")
            return
        claimed = await self.store.claim_welcome(guild_id, user_id, self.now())
        if claimed is None:
            return
        if claimed.kind is WelcomeKind.WELCOME_BACK:
            fields = await self._welcome_back(member, config, roles)
        else:
            fields = await self._welcome(member, config)
        result = await send_dm(member, nonce_value=nonce("welcome", guild_id, user_id, claimed.join_seq), **fields)
        await self._after_welcome(member, claimed.attempts, result)

    async def _welcome(self, member: discord.Member, config: Settings) -> dict[str, Any]:
        profile = await self.store.ensure_profile(member.guild.id, member.id, self.now())
        answers = Answers.from_row(profile)
        ctx = await self.context(member.guild.id, member.id, config)
        steps = steps_for(ctx, answers)
        step = Step(profile["step"]) if profile["step"] in steps else steps[0]
        embed = step_embed(member.guild, step, ctx, answers, greeting=True)
        view = step_view(
            member.guild.id, step, Surface.WELCOME, config.onboarding, answers, self.now(), first=step is steps[0]
        )
        return {"embed": embed, "view": view}

    async def _welcome_back(
        self, member: discord.Member, config: Settings, roles: list[discord.Role]
    ) -> dict[str, Any]:
        profile = await self.store.ensure_profile(member.guild.id, member.id, self.now())
        answers = Answers.from_row(profile)
        return {
            "embed": welcome_back_embed(member.guild, config, answers, [r.name for r in roles]),
            "view": again_view(member.guild.id, Surface.BACK),
        }

    async def _after_welcome(self, member: discord.Member, attempts: int, result: DmResult) -> None:
        guild_id, user_id, now = member.guild.id, member.id, self.now()
        if result.outcome is DmOutcome.SENT:
            await self.store.set_welcome_state(guild_id, user_id, WelcomeState.SENT, now, message_id=result.message.id)
        elif result.outcome is DmOutcome.CLOSED:
            await self.store.record_dm_closed(guild_id, user_id, now)
            await self._to_fallback(guild_id, user_id, result.error, only_from=(WelcomeState.SENDING,))
        elif result.outcome is DmOutcome.GONE:
            await self.store.set_welcome_state(guild_id, user_id, WelcomeState.LEFT, now, error=result.error)
        elif attempts >= MAX_ATTEMPTS:
            log.warning(
                "Gave up welcoming member %s in guild %s after %d attempts: %s",
                user_id,
                guild_id,
                attempts,
                result.error,
            )
            await self.store.set_welcome_state(guild_id, user_id, WelcomeState.FAILED, now, error=result.error)
        else:
            await self.store.set_welcome_state(guild_id, user_id, WelcomeState.PENDING, now, error=result.error)
            if self.queue is not None:
                self.queue.offer_later((guild_id, user_id), min(300.0, 5.0 * 2**attempts))

    async def _to_fallback(
        self,
        guild_id: int,
        user_id: int,
        error: str | None,
        only_from: tuple[WelcomeState, ...] = (WelcomeState.PENDING, WelcomeState.SENDING),
    ) -> None:
        await self.store.set_welcome_state(
            guild_id, user_id, WelcomeState.FALLBACK, self.now(), only_from=only_from, error=error
        )
        if self.fallback is not None:
            self.fallback.add(guild_id, user_id)

    async def find_own_dm(
        self, user: discord.abc.User, guild_id: int, surface: Surface, *, after: datetime
    ) -> discord.Message | None:
        """Our onboarding DM for this server and surface sent after `after`, if Discord has one."""
        try:
            channel = user.dm_channel or await user.create_dm()
            async for message in channel.history(limit=10, after=after - timedelta(seconds=5)):
                if message.author.id != self.bot.user.id:
                    continue
                for custom_id in custom_ids(message):
                    parts = custom_id.split(":")
                    if parts[0] in ("onb", "onbb") and parts[1] == str(guild_id) and parts[-1] == surface.value:
                        return message
        except discord.HTTPException:
            log.warning("Could not read the DM history of %s; sending again", user.id, exc_info=True)
        return None

    # --- the welcome-channel fallback -----------------------------------------------------------------------------

    async def resume_fallbacks(self, welcomes: list[Welcome]) -> None:
        """At start: members a greeting of ours already mentions are marked greeted; the others are queued.

        A crash after Discord accepted a greeting and before every member in it was marked leaves them
        'fallback'; the batches formed after the restart can be other sets, whose nonce is another, so the
        welcome channel's history is what says who was greeted."""
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
        channel = find_channel(guild, config.channels.welcome)
        if not isinstance(channel, discord.TextChannel):
            return set()
        wanted = {welcome.user_id for welcome in waiting}
        after = min(parse(welcome.queued_at) for welcome in waiting) - timedelta(seconds=5)
        found: set[int] = set()
        try:
            async for message in channel.history(limit=FALLBACK_HISTORY, after=after):
                if message.author.id == self.bot.user.id and any(
                    custom_id.startswith("onbstart:") for custom_id in custom_ids(message)
                ):
                    found |= wanted & set(message.raw_mentions)
        except discord.HTTPException:
            log.warning("Could not read the welcome channel of guild %s; greeting again", guild.id, exc_info=True)
        return found

    async def post_fallback(self, guild_id: int, user_ids: list[int]) -> None:
        """One message in the welcome channel mentioning members whose DMs are closed, with a start button."""
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return
        now = self.now()
        waiting, joins = [], []
        for user_id in user_ids:
            welcome = await self.store.welcome(guild_id, user_id)
            if welcome is None or welcome.state is not WelcomeState.FALLBACK:
                continue
            member = guild.get_member(user_id)
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
        problem = channel_problem(guild, config.channels.welcome, ("text",))
        error = None
        if problem is None:
            channel = find_channel(guild, config.channels.welcome)
            mentions = ", ".join(member.mention for member in waiting)
            content = (
                f"Welcome {mentions}! I couldn't send you a direct message, so let's do it here: press "
                "**Start onboarding** to pick (or review) your role and interests; only you see the questions."
            )
            try:
                await channel.send(
                    clip(content, 2000),
                    view=start_view(guild_id),
                    allowed_mentions=discord.AllowedMentions(users=waiting, roles=False, everyone=False),
                    nonce=nonce("fallback", guild_id, *sorted(joins)),
                )
            except discord.Forbidden:
                problem = f"the bot may not post in {channel.mention}"
            except discord.HTTPException as failure:
                log.warning("Welcome-channel post in guild %s failed; trying again soon: %s", guild_id, failure)
                if self.fallback is not None:
                    for member in waiting:
                        self.fallback.add(guild_id, member.id)
                return
        if problem is not None:
            error = problem
            await self.report(
                guild,
                config,
                f"Onboarding: some newcomers have closed DMs and I cannot greet them in the welcome channel: {problem}."
                " Fix `channels.welcome` with /config set. They can still run /onboarding start.",
                "welcome-channel",
            )
        for member in waiting:
            await self.store.set_welcome_state(
                guild_id, member.id, WelcomeState.DM_CLOSED, now, only_from=(WelcomeState.FALLBACK,), error=error
            )

    # --- the reminder ---------------------------------------------------------------------------------------------

    async def send_reminder(self, guild_id: int, user_id: int) -> None:
        """The one reminder to a member who started and did not finish."""
        now = self.now()
        profile = await self.store.profile(guild_id, user_id)
        guild = self.bot.get_guild(guild_id)
        member = guild.get_member(user_id) if guild else None
        if (
            profile is None
            or profile["status"] == "finished"
            or member is None
            or await self.store.dm_closed(guild_id, user_id)
        ):
            await self.store.close_reminder(guild_id, user_id, "skipped", now)
            return
        if not await self.store.claim_reminder(guild_id, user_id, now):
            return
        config = await self.bot.guild_config(guild_id)
        answers = Answers.from_row(profile)
        ctx = await self.context(guild_id, user_id, config)
        steps = steps_for(ctx, answers)
        step = Step(profile["step"]) if profile["step"] in steps else steps[0]
        embed = step_embed(
            guild,
            step,
            ctx,
            answers,
            greeting=False,
            note=f"You started onboarding in {guild.name} but didn't finish. Pick up where you left off:",
        )
        view = step_view(guild_id, step, Surface.REMINDER, config.onboarding, answers, now, first=step is steps[0])
        result = await send_dm(member, nonce_value=nonce("reminder", guild_id, user_id), embed=embed, view=view)
        await self._after_reminder(guild_id, user_id, result)

    async def _after_reminder(self, guild_id: int, user_id: int, result: DmResult) -> None:
        now = self.now()
        if result.outcome is DmOutcome.SENT:
            await self.store.close_reminder(guild_id, user_id, "sent", now)
        elif result.outcome is DmOutcome.CLOSED:
            await self.store.record_dm_closed(guild_id, user_id, now)
            await self.store.close_reminder(guild_id, user_id, "skipped", now)
        elif result.outcome is DmOutcome.GONE:
            await self.store.close_reminder(guild_id, user_id, "skipped", now)
        else:
            log.warning(
                "Reminder to %s in guild %s failed (%s); trying again in an hour", user_id, guild_id, result.error
            )
            await self.store.retry_reminder(guild_id, user_id, now + timedelta(hours=1))

    async def resume_reminder(self, guild_id: int, user_id: int, claimed_at: datetime) -> None:
        """A reminder cut off by a stop: done if Discord has it, otherwise due again."""
        guild = self.bot.get_guild(guild_id)
        member = guild.get_member(user_id) if guild else None
        found = None
        if member is not None:
            found = await self.find_own_dm(member, guild_id, Surface.REMINDER, after=claimed_at)
        if found is not None:
            await self.store.close_reminder(guild_id, user_id, "sent", self.now())
        else:
            await self.store.retry_reminder(guild_id, user_id, self.now())

    # --- roles ----------------------------------------------------------------------------------------------------

    async def sync_roles(
        self, member: discord.Member, config: Settings, answers: Answers, previously: list[int]
    ) -> list[discord.Role]:
        """Give the roles mapped to the answers and take back ones the bot gave for answers since changed."""
        guild, settings = member.guild, config.onboarding
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
                        f"Onboarding gives the role **{escape(ref)}**, but this server "
                        "has no such role. Create it, or change its `discord_role` in the settings file.",
                        f"role-missing:{ref.lower()}",
                    )
                continue
            ours.add(role.id)
            if is_wanted and role not in wanted:
                wanted.append(role)
        me = guild.me
        if not me.guild_permissions.manage_roles:
            if wanted:
                await self.report(
                    guild,
                    config,
                    "Onboarding cannot give roles: I need the **Manage Roles** permission.",
                    "manage-roles",
                )
            return []
        for role in [r for r in wanted if r >= me.top_role or r.managed]:
            wanted.remove(role)
            await self.report(
                guild,
                config,
                f"Onboarding cannot give the role **{escape(role.name)}**: it is above "
                "my highest role. Move my role above it in Server Settings → Roles.",
                f"role-above:{role.id}",
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
                "Onboarding could not change a member's roles (Discord said the bot "
                "lacks permission). Check my role's position and the Manage Roles permission.",
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


def given_roles(profile: Any) -> list[int]:
    return [int(x) for x in json.loads(profile["given_roles"] or "[]")] if profile is not None else []
