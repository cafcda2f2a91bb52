"""The onboarding messages and their persistent components (state in the custom_id, the rest in SQLite)."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import discord

from bot.discord_helpers import clip
from bot.errors import BaseModal, guarded
from cogs.onboarding.flow import OPTIONAL_STEPS, Answers, FlowContext, Step, options_for, progress, zone_offset_label
from cogs.onboarding.settings import OnboardingSettings as Onboarding

if TYPE_CHECKING:
    from cogs.onboarding.controller import FlowController


class Surface(StrEnum):
    """Where a flow message lives; carried in the custom_id (DM interactions have no guild) and used to find the
    message again after a crash."""

    WELCOME = "w"  # the welcome DM
    REMINDER = "r"  # the reminder DM
    BACK = "b"  # the welcome-back DM
    EPHEMERAL = "e"  # /onboarding start or the welcome-channel button


class Action(StrEnum):
    SKIP = "skip"
    BACK = "back"
    YES = "yes"
    NO = "no"
    TYPE = "type"  # type a time zone
    AGAIN = "again"  # change my answers


QUESTIONS: dict[Step, tuple[str, str]] = {
    Step.ROLE: ("What do you do?", "Pick the role closest to yours"),
    Step.LEVEL: ("Where are you in your data journey?", "Pick your level"),
    Step.INTERESTS: ("What are you interested in?", "Pick as many topics as you like"),
    Step.REGION: ("Where are you based?", "Pick your region (optional)"),
    Step.TIMEZONE: ("Which time zone are you in?", "Pick your time zone (optional)"),
    Step.MENTOR: ("Would you like a mentor?", ""),
}
HINTS: dict[Step, str] = {
    Step.INTERESTS: "We suggest channels for each topic you pick.",
    Step.REGION: "Helps with meetups near you and with event times. You can skip this.",
    Step.TIMEZONE: "Event times are shown in your time zone. Not in the list? Type it.",
    Step.MENTOR: "A member a few steps ahead who has offered to help, for a few chats. They can say no, and so can "
    "you later (`/mentor end`).",
}


def _controller(interaction: discord.Interaction) -> FlowController:
    cog = interaction.client.get_cog("Onboarding")
    if cog is None:
        raise RuntimeError("the onboarding feature is not loaded")
    return cog.flow  # type: ignore[attr-defined]


class AnswerSelect(
    discord.ui.DynamicItem[discord.ui.Select], template=r"onb:(?P<guild>\d+):(?P<step>[a-z]+):(?P<tag>[a-z])"
):
    """A question's menu; its custom_id names the server, the question and the surface."""

    def __init__(self, guild_id: int, step: Step, surface: Surface, select: discord.ui.Select | None = None) -> None:
        self.guild_id, self.step, self.surface = guild_id, step, surface
        super().__init__(select or discord.ui.Select(custom_id=f"onb:{guild_id}:{step.value}:{surface.value}"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select, match: re.Match[str]
    ) -> AnswerSelect:
        return cls(int(match["guild"]), Step(match["step"]), Surface(match["tag"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        await _controller(interaction).answer(interaction, self.guild_id, self.step, self.surface, self.item.values)


class FlowButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"onbb:(?P<guild>\d+):(?P<step>[a-z]+):(?P<action>[a-z]+):(?P<tag>[a-z])",
):
    """Skip, Back, Yes/No, "type a time zone", "change my answers"."""

    def __init__(
        self, guild_id: int, step: Step, action: Action, surface: Surface, button: discord.ui.Button | None = None
    ) -> None:
        self.guild_id, self.step, self.action, self.surface = guild_id, step, action, surface
        custom_id = f"onbb:{guild_id}:{step.value}:{action.value}:{surface.value}"
        super().__init__(button or discord.ui.Button(custom_id=custom_id, label=action.value))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> FlowButton:
        return cls(int(match["guild"]), Step(match["step"]), Action(match["action"]), Surface(match["tag"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        await _controller(interaction).act(interaction, self.guild_id, self.step, self.action, self.surface)


class StartButton(discord.ui.DynamicItem[discord.ui.Button], template=r"onbstart:(?P<guild>\d+)"):
    """The welcome-channel button for members whose DMs are closed: starts the flow for whoever presses it."""

    def __init__(self, guild_id: int) -> None:
        self.guild_id = guild_id
        super().__init__(
            discord.ui.Button(
                custom_id=f"onbstart:{guild_id}", label="Start onboarding", style=discord.ButtonStyle.primary
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> StartButton:
        return cls(int(match["guild"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        await _controller(interaction).start_ephemeral(interaction, self.guild_id)


class TimezoneModal(BaseModal, title="Your time zone"):
    """Free text for a zone that is not in the region's menu."""

    zone: discord.ui.TextInput = discord.ui.TextInput(
        label="Time zone or city",
        custom_id="zone",
        placeholder="Europe/Berlin, America/New_York, or a city such as Nairobi",
        min_length=2,
        max_length=64,
    )

    def __init__(self, guild_id: int, surface: Surface) -> None:
        super().__init__(custom_id=f"onbtz:{guild_id}:{surface.value}", timeout=900)
        self.guild_id, self.surface = guild_id, surface

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await _controller(interaction).typed_zone(interaction, self.guild_id, self.surface, self.zone.value)


def _button(
    guild_id: int,
    step: Step,
    action: Action,
    surface: Surface,
    label: str,
    style: discord.ButtonStyle = discord.ButtonStyle.secondary,
) -> FlowButton:
    custom_id = f"onbb:{guild_id}:{step.value}:{action.value}:{surface.value}"
    return FlowButton(guild_id, step, action, surface, discord.ui.Button(custom_id=custom_id, label=label, style=style))


def _selected(step: Step, answers: Answers) -> set[str]:
    if step is Step.INTERESTS:
        return set(answers.interests)
    value = getattr(answers, step.value, None) if step is not Step.MENTOR else None
    return {value} if isinstance(value, str) else set()


def step_view(
    guild_id: int,
    step: Step,
    surface: Surface,
    settings: Onboarding,
    answers: Answers,
    now: datetime,
    *,
    first: bool,
) -> discord.ui.View:
    """The components of one question."""
    view = discord.ui.View(timeout=None)
    if step is Step.MENTOR:
        view.add_item(
            _button(guild_id, step, Action.YES, surface, "Yes, find me a mentor", discord.ButtonStyle.primary)
        )
        view.add_item(_button(guild_id, step, Action.NO, surface, "No thanks"))
    else:
        chosen = _selected(step, answers)
        options = []
        for option in options_for(step, settings, answers)[:25]:
            description = option.description
            if step is Step.TIMEZONE:
                description = f"{zone_offset_label(option.value, now)} now"
            options.append(
                discord.SelectOption(
                    label=clip(option.label, 100),
                    value=option.value,
                    description=clip(description, 100) or None,
                    default=option.value in chosen,
                )
            )
        multi = step is Step.INTERESTS
        if options:
            select = discord.ui.Select(
                custom_id=f"onb:{guild_id}:{step.value}:{surface.value}",
                placeholder=QUESTIONS[step][1],
                options=options,
                min_values=1,
                max_values=len(options) if multi else 1,
            )
            view.add_item(AnswerSelect(guild_id, step, surface, select))
    if step is Step.TIMEZONE:
        view.add_item(_button(guild_id, step, Action.TYPE, surface, "Type another time zone"))
    if step in OPTIONAL_STEPS:
        view.add_item(_button(guild_id, step, Action.SKIP, surface, "Skip"))
    if not first:
        view.add_item(_button(guild_id, step, Action.BACK, surface, "Back"))
    return view


def step_embed(
    guild: discord.Guild, step: Step, ctx: FlowContext, answers: Answers, *, greeting: bool, note: str | None = None
) -> discord.Embed:
    """The text of one question (with the greeting on the welcome's first question)."""
    number, total = progress(step, ctx, answers)
    lines = []
    if greeting:
        lines.append(clip(ctx.settings.greeting.replace("{server}", guild.name), 1000))
    if note:
        lines.append(f"⚠️ {note}")
    hint = HINTS.get(step)
    if hint:
        lines.append(hint)
    embed = discord.Embed(
        title=QUESTIONS[step][0], description="\n\n".join(lines) or None, colour=discord.Colour.blurple()
    )
    embed.set_author(name=clip(guild.name, 256), icon_url=guild.icon.url if guild.icon else None)
    embed.set_footer(text=f"Question {number} of {total} · change your answers any time with /onboarding start")
    return embed


def again_view(guild_id: int, surface: Surface) -> discord.ui.View:
    """Under a summary or a welcome back: run the questions again."""
    view = discord.ui.View(timeout=None)
    view.add_item(_button(guild_id, Step.ROLE, Action.AGAIN, surface, "Change my answers"))
    return view


def start_view(guild_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(StartButton(guild_id))
    return view


def custom_ids(message: discord.Message) -> list[str]:
    """Every custom_id on a message's components (to recognise our own messages after a crash)."""
    found: list[str] = []

    def walk(component: Any) -> None:
        custom_id = getattr(component, "custom_id", None)
        if custom_id:
            found.append(custom_id)
        for child in getattr(component, "children", []) or []:
            walk(child)

    for component in message.components:
        walk(component)
    return found


DYNAMIC_ITEMS = (AnswerSelect, FlowButton, StartButton)
