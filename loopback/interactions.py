"""What a user does through interactions: slash commands, buttons, selects, modals, context menus."""

from __future__ import annotations

# ASYNC109 is silenced where `timeout=` is part of the harness's public API.
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import payloads
from .world import Channel, Message, User, World, component_texts, embed_texts

if TYPE_CHECKING:
    from .gateway import Gateway
    from .waiting import Waiters

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
SELECT_TYPES = (3, 5, 6, 7, 8)


@dataclass
class InteractionRecord:
    """One interaction the loopback sent, and everything the bot answered to it."""

    id: int
    token: str
    type: int
    user_id: int
    guild_id: int | None
    channel_id: int
    payload: dict[str, Any]
    world: World = field(repr=False)
    waiters: Waiters = field(repr=False)
    command_name: str | None = None
    source_message_id: int | None = None
    created: float = field(default_factory=time.monotonic)
    responses: list[dict[str, Any]] = field(default_factory=list)
    followup_ids: list[int] = field(default_factory=list)
    original_message_id: int | None = None
    response_latency: float | None = None
    # When the member saw the answer itself: the first response, or after a deferral ("thinking…") the
    # follow-up or the edit that ended it. Benchmarks time this, so a deferral hides nothing.
    answer_latency: float | None = None
    expired: bool = False
    delivered: bool = False  # False when no session was there to take it (e.g. between sessions)
    shard_id: int | None = None  # the shard whose session it was sent to (DMs: shard 0)

    @property
    def followups(self) -> list[Message]:
        """Follow-up messages sent through the interaction webhook, oldest first."""
        return [self.world.messages[i] for i in self.followup_ids]

    @property
    def original(self) -> Message | None:
        """The message the first response created or updated, in its current (edited) state."""
        return self.world.messages.get(self.original_message_id) if self.original_message_id else None

    @property
    def modal(self) -> dict[str, Any] | None:
        """The modal the bot showed (type-9 response data), if any."""
        for r in self.responses:
            if r.get("type") == 9:
                return r.get("data")
        return None

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        """Autocomplete choices (type-8 response), if any."""
        for r in self.responses:
            if r.get("type") == 8:
                return (r.get("data") or {}).get("choices", [])
        return None

    @property
    def ephemeral(self) -> bool:
        """Whether the first reply (or, without one, the first follow-up) carried flag 64."""
        for r in self.responses:
            if r.get("type") in (4, 5):
                return bool(int((r.get("data") or {}).get("flags") or 0) & 64)
        followups = self.followups
        return bool(followups and followups[0].ephemeral)

    async def wait_response(self, timeout: float = 5) -> dict[str, Any]:  # noqa: ASYNC109
        """The first callback body (`{"type", "data"}`) the bot posted."""
        await self.waiters.wait(lambda: self.responses, timeout, f"a response to interaction {self.describe()}")
        return self.responses[0]

    async def wait_followup(self, n: int = 1, timeout: float = 5) -> Message:  # noqa: ASYNC109
        """The n-th follow-up message (1-based)."""
        await self.waiters.wait(lambda: len(self.followup_ids) >= n, timeout, f"follow-up #{n} to {self.describe()}")
        return self.followups[n - 1]

    async def wait_original(self, predicate: Any = None, timeout: float = 5) -> Message:  # noqa: ASYNC109
        """The original response message once it exists and is no longer loading (or matches `predicate`)."""
        def ready() -> Message | None:
            msg = self.original
            if msg is None or msg.flags & 128:
                return None
            return msg if predicate is None or predicate(msg) else None
        return await self.waiters.wait(ready, timeout, f"the original response of {self.describe()}")

    def content_text(self) -> str:
        """Response and follow-up text (content, embeds, component labels) joined, for assertions."""
        parts: list[str] = []
        original = self.original
        if original is not None:
            parts.append(original.text())
        else:
            for r in self.responses:
                data = r.get("data") or {}
                parts.append(data.get("content") or "")
                parts.extend(t for e in data.get("embeds") or [] for t in embed_texts(e))
                parts.extend(t for c in data.get("components") or [] for t in component_texts(c))
        parts.extend(m.text() for m in self.followups)
        return "\n".join(p for p in parts if p)

    def describe(self) -> str:
        """Short description for error messages."""
        what = self.command_name or self.payload.get("data", {}).get("custom_id", "")
        return f"{self.id} (type {self.type} {what!r})"


