"""The onboarding questions' persistent components (state in the custom_id, the rest in SQLite)."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import discord

from bot import i18n
from bot.discord_helpers import clip
from bot.errors import BaseModal, guarded
from bot.feature import feature_of
from bot.i18n import _
from cogs.onboarding.models import Answers, Step
from cogs.onboarding.render import placeholder
from cogs.onboarding.rules import OPTIONAL_STEPS, options_for, zone_offset_label
from cogs.onboarding.settings import OnboardingSettings

if TYPE_CHECKING:
    from cogs.onboarding.flow import QuestionFlow


class Surface(StrEnum):
    """Where a flow message lives, carried in its custom_ids."""

    # DM interactions have no guild, and a crash leaves only Discord's copy: the surface finds the message again.

    WELCOME = "w"  # the welcome DM
    REMINDER = "r"  # the reminder DM
    BACK = "b"  # the welcome-back DM
    EPHEMERAL = "e"  # /onboarding start or the welcome-channel button

    @property
    def in_dm(self) -> bool:
        return self is not Surface.EPHEMERAL


class FlowAction(StrEnum):
    """What a flow button does."""

    SKIP = "skip"
    BACK = "back"
    YES = "yes"
    NO = "no"
    TYPE = "type"  # type a time zone
    AGAIN = "again"  # change my answers


def _flow(interaction: discord.Interaction) -> QuestionFlow:
    from cogs.onboarding.cog import OnboardingCog  # the cog imports this module

    return feature_of(interaction, OnboardingCog).flow


class AnswerSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"onb(?::(?P<guild>\d+):(?P<step>[a-z]+)|lang:(?P<lang_guild>\d+)):(?P<tag>[a-z])",
):
    """A question's menu, or (step None) the language menu beside the welcome's first question; its custom_id names
    the server, the question and the surface."""

    def __init__(
        self, guild_id: int, step: Step | None, surface: Surface, select: discord.ui.Select[Any] | None = None
    ) -> None:
        self.guild_id, self.step, self.surface = guild_id, step, surface
        custom_id = f"onb:{guild_id}:{step.value}:{surface.value}" if step else f"onblang:{guild_id}:{surface.value}"
        super().__init__(select or discord.ui.Select(custom_id=custom_id))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> AnswerSelect:
        if match["lang_guild"]:
            return cls(int(match["lang_guild"]), None, Surface(match["tag"]))
        return cls(int(match["guild"]), Step(match["step"]), Surface(match["tag"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        if self.step is None:
            await _flow(interaction).choose_language(interaction, self.guild_id, self.surface, self.item.values)
        else:
            await _flow(interaction).answer(interaction, self.guild_id, self.step, self.surface, self.item.values)


class FlowButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"onbb:(?P<guild>\d+):(?P<step>[a-z]+):(?P<action>[a-z]+):(?P<tag>[a-z])",
):
    """Skip, Back, Yes/No, "type a time zone", "change my answers"."""

    def __init__(
        self,
        guild_id: int,
        step: Step,
        action: FlowAction,
        surface: Surface,
        label: str | None = None,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        self.guild_id, self.step, self.action, self.surface = guild_id, step, action, surface
        custom_id = f"onbb:{guild_id}:{step.value}:{action.value}:{surface.value}"
        super().__init__(discord.ui.Button(custom_id=custom_id, label=label or action.value, style=style))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> FlowButton:
        return cls(int(match["guild"]), Step(match["step"]), FlowAction(match["action"]), Surface(match["tag"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        await _flow(interaction).act(interaction, self.guild_id, self.step, self.action, self.surface)


class StartButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"onbstart:(?P<guild>\d+)"):
    """The welcome-channel button for members whose DMs are closed: starts the flow for whoever presses it."""

    def __init__(self, guild_id: int) -> None:
        self.guild_id = guild_id
        super().__init__(
            discord.ui.Button(
                custom_id=f"onbstart:{guild_id}", label=_("Start onboarding"), style=discord.ButtonStyle.primary
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> StartButton:
        return cls(int(match["guild"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        await _flow(interaction).start_ephemeral(interaction, self.guild_id)


def language_select(guild_id: int, surface: Surface) -> discord.ui.Select[Any]:
    """Each language in its own words; the one this message is written in is selected."""
    options = [
        discord.SelectOption(label=name, value=code, default=code == i18n.current())
        for code, name in i18n.LANGUAGES.items()
    ]
    return discord.ui.Select(
        custom_id=f"onblang:{guild_id}:{surface.value}",
        placeholder=_("Language of these messages"),
        options=options,
        min_values=1,
        max_values=1,
    )


class TimezoneModal(BaseModal):
    """Free text for a zone that is not in the region's menu."""

    def __init__(self, guild_id: int, surface: Surface) -> None:
        super().__init__(title=_("Your time zone"), custom_id=f"onbtz:{guild_id}:{surface.value}", timeout=900)
        self.guild_id, self.surface = guild_id, surface
        self.zone: discord.ui.TextInput[TimezoneModal] = discord.ui.TextInput(
            label=_("Time zone or city"),
            custom_id="zone",
            placeholder=_("Europe/Berlin, America/New_York, or a city such as Nairobi"),
            min_length=2,
            max_length=64,
        )
        self.add_item(self.zone)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await _flow(interaction).typed_zone(interaction, self.guild_id, self.surface, self.zone.value)


