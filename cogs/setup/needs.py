"""Walking the composed settings for every channel and role they name (fields marked ChannelKind / RoleKind, also
inside lists of options), so a future feature's channels are checked and made without editing setup."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from bot.guild_settings import SETTABLE_KEYS, get_value
from bot.settings import ChannelKind, FeatureSettings, RoleKind, Settings
from cogs.setup.models import Hints, Reference, TagSpec

# A role field of this name is one the bot hands out (onboarding's answers give `discord_role`); a feature that
# gives roles names its field the same, and setup checks the role sits below the bot's highest role.
GIVEN_ROLE_FIELD = "discord_role"
# Core settings setup knows: the moderators' log is private to the moderator role and the bot.
CORE_PRIVATE = {"channels.mod_log": "roles.moderator"}


def _markers(model: type[BaseModel], name: str) -> tuple[Any, ...]:
    field = model.model_fields[name]
    try:
        hints = typing.get_type_hints(model, include_extras=True)
    except NameError:  # a model whose annotations name something out of reach: pydantic's metadata is enough
        hints = {}
    return tuple(getattr(hints.get(name), "__metadata__", ())) + tuple(field.metadata)


def _item_markers(model: type[BaseModel], name: str) -> tuple[Any, ...]:
    """The markers on the items of a list field (`list[ForumOrTextChannelRef]`)."""
    args = typing.get_args(model.model_fields[name].annotation)
    return tuple(getattr(args[0], "__metadata__", ())) if args else ()


def _reference(path: str, value: Any, markers: tuple[Any, ...], *, settable: bool, field: str) -> Reference | None:
    if not isinstance(value, str) or not value:
        return None
    channel = next((m for m in markers if isinstance(m, ChannelKind)), None)
    if channel is not None:
        return Reference(path, value, tuple(channel.kinds), settable=settable)
    if any(isinstance(m, RoleKind) for m in markers):
        return Reference(path, value, (), settable=settable, given=field == GIVEN_ROLE_FIELD)
    return None


def _walk(model: BaseModel, prefix: str, in_list: bool) -> Iterator[Reference]:
    kind = type(model)
    for name in kind.model_fields:
        value = getattr(model, name)
        path = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            yield from _walk(value, f"{path}.", in_list)
            continue
        if isinstance(value, list):
            item_markers = _item_markers(kind, name)
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    label = getattr(item, "key", None) or index
                    yield from _walk(item, f"{path}[{label}].", True)
                elif (ref := _reference(path, item, item_markers, settable=False, field=name)) is not None:
                    yield ref
            continue
        settable = not in_list and path in SETTABLE_KEYS
        ref = _reference(path, value, _markers(kind, name), settable=settable, field=name)
        if ref is not None:
            yield ref


def references(settings: Settings, defaults: Settings | None = None) -> list[Reference]:
    """Every channel and role the settings name, in settings order.

    A per-server key holding an ID gets the settings file's name as `fallback`, so a channel or role that was
    stored by ID and then deleted can be made again under the name the file gives it.
    """
    found = []
    for ref in _walk(settings, "", False):
        if ref.settable and ref.value.isdigit() and defaults is not None:
            try:
                original = get_value(defaults, ref.path)
            except AttributeError:
                original = None
            if isinstance(original, str) and not original.isdigit():
                ref = Reference(ref.path, ref.value, ref.kinds, ref.settable, original, ref.given)
        found.append(ref)
    return found


def hints(settings: Settings) -> Hints:
    """Forums and their tags, as each feature's section declares them (`setup_forum_tags()`), and the private
    channels of the core settings.

    A section declares forums with a method `setup_forum_tags()` returning {channel setting path: [(tag,
    moderated, emoji), ...]} in plain values, so a feature never imports setup.
    """
    forum_tags: dict[str, tuple[TagSpec, ...]] = {}
    for name in type(settings).model_fields:
        section = getattr(settings, name)
        declare = getattr(section, "setup_forum_tags", None) if isinstance(section, FeatureSettings) else None
        if declare is None:
            continue
        for path, tags in declare().items():
            specs = tuple(TagSpec(str(tag), bool(moderated), emoji) for tag, moderated, emoji in tags)
            forum_tags[path] = forum_tags.get(path, ()) + specs
    return Hints(forum_tags=forum_tags, private=dict(CORE_PRIVATE))