class InteractionActions:
    """Mixin for LoopbackDiscord: builds and dispatches INTERACTION_CREATE payloads."""

    world: World
    gateway: Gateway
    waiters: Waiters
    bot_user: User
    application_id: int
    commands: dict[int | None, list[dict[str, Any]]]
    interactions: dict[int, InteractionRecord]
    _ix_tokens: dict[str, InteractionRecord]

    # ---- command lookup

    def find_command(self, name: str, guild_id: int | None, type: int = 1) -> dict[str, Any]:
        """The registered command, guild scope first then global (as Discord's client shows them)."""
        for scope in (guild_id, None) if guild_id else (None,):
            for cmd in self.commands.get(scope, []):
                if cmd["name"] == name and int(cmd.get("type", 1)) == type:
                    return cmd
        known = sorted(c["name"] for scope in self.commands.values() for c in scope)
        raise ValueError(f"command {name!r} (type {type}) is not registered; the bot synced {known}")

    # ---- payload pieces

    def _perms(self, guild_id: int | None, user_id: int) -> int:
        return self.world.guild(guild_id).base_permissions(user_id) if guild_id else 0

    def _resolve(self, guild_id: int | None, kind: int, value: Any, resolved: dict[str, dict]) -> str:
        """Option or select value -> id string, adding the object to `resolved`."""
        ident = int(getattr(value, "id", value))
        guild = self.world.guilds.get(guild_id) if guild_id else None
        if kind == 9:
            kind = 8 if guild and ident in guild.roles else 6
        if kind == 6:
            resolved.setdefault("users", {})[str(ident)] = payloads.user(self.world.user(ident))
            if guild and ident in guild.members:
                entry = payloads.member(guild.members[ident], with_user=False, permissions=self._perms(guild_id, ident))
                resolved.setdefault("members", {})[str(ident)] = entry
        elif kind == 8:
            resolved.setdefault("roles", {})[str(ident)] = payloads.role(guild.roles[ident])
        elif kind == 7:
            ch = self.world.channel(ident)
            resolved.setdefault("channels", {})[str(ident)] = payloads.partial_channel(
                ch, self._perms(guild_id, self.bot_user.id), self.world)
        return str(ident)

    def _option_value(self, guild_id: int | None, spec: dict[str, Any], value: Any, resolved: dict) -> Any:
        kind = int(spec["type"])
        if kind in (6, 7, 8, 9):
            return self._resolve(guild_id, kind, value, resolved)
        if kind == 11:
            # An attachment option takes a file name (or anything with .filename); it arrives empty.
            att_id = self.world.ids.next()
            name = value if isinstance(value, str) else value.filename
            resolved.setdefault("attachments", {})[str(att_id)] = payloads.attachment(att_id, name, 0, None)
            return str(att_id)
        cast = {3: str, 4: int, 5: bool, 10: float}[kind]
        value = cast(value)
        choices = [c["value"] for c in spec.get("choices") or []]
        if choices and value not in choices:
            raise ValueError(f"option {spec['name']!r}: {value!r} is not one of the choices {choices}")
        return value

    def _build_options(
        self, guild_id: int | None, specs: list[dict[str, Any]], values: dict[str, Any], resolved: dict,
        focused: str | None,
    ) -> list[dict[str, Any]]:
        by_name = {s["name"]: s for s in specs}
        unknown = set(values) - set(by_name)
        if unknown:
            raise ValueError(f"unknown options {sorted(unknown)}; the command has {sorted(by_name)}")
        out = []
        for spec in specs:
            name = spec["name"]
            if name not in values:
                if spec.get("required") and focused is None:
                    raise ValueError(f"required option {name!r} missing")
                continue
            if name == focused:
                # While typing, the focused option's value is the raw partial text.
                out.append({"name": name, "type": spec["type"], "value": str(values[name]), "focused": True})
            else:
                out.append({"name": name, "type": spec["type"],
                            "value": self._option_value(guild_id, spec, values[name], resolved)})
        return out

    def _base(
        self, itype: int, data: dict[str, Any], guild_id: int | None, channel_id: int, user_id: int,
        message: Message | None = None,
    ) -> dict[str, Any]:
        """The fields every interaction carries; DMs get `user`, guilds get `member` with permissions."""
        channel = self.world.channel(channel_id)
        user = self.world.user(user_id)
        ix_id = self.world.ids.next()
        body: dict[str, Any] = {
            "id": str(ix_id),
            "application_id": str(self.application_id),
            "type": itype,
            "data": data,
            "channel_id": str(channel.id),
            "token": "ix." + secrets.token_urlsafe(48),
            "version": 1,
            "locale": user.locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if guild_id:
            guild = self.world.guild(guild_id)
            if user_id not in guild.members:
                raise ValueError(f"user {user_id} is not a member of guild {guild_id}")
            perms = guild.base_permissions(user_id)
            body.update(
                guild_id=str(guild_id),
                guild={"id": str(guild_id), "locale": guild.locale, "features": ["COMMUNITY", "NEWS"]},
                guild_locale=guild.locale,
                member=payloads.member(guild.members[user_id], permissions=perms),
                channel=payloads.partial_channel(channel, perms, self.world),
                app_permissions=str(guild.base_permissions(self.bot_user.id)),
                authorizing_integration_owners={"0": str(guild_id)},
                context=0,
            )
        else:
            body.update(
                user=payloads.user(user),
                channel=payloads.partial_channel(channel, 0, self.world),
                app_permissions=str((1 << 11) | (1 << 14) | (1 << 15) | (1 << 16)),
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
        if message is not None:
            body["message"] = payloads.message(self.world, message)
        return body

    async def _send(self, body: dict[str, Any], **record: Any) -> InteractionRecord:
        ix = InteractionRecord(
            id=int(body["id"]), token=body["token"], type=body["type"], user_id=int(
                (body.get("member") or body)["user"]["id"]),
            guild_id=int(body["guild_id"]) if "guild_id" in body else None, channel_id=int(body["channel_id"]),
            payload=body, world=self.world, waiters=self.waiters, **record,
        )
        self.interactions[ix.id] = ix
        self._ix_tokens[ix.token] = ix
        session = self.gateway.session_for(ix.guild_id)
        ix.delivered = await self.gateway.dispatch("INTERACTION_CREATE", body)
        ix.shard_id = session.shard_id if ix.delivered and session is not None else None
        return ix

    def _command_data(self, cmd: dict[str, Any], guild_id: int | None) -> dict[str, Any]:
        data: dict[str, Any] = {"id": str(cmd["id"]), "name": cmd["name"], "type": int(cmd.get("type", 1))}
        if cmd.get("guild_id"):
            data["guild_id"] = str(cmd["guild_id"])
        return data

    def _chat_input(
        self, guild_id: int | None, name: str, options: dict[str, Any] | None, subcommand: str | None,
        group: str | None, focused: str | None,
    ) -> dict[str, Any]:
        cmd = self.find_command(name, guild_id, 1)
        data = self._command_data(cmd, guild_id)
        resolved: dict[str, dict] = {}
        specs = cmd.get("options") or []
        path: list[tuple[str, int]] = []
        for part, kind in ((group, 2), (subcommand, 1)):
            if part is None:
                continue
            spec = next((s for s in specs if s["name"] == part and int(s["type"]) == kind), None)
            if spec is None:
                raise ValueError(f"/{name} has no {'group' if kind == 2 else 'subcommand'} {part!r}")
            path.append((part, kind))
            specs = spec.get("options") or []
        leaf = self._build_options(guild_id, specs, options or {}, resolved, focused)
        for part, kind in reversed(path):
            leaf = [{"name": part, "type": kind, "options": leaf}]
        data["options"] = leaf
        if resolved:
            data["resolved"] = resolved
        return data

    # ---- user actions

    async def invoke_slash(
        self, guild_id: int | None, channel_id: int, user_id: int, name: str, options: dict[str, Any] | None = None,
        subcommand: str | None = None, group: str | None = None,
    ) -> InteractionRecord:
        """A user runs `/name [group] [subcommand] options...` (type 2)."""
        data = self._chat_input(guild_id, name, options, subcommand, group, None)
        body = self._base(2, data, guild_id, channel_id, user_id)
        label = " ".join(p for p in (name, group, subcommand) if p)
        return await self._send(body, command_name=label)

    async def autocomplete(
        self, guild_id: int | None, channel_id: int, user_id: int, name: str, options: dict[str, Any], focused: str,
        subcommand: str | None = None, group: str | None = None,
    ) -> InteractionRecord:
        """A user types into an autocomplete option (type 4)."""
        data = self._chat_input(guild_id, name, options, subcommand, group, focused)
        body = self._base(4, data, guild_id, channel_id, user_id)
        return await self._send(body, command_name=name)

    async def invoke_message_command(
        self, guild_id: int | None, channel_id: int, user_id: int, name: str, message_id: int,
    ) -> InteractionRecord:
        """A user picks a message context-menu command (type 2, command type 3)."""
        cmd = self.find_command(name, guild_id, 3)
        target = self.world.messages[int(message_id)]
        data = self._command_data(cmd, guild_id)
        data["target_id"] = str(target.id)
        data["resolved"] = {"messages": {str(target.id): payloads.message(self.world, target)}}
        return await self._send(self._base(2, data, guild_id, channel_id, user_id), command_name=name)

    async def invoke_user_command(
        self, guild_id: int | None, channel_id: int, user_id: int, name: str, target_user_id: int,
    ) -> InteractionRecord:
        """A user picks a user context-menu command (type 2, command type 2)."""
        cmd = self.find_command(name, guild_id, 2)
        data = self._command_data(cmd, guild_id)
        resolved: dict[str, dict] = {}
        data["target_id"] = self._resolve(guild_id, 6, target_user_id, resolved)
        data["resolved"] = resolved
        return await self._send(self._base(2, data, guild_id, channel_id, user_id), command_name=name)

    def _find_component(self, msg: Message, custom_id: str) -> dict[str, Any]:
        def walk(items: list[dict[str, Any]]) -> dict[str, Any] | None:
            for c in items:
                if c.get("custom_id") == custom_id:
                    return c
                for key in ("components",):
                    found = walk(c.get(key) or [])
                    if found:
                        return found
                for key in ("accessory", "component"):
                    if isinstance(c.get(key), dict):
                        found = walk([c[key]])
                        if found:
                            return found
            return None

        found = walk(msg.components)
        if found is None:
            ids = [c for c in _custom_ids(msg.components)]
            raise ValueError(f"message {msg.id} has no component {custom_id!r}; it has {ids}")
        if found.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled; a user cannot use it")
        return found

    def _check_channel_open(self, channel: Channel) -> None:
        if channel.is_thread and channel.locked:
            raise ValueError(f"thread {channel.name!r} is locked: Discord rejects interactions there")

    async def _component(self, message_id: int, custom_id: str, user_id: int, values: list | None) -> InteractionRecord:
        msg = self.world.messages[int(message_id)]
        if msg.deleted:
            raise ValueError(f"message {message_id} was deleted")
        comp = self._find_component(msg, custom_id)
        self._check_channel_open(self.world.channel(msg.channel_id))
        kind = int(comp["type"])
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": kind}
        if kind == 2 and values is not None:
            raise ValueError(f"{custom_id!r} is a button; use click_button")
        if kind in SELECT_TYPES:
            values = list(values or [])
            allowed = [o["value"] for o in comp.get("options") or []]
            if kind == 3 and any(v not in allowed for v in values):
                raise ValueError(f"values {values} not among the select's options {allowed}")
            lo, hi = int(comp.get("min_values", 1)), int(comp.get("max_values", 1))
            if not lo <= len(values) <= hi:
                raise ValueError(f"select {custom_id!r} takes {lo}-{hi} values, got {len(values)}")
            if kind != 3:
                resolved: dict[str, dict] = {}
                values = [self._resolve(msg.guild_id, {5: 6, 6: 8, 7: 9, 8: 7}[kind], v, resolved) for v in values]
                data["resolved"] = resolved
            data["values"] = values
        body = self._base(3, data, msg.guild_id, msg.channel_id, user_id, message=msg)
        return await self._send(body, source_message_id=msg.id)

    async def click_button(self, message_id: int, custom_id: str, user_id: int) -> InteractionRecord:
        """A user clicks a button (type 3, component type 2)."""
        return await self._component(message_id, custom_id, user_id, None)

    async def select(self, message_id: int, custom_id: str, user_id: int, values: list[Any]) -> InteractionRecord:
        """A user picks values in a select menu (type 3, component type 3 or 5-8)."""
        return await self._component(message_id, custom_id, user_id, values)

    async def submit_modal(
        self, from_ix: InteractionRecord, custom_id: str | None = None, values: dict[str, Any] | None = None,
        user_id: int | None = None,
    ) -> InteractionRecord:
        """A user submits the modal `from_ix` was answered with (type 5), mirroring the modal's layout."""
        modal = from_ix.modal
        if modal is None:
            raise ValueError(f"interaction {from_ix.describe()} was not answered with a modal")
        if custom_id is not None and custom_id != modal["custom_id"]:
            raise ValueError(f"the modal's custom_id is {modal['custom_id']!r}, not {custom_id!r}")
        values = dict(values or {})
        counter = iter(range(1, 1000))
        resolved: dict[str, dict] = {}
        guild_id = from_ix.guild_id

        def submitted(c: dict[str, Any]) -> dict[str, Any]:
            kind, cid = int(c["type"]), c.get("custom_id")
            out: dict[str, Any] = {"type": kind, "id": c.get("id") or next(counter)}
            if kind == 4:
                value = str(values.pop(cid, c.get("value") or ""))
                lo, hi = int(c.get("min_length", 0)), int(c.get("max_length", 4000))
                if c.get("required", True) and not value:
                    raise ValueError(f"text input {cid!r} is required")
                if value and not lo <= len(value) <= hi:
                    raise ValueError(f"text input {cid!r} takes {lo}-{hi} characters, got {len(value)}")
                out.update(custom_id=cid, value=value)
            elif kind in SELECT_TYPES or kind == 19:
                picked = list(values.pop(cid, []))
                if kind in (5, 6, 7, 8):
                    picked = [self._resolve(guild_id, {5: 6, 6: 8, 7: 9, 8: 7}[kind], v, resolved) for v in picked]
                out.update(custom_id=cid, values=[str(v) for v in picked])
            elif kind in (21, 23):
                out.update(custom_id=cid, value=values.pop(cid, None if kind == 21 else False))
            elif kind == 22:
                out.update(custom_id=cid, values=list(values.pop(cid, [])))
            elif kind == 10:
                out["content"] = c.get("content", "")
            return out

        components = []
        for top in modal.get("components") or []:
            if int(top["type"]) == 1:
                components.append({"type": 1, "id": top.get("id") or next(counter),
                                   "components": [submitted(c) for c in top.get("components") or []]})
            elif int(top["type"]) == 18:
                components.append({"type": 18, "id": top.get("id") or next(counter),
                                   "component": submitted(top["component"])})
            else:
                components.append(submitted(top))
        if values:
            raise ValueError(f"modal {modal['custom_id']!r} has no inputs {sorted(values)}")
        data: dict[str, Any] = {"custom_id": modal["custom_id"], "components": components}
        if resolved:
            data["resolved"] = resolved
        source = self.world.messages.get(from_ix.source_message_id) if from_ix.source_message_id else None
        body = self._base(5, data, guild_id, from_ix.channel_id, user_id or from_ix.user_id, message=source)
        return await self._send(body, source_message_id=from_ix.source_message_id)


def _custom_ids(items: list[dict[str, Any]]) -> list[str]:
    out = []
    for c in items:
        if c.get("custom_id"):
            out.append(c["custom_id"])
        out.extend(_custom_ids(c.get("components") or []))
        for key in ("accessory", "component"):
            if isinstance(c.get(key), dict):
                out.extend(_custom_ids([c[key]]))
    return out