def _selected(step: Step, answers: Answers) -> set[str]:
    if step is Step.INTERESTS:
        return set(answers.interests)
    value = getattr(answers, step.value, None) if step is not Step.MENTOR else None
    return {value} if isinstance(value, str) else set()


def step_view(
    guild_id: int,
    step: Step,
    surface: Surface,
    settings: OnboardingSettings,
    answers: Answers,
    now: datetime,
    *,
    first: bool,
) -> discord.ui.View:
    """The components of one question."""
    view = discord.ui.View(timeout=None)
    if step is Step.MENTOR:
        view.add_item(
            FlowButton(guild_id, step, FlowAction.YES, surface, _("Yes, find me a mentor"), discord.ButtonStyle.primary)
        )
        view.add_item(FlowButton(guild_id, step, FlowAction.NO, surface, _("No thanks")))
    else:
        chosen = _selected(step, answers)
        options = []
        for option in options_for(step, settings, answers)[:25]:
            description = option.description
            if step is Step.TIMEZONE:
                description = _("{offset} now").format(offset=zone_offset_label(option.value, now))
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
            select: discord.ui.Select[Any] = discord.ui.Select(
                custom_id=f"onb:{guild_id}:{step.value}:{surface.value}",
                placeholder=placeholder(step) or None,
                options=options,
                min_values=1,
                max_values=len(options) if multi else 1,
            )
            view.add_item(AnswerSelect(guild_id, step, surface, select))
    if step is Step.TIMEZONE:
        view.add_item(FlowButton(guild_id, step, FlowAction.TYPE, surface, _("Type another time zone")))
    if step in OPTIONAL_STEPS:
        view.add_item(FlowButton(guild_id, step, FlowAction.SKIP, surface, _("Skip")))
    if not first:
        view.add_item(FlowButton(guild_id, step, FlowAction.BACK, surface, _("Back")))
    if first and surface.in_dm:
        view.add_item(AnswerSelect(guild_id, None, surface, language_select(guild_id, surface)))
    return view


def again_view(guild_id: int, surface: Surface) -> discord.ui.View:
    """Under a summary or a welcome back: run the questions again."""
    view = discord.ui.View(timeout=None)
    view.add_item(FlowButton(guild_id, Step.ROLE, FlowAction.AGAIN, surface, _("Change my answers")))
    return view


def start_view(guild_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(StartButton(guild_id))
    return view


DYNAMIC_ITEMS = (AnswerSelect, FlowButton, StartButton)
