"""Setup's decisions without I/O: what the settings need on this server, the checklist, the plan, its digest."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence

from bot import i18n
from bot.discord_helpers import normalise_channel_ref, normalise_role_ref
from bot.i18n import _, ngettext
from cogs.setup.models import (
    ChannelFact,
    ChannelNeed,
    CheckLine,
    CheckSection,
    GuildFacts,
    Hints,
    NewCategory,
    NewChannel,
    Plan,
    Reference,
    Remember,
    RoleFact,
    RoleNeed,
    Status,
    TagEdit,
    TagSpec,
)
from cogs.setup.words import code, kind, kind_phrase, listing, permission

# Discord's limits for one server.
MAX_CHANNELS = 500  # channels and categories
MAX_CATEGORY_CHANNELS = 50
MAX_ROLES = 250  # @everyone included
MAX_FORUM_TAGS = 20
# What the bot needs in a channel it posts in; a forum (or a text channel holding Q&A threads) needs the thread ones.
POSTING = ("view_channel", "send_messages", "embed_links", "read_message_history")
IN_FORUM = ("send_messages_in_threads", "manage_threads")
# What the bot allows itself (and the moderators) in a private channel it makes; it must have these server-wide.
PRIVATE_ALLOW = ("view_channel", "send_messages", "embed_links", "read_message_history")
# Roughly how many creations a second Discord allows per route, for the preview's time estimate.
CREATES_PER_SECOND = 5


def label(flag: str) -> str:
    """`manage_channels` as people read it in Discord (in the current language): Manage Channels."""
    return permission(flag)


# --- finding things by name or ID, of the right kind ---------------------------------------------------------------


def find_channel(facts: GuildFacts, ref: str, kinds: Iterable[str]) -> ChannelFact | None:
    """Like bot.discord_helpers.find_channel, over the facts: by ID or case-insensitive name, of one of `kinds`."""
    wanted = tuple(kinds)
    ref = normalise_channel_ref(ref)
    if ref.isdigit():
        found = facts.channel(int(ref))
        return found if found is not None and found.kind in wanted else None
    lowered = ref.lower()
    return next((c for c in facts.channels if c.kind in wanted and c.name.lower() == lowered), None)


def find_role(facts: GuildFacts, ref: str) -> RoleFact | None:
    ref = normalise_role_ref(ref)
    if ref.isdigit():
        return next((r for r in facts.roles if r.id == int(ref)), None)
    lowered = ref.lower()
    return next((r for r in facts.roles if r.name.lower() == lowered), None)


def _discord_channel_name(name: str, kind: str) -> str:
    """The name Discord gives a new channel: text and forum names are lower case without spaces."""
    return "-".join(name.lower().split()) if kind in ("text", "forum") else name


# --- what the settings need on this server -------------------------------------------------------------------------


def _group_key(ref: Reference, found: ChannelFact | RoleFact | None, value: str) -> tuple[str, str]:
    """Settings naming the same thing become one need: by the ID found, else by name (an ID that is gone falls
    back to the name the setting had when it was stored, if any)."""
    if found is not None:
        return ("id", str(found.id))
    if value.isdigit():
        return ("name", ref.fallback.lower()) if ref.fallback else ("gone", value)
    return ("name", value.lower())


def channel_needs(refs: Sequence[Reference], facts: GuildFacts, hints: Hints) -> list[ChannelNeed]:
    """One need per channel, however many settings name it; what exists is found by ID or by name and kind."""
    role_values = {ref.path: ref.value for ref in refs if not ref.is_channel}
    groups: dict[tuple[str, str], list[Reference]] = {}
    for ref in refs:
        if not ref.is_channel:
            continue
        found = find_channel(facts, ref.value, ref.kinds)
        groups.setdefault(_group_key(ref, found, normalise_channel_ref(ref.value)), []).append(ref)
    needs = []
    for (how, what), group in groups.items():
        kinds = tuple(k for k in group[0].kinds if all(k in ref.kinds for ref in group))
        first = group[0]
        name = first.fallback if how != "id" and normalise_channel_ref(first.value).isdigit() else first.value
        name = normalise_channel_ref(name or what)
        found = facts.channel(int(what)) if how == "id" else None
        paths = tuple(dict.fromkeys(ref.path for ref in group))
        tags = tuple(tag for path in paths for tag in hints.forum_tags.get(path, ()))
        private = next((role_values.get(hints.private[p]) for p in paths if p in hints.private), None)
        other = None
        if found is None and how != "gone":
            other = find_channel(facts, name, ("text", "forum", "category", "voice", "other"))
        needs.append(
            ChannelNeed(
                name=found.name if found else name,
                kinds=kinds,
                paths=paths,
                refs=tuple(group),
                found=found,
                other_kind=other,
                bot_posts=any(ref.settable for ref in group),
                tags=_unique_tags(tags),
                private_to=private,
                unresolvable=how == "gone",
            )
        )
    return needs


def _unique_tags(tags: Iterable[TagSpec]) -> tuple[TagSpec, ...]:
    seen: dict[str, TagSpec] = {}
    for tag in tags:
        seen.setdefault(tag.name.casefold(), tag)
    return tuple(seen.values())


def role_needs(refs: Sequence[Reference], facts: GuildFacts) -> list[RoleNeed]:
    groups: dict[tuple[str, str], list[Reference]] = {}
    for ref in refs:
        if ref.is_channel:
            continue
        found = find_role(facts, ref.value)
        groups.setdefault(_group_key(ref, found, normalise_role_ref(ref.value)), []).append(ref)
    needs = []
    for (how, what), group in groups.items():
        first = group[0]
        found = next((r for r in facts.roles if str(r.id) == what), None) if how == "id" else None
        name = first.fallback if how != "id" and normalise_role_ref(first.value).isdigit() else first.value
        needs.append(
            RoleNeed(
                name=found.name if found else normalise_role_ref(name or what),
                paths=tuple(dict.fromkeys(ref.path for ref in group)),
                refs=tuple(group),
                found=found,
                given=any(ref.given for ref in group),
                unresolvable=how == "gone",
            )
        )
    return needs


# --- /setup check ---------------------------------------------------------------------------------------------------


def _paths(paths: Sequence[str], limit: int = 3) -> str:
    shown = listing([f"`{p}`" for p in paths[:limit]])
    if len(paths) <= limit:
        return shown
    more = len(paths) - limit
    return ngettext("{paths} and {count} more", "{paths} and {count} more", more).format(
        paths=shown, count=i18n.number(more)
    )


def _used(paths: Sequence[str]) -> str:
    return _("used by {paths}").format(paths=_paths(paths))


def _missing_fix(paths: Sequence[str], settable: bool, create_as: str | None) -> str:
    """How to fix a missing channel (`create_as` its kind) or role (None): /setup create, or the setting."""
    create, config_set = code("setup create"), code("config set")
    if create_as is not None and settable:
        text = _("{create} makes it ({kind}), or point `{path}` at another one with {config_set}")
    elif create_as is not None:
        text = _("{create} makes it ({kind}), or change it in the settings file")
    elif settable:
        text = _("{create} makes it, or point `{path}` at another one with {config_set}")
    else:
        text = _("{create} makes it, or change it in the settings file")
    return text.format(create=create, kind=kind(create_as or ""), path=paths[0], config_set=config_set)


def _gone_fix(paths: Sequence[str]) -> str:
    return _("set `{path}` again with {config_set}").format(path=paths[0], config_set=code("config set"))


def channel_lines(needs: Sequence[ChannelNeed]) -> list[CheckLine]:
    lines = []
    for need in needs:
        settable = any(ref.settable for ref in need.refs)
        used = _used(need.paths)
        if not need.kinds:
            lines.append(CheckLine(
                Status.PROBLEM, f"#{need.name}",
                _("the settings need it as different kinds, used by {paths}").format(paths=_paths(need.paths)),
                _("make every setting that names it accept one kind")))
            continue
        if need.unresolvable:
            lines.append(CheckLine(
                Status.PROBLEM, _("channel ID {id}").format(id=need.refs[0].value),
                _("no longer exists, used by {paths}").format(paths=_paths(need.paths)), _gone_fix(need.paths)))
            continue
        found = need.found
        if found is None:
            detail = used
            if need.other_kind is not None:
                detail = _("used by {paths}; {channel} is {kind}, not {wanted}").format(
                    paths=_paths(need.paths), channel=need.other_kind.mention, kind=kind_phrase(need.other_kind.kind),
                    wanted=i18n.join([kind_phrase(k) for k in need.kinds], alternatives=True))
            lines.append(CheckLine(Status.MISSING, f"#{need.name}", detail,
                                   _missing_fix(need.paths, settable, need.create_as)))
            continue
        missing: list[str] = []
        if need.bot_posts:
            wanted = POSTING + (IN_FORUM if found.kind == "forum" else ())
            missing = [label(p) for p in wanted if p not in found.bot_can]
        if missing:
            fix = _("give my role these permissions in {channel} (Edit Channel → Permissions)").format(
                channel=found.mention)
            detail = _("I lack {permissions} there, used by {paths}").format(
                permissions=listing(missing), paths=_paths(need.paths))
            lines.append(CheckLine(Status.PROBLEM, found.mention, detail, fix))
        else:
            lines.append(CheckLine(Status.OK, found.mention, used))
        if found.kind == "forum" and need.tags:
            have = {t.casefold() for t in found.tags}
            lacking = [t.name for t in need.tags if t.name.casefold() not in have]
            room = MAX_FORUM_TAGS - len(found.tags)
            subject = _("{channel} tags").format(channel=found.mention)
            if lacking:
                fix = _("{create} adds them").format(create=code("setup create")) if room >= 1 else _(
                    "it has {count} of Discord's {limit} tags: remove some in Edit Channel → Tags").format(
                    count=i18n.number(len(found.tags)), limit=i18n.number(MAX_FORUM_TAGS))
                lines.append(CheckLine(Status.MISSING, subject, listing(lacking), fix))
            else:
                lines.append(CheckLine(Status.OK, subject, listing([t.name for t in need.tags])))
    return lines


def role_lines(needs: Sequence[RoleNeed]) -> list[CheckLine]:
    lines = []
    for need in needs:
        used = _used(need.paths)
        settable = any(ref.settable for ref in need.refs)
        if need.unresolvable:
            lines.append(CheckLine(
                Status.PROBLEM, _("role ID {id}").format(id=need.refs[0].value),
                _("no longer exists, used by {paths}").format(paths=_paths(need.paths)), _gone_fix(need.paths)))
        elif need.found is None:
            lines.append(CheckLine(Status.MISSING, f"@{need.name}", used, _missing_fix(need.paths, settable, None)))
        else:
            lines.append(CheckLine(Status.OK, f"<@&{need.found.id}>", used))
    return lines


def hierarchy_lines(needs: Sequence[RoleNeed], facts: GuildFacts) -> list[CheckLine]:
    """Roles the bot gives must sit below its highest role (Discord refuses otherwise)."""
    lines = []
    mine = facts.bot_role_name
    for need in needs:
        role = need.found
        if not need.given or role is None:
            continue
        if role.managed:
            lines.append(CheckLine(Status.PROBLEM, f"<@&{role.id}>",
                                   _("is managed by an integration: nobody can give it"),
                                   _("pick another role in the settings file")))
        elif role.position >= facts.bot_top_position:
            lines.append(CheckLine(
                Status.PROBLEM, f"<@&{role.id}>",
                _("sits above my highest role **{role}**, so I cannot give it").format(role=mine),
                _("drag **{role}** above it in Server Settings → Roles").format(role=mine)))
        else:
            lines.append(CheckLine(Status.OK, f"<@&{role.id}>", _("below **{role}**: I can give it").format(role=mine)))
    if not lines:
        lines.append(CheckLine(Status.OK, _("roles I give"), _("none yet; those {create} makes sit below mine").format(
            create=code("setup create"))))
    return lines


def permission_lines(facts: GuildFacts, needed: Sequence[tuple[str, str, str]]) -> list[CheckLine]:
    """Server-wide permissions: (flag, label, why) as bot/invite.py lists them."""
    missing = [(flag, name, why) for flag, name, why in needed if flag not in facts.bot_permissions]
    if not missing:
        count = len(needed)
        return [CheckLine(Status.OK, _("server permissions"), ngettext(
            "all {count} the bot uses", "all {count} the bot uses", count).format(count=i18n.number(count)))]
    return [
        CheckLine(Status.PROBLEM, label(flag), _("not granted; needed to {why}").format(why=_(why)),
                  _("give my role this permission in Server Settings → Roles (or invite me again with "
                    "`community-bot invite`)"))
        for flag, _name, why in missing
    ]


def intent_lines(facts: GuildFacts) -> list[CheckLine]:
    subject = _("Server Members intent")
    if facts.members_intent:
        return [CheckLine(Status.OK, subject, _("on: newcomers are welcomed as they join"))]
    return [CheckLine(Status.PROBLEM, subject, _("off: newcomers are not seen joining"),
                      _("turn on Bot → Privileged Gateway Intents → Server Members Intent in the Developer Portal, "
                        "then restart the bot"))]


def checklist(
    channels: Sequence[ChannelNeed], roles: Sequence[RoleNeed], facts: GuildFacts,
    needed: Sequence[tuple[str, str, str]],
) -> list[CheckSection]:
    return [
        CheckSection(_("Channels"), tuple(channel_lines(channels))),
        CheckSection(_("Roles"), tuple(role_lines(roles))),
        CheckSection(_("Role order"), tuple(hierarchy_lines(roles, facts))),
        CheckSection(_("Bot permissions"), tuple(permission_lines(facts, needed))),
        CheckSection(_("Gateway intent"), tuple(intent_lines(facts))),
    ]


def counts(sections: Sequence[CheckSection]) -> dict[Status, int]:
    found = dict.fromkeys(Status, 0)
    for section in sections:
        for line in section.lines:
            found[line.status] += 1
    return found


# --- /setup create ------------------------------------------------------------------------------------------------


def plan(channels: Sequence[ChannelNeed], roles: Sequence[RoleNeed], facts: GuildFacts, category: str) -> Plan:
    """What to create so the settings are met: only what is missing, and nothing while something stops it."""
    warnings: list[str] = []
    blockers: list[str] = []
    new_roles = [need.name for need in roles if need.found is None and not need.unresolvable]
    for role_need in roles:
        if role_need.unresolvable:
            warnings.append(_("`{path}` holds the ID of a role that is gone: set it with {config_set}.").format(
                path=role_need.paths[0], config_set=code("config set")))
        role = role_need.found
        if role_need.given and role is not None and (role.managed or role.position >= facts.bot_top_position):
            warnings.append(_(
                "I cannot give {role}: it sits above my highest role **{mine}**. Drag **{mine}** above it in Server "
                "Settings → Roles.").format(role=f"<@&{role.id}>", mine=facts.bot_role_name))
    to_make = []
    for need in channels:
        if need.unresolvable:
            warnings.append(_("`{path}` holds the ID of a channel that is gone: set it with {config_set}.").format(
                path=need.paths[0], config_set=code("config set")))
        elif not need.kinds:
            warnings.append(_("#{name} is needed as different kinds by {paths}: not made.").format(
                name=need.name, paths=_paths(need.paths)))
        elif need.found is None:
            to_make.append(need)
    new_channels, new_categories, category_ids = _place(to_make, facts, category)
    tag_edits = []
    for need in channels:
        found = need.found
        if found is None or found.kind != "forum" or not need.tags:
            continue
        have = {t.casefold() for t in found.tags}
        lacking = [t for t in need.tags if t.name.casefold() not in have]
        room = MAX_FORUM_TAGS - len(found.tags)
        if lacking and room < len(lacking):
            skipped = listing([t.name for t in lacking[max(room, 0):]])
            warnings.append(_("{channel} has {count} tags of Discord's {limit}: not adding {tags}.").format(
                channel=found.mention, count=i18n.number(len(found.tags)), limit=i18n.number(MAX_FORUM_TAGS),
                tags=skipped))
            lacking = lacking[: max(room, 0)]
        if lacking:
            tag_edits.append(TagEdit(found.id, found.name, tuple(lacking)))
    for made in new_channels:
        if len(made.tags) > MAX_FORUM_TAGS:
            warnings.append(_("#{name} gets the first {limit} of its {count} tags.").format(
                name=made.name, limit=i18n.number(MAX_FORUM_TAGS), count=i18n.number(len(made.tags))))
    new_channels = [
        NewChannel(c.name, c.kind, c.category, c.paths, c.tags[:MAX_FORUM_TAGS], c.private_to) for c in new_channels
    ]
    remember = _remember(channels, roles)

    existing_channels = sum(1 for c in facts.channels)
    if existing_channels + len(new_channels) + len(new_categories) > MAX_CHANNELS:
        blockers.append(_(
            "this server has {count} channels; {more} more would pass Discord's {limit}. Delete unused ones or trim "
            "the settings.").format(count=i18n.number(existing_channels),
                                    more=i18n.number(len(new_channels) + len(new_categories)),
                                    limit=i18n.number(MAX_CHANNELS)))
    if len(facts.roles) + 1 + len(new_roles) > MAX_ROLES:
        blockers.append(_(
            "this server has {count} roles; {more} more would pass Discord's {limit}. Delete unused ones or trim "
            "the settings.").format(count=i18n.number(len(facts.roles) + 1), more=i18n.number(len(new_roles)),
                                    limit=i18n.number(MAX_ROLES)))
    needs_permissions: list[str] = []
    if new_channels or new_categories or tag_edits:
        needs_permissions.append("manage_channels")
    if new_roles:
        needs_permissions.append("manage_roles")
    if any(c.private_to for c in new_channels):
        needs_permissions += [p for p in PRIVATE_ALLOW if p not in needs_permissions]
    missing = [p for p in needs_permissions if p not in facts.bot_permissions]
    if missing:
        blockers.append(_(
            "I need {permissions} to do this: give my role them in Server Settings → Roles, then run {create} "
            "again.").format(permissions=listing([f"**{label(p)}**" for p in missing]), create=code("setup create")))
    return Plan(
        categories=tuple(new_categories),
        channels=tuple(new_channels),
        roles=tuple(new_roles),
        tag_edits=tuple(tag_edits),
        remember=tuple(remember),
        category_ids=category_ids,
        blockers=tuple(blockers),
        warnings=tuple(dict.fromkeys(warnings)),
    )


def _place(
    needs: Sequence[ChannelNeed], facts: GuildFacts, category: str
) -> tuple[list[NewChannel], list[NewCategory], dict[str, int]]:
    """Every new channel under the setup category (reused when it exists); past Discord's 50 a category, under
    "<category> 2", "<category> 3"..."""
    made: list[NewChannel] = []
    categories: list[NewCategory] = []
    reused: dict[str, int] = {}
    number, room, current = 1, 0, ""
    for need in needs:
        while room <= 0:
            current = category if number == 1 else f"{category} {number}"
            number += 1
            existing = find_channel(facts, current, ("category",))
            if existing is not None:
                reused[current] = existing.id
                room = MAX_CATEGORY_CHANNELS - sum(1 for c in facts.channels if c.parent_id == existing.id)
            else:
                categories.append(NewCategory(current))
                room = MAX_CATEGORY_CHANNELS
        room -= 1
        name = _discord_channel_name(need.name, need.create_as)
        made.append(NewChannel(name, need.create_as, current, need.paths,
                               need.tags if need.create_as == "forum" else (), need.private_to))
    return made, categories, reused


def _remember(channels: Sequence[ChannelNeed], roles: Sequence[RoleNeed]) -> list[Remember]:
    """Per-server keys that still name their channel or role by name (or whose ID is gone): stored by ID once it
    exists, so renaming it later breaks nothing."""
    found = []
    for channel in channels:
        if channel.unresolvable or not channel.kinds:
            continue
        for ref in channel.refs:
            if ref.settable and (channel.found is None or not normalise_channel_ref(ref.value).isdigit()):
                name = channel.found.name if channel.found else _discord_channel_name(channel.name, channel.create_as)
                found.append(Remember(ref.path, "channel", name, channel.found.id if channel.found else None))
    for role in roles:
        if role.unresolvable:
            continue
        for ref in role.refs:
            if ref.settable and (role.found is None or not normalise_role_ref(ref.value).isdigit()):
                found.append(Remember(ref.path, "role", role.name, role.found.id if role.found else None))
    return found


def digest(plan: Plan) -> str:
    """A short fingerprint of what the plan does: Confirm carries it, so what runs is what was previewed."""
    data = {
        "categories": [c.name for c in plan.categories],
        "channels": [[c.name, c.kind, c.category, [t.name for t in c.tags], c.private_to] for c in plan.channels],
        "roles": list(plan.roles),
        "tags": [[t.channel_id, [tag.name for tag in t.add]] for t in plan.tag_edits],
        "remember": [[r.path, r.target, r.name, r.existing_id] for r in plan.remember],
        "blocked": bool(plan.blockers),
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def seconds_estimate(plan: Plan) -> int:
    """About how long the creates take at Discord's pace (channels and roles run side by side)."""
    channel_writes = len(plan.categories) + len(plan.channels) + len(plan.tag_edits)
    return max(1, -(-max(channel_writes, len(plan.roles)) // CREATES_PER_SECOND))
