"""Clicks on persistent components (DynamicItems) without rebuilding the clicked message's whole view.

For a click on a DynamicItem, discord.py (2.7) rebuilds the view of the whole message from its components
(`View.from_message`: a View with a timeout task and every button and select of the message), finds the clicked
item in it, swaps the feature's item in, and calls it. Our items keep their state in the custom_id and read
neither the message's view nor their siblings (bot/feature.py's contract), so the rebuild is wasted work: under a
burst of RSVP clicks it was 12% of the event loop's time and half the objects a click allocated (py-spy and a
garbage-collection probe, 2026-12-04), the same for every feature's buttons.

`DynamicItemStore` builds only the clicked component's item from the message and hands it to `from_custom_id`; the
rest is discord.py's order (the state of a select, `interaction_check`, the callback, a failure logged). A message
laid out with components v2 (nested containers) takes discord.py's own path.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

import discord
from discord.ui.view import ViewStore, _component_to_item  # discord.py is pinned (pyproject.toml)

log = logging.getLogger(__name__)


def install(client: discord.Client) -> None:
    """Route this client's component clicks through `DynamicItemStore` (before it connects; views carried over)."""
    state = client._connection
    current = state._view_store
    store = DynamicItemStore(state)
    store._dynamic_items.update(current._dynamic_items)
    state._view_store = store


def clicked_component(rows: Iterable[Any], component_type: int, custom_id: str) -> discord.Component | None:
    """The component of a (non-v2) message that was clicked: the one of this type with this custom_id."""
    for row in rows:
        for component in getattr(row, "children", (row,)):
            if component.type.value == component_type and getattr(component, "custom_id", None) == custom_id:
                return component  # type: ignore[no-any-return]
    return None


class DynamicItemStore(ViewStore):
    """discord.py's view store, calling DynamicItems with only the clicked item built (module docstring)."""

    async def schedule_dynamic_item_call(
        self,
        component_type: int,
        factory: type[discord.ui.DynamicItem[discord.ui.Item[Any]]],
        interaction: discord.Interaction[Any],
        custom_id: str,
        match: re.Match[str],
    ) -> None:
        message = interaction.message
        if message is None or message.flags.components_v2:
            await super().schedule_dynamic_item_call(component_type, factory, interaction, custom_id, match)
            return
        component = clicked_component(message.components, component_type, custom_id)
        if component is None:
            return  # as discord.py: a click on what the message no longer shows does nothing
        base_item = _component_to_item(component)
        try:
            item = await factory.from_custom_id(interaction, base_item, match)
        except Exception:
            log.exception("Ignoring exception in dynamic item creation for %r", factory)
            return
        item._refresh_state(interaction, interaction.data)  # type: ignore[arg-type]  # a select's chosen values
        try:
            allow = await item.interaction_check(interaction)
        except Exception:
            allow = False
        if not allow:
            return
        try:
            await item.callback(interaction)
        except Exception:
            log.exception("Ignoring exception in dynamic item callback for %r", item)
