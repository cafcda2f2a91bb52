"""/setup check and /setup create on a fresh server on the loopback Discord: what is checked, what is made, what is
stored, and that a second run, a member without Manage Server or a bot without permissions changes nothing."""

from __future__ import annotations

from bot.client import CommunityBot
from loopback import ChannelType, LoopbackDiscord, Perm
from loopback.world import DEFAULT_BOT_PERMISSIONS, ForumTag, Overwrite
from tests.harness import BotHarness
from tests.setup.helpers import confirm, confirm_id, server_writes, slash

SHIPPED_CHANNELS = {
    "welcome", "events", "mod-log", "data-science", "data-engineering", "analytics", "mlops", "careers", "research",
    "learning", "machine-learning", "llms", "open-source", "competitions",
}
SHIPPED_ROLES = {
    "Moderators", "Data Scientist", "Data Engineer", "Data Analyst", "ML Engineer", "Analytics Engineer",
    "Data Product Manager", "Researcher", "Student", "New to data", "Early career", "Experienced",
}
FORUM_TAGS = ["Solved", "Python", "SQL", "Machine learning", "Data engineering", "Analytics", "Career"]


async def test_check_lists_what_a_fresh_server_lacks_and_writes_nothing(loopback: LoopbackDiscord, bot) -> None:
    guild = loopback.guild
    before = len(loopback.calls)
    ix = await slash(loopback, guild.owner_id, "check")
    assert ix.ephemeral
    text = ix.content_text()
    assert "#welcome — **missing**" in text and "`/setup create` makes it" in text
    assert "#questions — **missing**" in text and "(forum)" in text
    assert "@Moderators — **missing**" in text and "@Data Scientist — **missing**" in text
    general = guild.channel("general")
    assert f"<#{general.id}> — **OK**" in text  # the text channel, not the General category or voice channel
    assert "is a category" not in text
    assert "Server Members intent — **OK**" in text
    assert "server permissions — **OK**" in text
    assert "0 problems" in text
    assert server_writes(loopback, before) == []


async def test_check_names_problems_with_their_fix(loopback: LoopbackDiscord, harness: BotHarness) -> None:
    guild = loopback.guild
    above = loopback.add_role(guild.id, "Data Engineer")
    above.position = 2000  # above the bot's role
    hidden = loopback.add_channel(guild.id, "mod-log")
    hidden.overwrites = [Overwrite(guild.id, Overwrite.ROLE, deny=Perm.VIEW_CHANNEL)]  # private, and the bot forgot
    loopback.set_bot_permissions(guild.id, DEFAULT_BOT_PERMISSIONS & ~Perm.MANAGE_EVENTS)
    await harness.start()
    text = (await slash(loopback, guild.owner_id, "check")).content_text()
    assert f"<@&{above.id}> — **problem**: sits above my highest role **Bot**" in text
    assert "Fix: drag **Bot** above it in Server Settings → Roles" in text
    assert (f"<#{hidden.id}> — **problem**: I lack View Channel, Send Messages, Embed Links, Read Message History"
            in text)
    assert "Manage Events — **problem**: not granted; needed to keep Discord's scheduled events" in text
    assert "3 problems" in text


async def test_non_managers_are_refused_and_nothing_changes(loopback: LoopbackDiscord, bot: CommunityBot) -> None:
    guild = loopback.guild
    mallory = loopback.add_user("mallory")
    loopback.add_member(guild.id, mallory)
    before = len(loopback.calls)
    for subcommand in ("check", "create"):
        ix = await slash(loopback, mallory.id, subcommand)
        assert ix.ephemeral and "You need the **Manage Server** permission" in ix.content_text()
    preview = await slash(loopback, guild.owner_id, "create")
    custom_id = confirm_id(preview)
    assert custom_id is not None and preview.original is not None
    click = await loopback.click_button(preview.original.id, custom_id, mallory.id)
    await click.wait_response()
    assert click.ephemeral and "Manage Server" in click.content_text()
    assert server_writes(loopback, before) == []
    assert await bot.guild_settings.overrides(guild.id) == {}


async def test_create_makes_what_is_missing_once(loopback: LoopbackDiscord, bot: CommunityBot) -> None:
    guild = loopback.guild
    owner = guild.owner_id
    preview = await slash(loopback, owner, "create")
    assert preview.ephemeral
    text = preview.content_text()
    assert "Category" in text and "Community" in text and "Text channels (14)" in text
    assert "#mod-log (private: moderators and me)" in text and "Forum #questions" in text
    assert "Roles (12)" in text and "Solved (moderators only)" in text
    assert "#general" not in text  # exists already
    assert server_writes(loopback) == []  # a preview changes nothing

    await confirm(loopback, preview, owner)
    assert "/setup create: done" in loopback.message(preview.original.id).text()
    world = loopback.world.guild(guild.id)
    category = next(c for c in world.channels.values() if c.type == ChannelType.CATEGORY and c.name == "Community")
    made = {c.name: c for c in world.channels.values() if c.parent_id == category.id}
    assert set(made) == SHIPPED_CHANNELS | {"questions"}
    assert all(c.type == ChannelType.TEXT for name, c in made.items() if name != "questions")
    forum = made["questions"]
    assert forum.type == ChannelType.FORUM and [t.name for t in forum.available_tags] == FORUM_TAGS
    assert forum.tag("Solved").moderated and forum.tag("Solved").emoji_name == "✅"
    roles = {r.name: r for r in world.roles.values()}
    assert set(roles) >= SHIPPED_ROLES
    assert all(roles[name].position < roles["Bot"].position and roles[name].permissions == 0 for name in SHIPPED_ROLES)
    # The moderators' log: hidden from @everyone, open to the moderators and to the bot itself.
    mod_log = made["mod-log"]
    rules = {(o.type, o.id): o for o in mod_log.overwrites}
    assert rules[(Overwrite.ROLE, guild.id)].deny & Perm.VIEW_CHANNEL
    assert rules[(Overwrite.ROLE, roles["Moderators"].id)].allow & Perm.VIEW_CHANNEL
    assert rules[(Overwrite.MEMBER, loopback.bot_user.id)].allow & Perm.SEND_MESSAGES
    newcomer = loopback.add_user("newcomer")
    loopback.add_member(guild.id, newcomer)
    assert world.channel_permissions(newcomer.id, mod_log) == 0
    assert world.channel_permissions(loopback.bot_user.id, mod_log) & Perm.SEND_MESSAGES

    # Stored by ID: renaming them later breaks nothing.
    stored = await bot.guild_settings.overrides(guild.id)
    assert stored == {
        "channels.welcome": str(made["welcome"].id), "channels.questions": str(forum.id),
        "channels.events": str(made["events"].id), "channels.mod_log": str(mod_log.id),
        "roles.moderator": str(roles["Moderators"].id),
    }
    [summary] = loopback.channel_messages(mod_log.id)
    assert "/setup create" in summary.content and f"<#{made['welcome'].id}>" in summary.content
    assert summary.mention_ids == [] and summary.mention_roles == []  # a summary pings nobody

    # A second run finds everything and writes nothing at all.
    before = len(loopback.calls)
    again = await slash(loopback, owner, "create")
    assert "nothing to create" in again.content_text() and confirm_id(again) is None
    check = await slash(loopback, owner, "check")
    assert "0 missing · 0 problems" in check.content_text()
    assert server_writes(loopback, before) == []
    # Not a single request besides answering the two commands.
    assert [c.path for c in loopback.calls[before:] if not c.path.startswith(("/interactions/", "/webhooks/"))] == []
    assert await bot.guild_settings.overrides(guild.id) == stored


async def test_existing_channels_are_reused_by_name_and_kind(loopback: LoopbackDiscord, harness: BotHarness) -> None:
    guild = loopback.guild
    welcome = loopback.add_channel(guild.id, "Welcome")  # case-insensitive
    forum = loopback.add_channel(guild.id, "questions", type=ChannelType.FORUM, available_tags=["Python", "dbt"])
    loopback.add_channel(guild.id, "events", type=ChannelType.VOICE)  # the wrong kind: a text #events is made
    moderators = loopback.add_role(guild.id, "moderators")
    bot = await harness.start()
    preview = await slash(loopback, guild.owner_id, "create")
    text = preview.content_text()
    assert "Tags for #questions" in text and "Forum #questions" not in text
    await confirm(loopback, preview, guild.owner_id)
    world = loopback.world.guild(guild.id)
    assert [c.name.lower() for c in world.channels.values()].count("welcome") == 1
    events = [c for c in world.channels.values() if c.name == "events"]
    assert sorted(c.type for c in events) == [ChannelType.TEXT, ChannelType.VOICE]
    assert [t.name for t in forum.available_tags][:2] == ["Python", "dbt"]
    assert {t.name for t in forum.available_tags} == {"dbt", *FORUM_TAGS}
    assert len(loopback.calls_to("PATCH", rf"^/channels/{forum.id}$")) == 1
    assert not [r for r in world.roles.values() if r.name == "Moderators"]  # "moderators" was reused
    stored = await bot.guild_settings.overrides(guild.id)
    assert stored["channels.welcome"] == str(welcome.id) and stored["roles.moderator"] == str(moderators.id)
    assert stored["channels.questions"] == str(forum.id)


async def test_missing_permissions_are_named_and_nothing_is_half_created(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    guild = loopback.guild
    loopback.set_bot_permissions(guild.id, DEFAULT_BOT_PERMISSIONS & ~Perm.MANAGE_ROLES)
    bot = await harness.start()
    preview = await slash(loopback, guild.owner_id, "create")
    text = preview.content_text()
    assert "Nothing can be created yet" in text and "**Manage Roles**" in text
    assert confirm_id(preview) is None
    assert server_writes(loopback) == [] and await bot.guild_settings.overrides(guild.id) == {}


async def test_a_role_above_the_bot_is_named_with_its_fix(loopback: LoopbackDiscord, harness: BotHarness) -> None:
    guild = loopback.guild
    senior = loopback.add_role(guild.id, "Experienced")
    senior.position = 5000
    await harness.start()
    preview = await slash(loopback, guild.owner_id, "create")
    assert f"I cannot give <@&{senior.id}>" in preview.content_text()
    assert "Drag **Bot** above it" in preview.content_text()
    check = await slash(loopback, guild.owner_id, "check")
    assert f"<@&{senior.id}> — **problem**: sits above my highest role **Bot**" in check.content_text()


async def test_a_stale_preview_is_shown_again_instead_of_carried_out(loopback: LoopbackDiscord, bot) -> None:
    guild = loopback.guild
    preview = await slash(loopback, guild.owner_id, "create")
    await bot.get_guild(guild.id).create_text_channel("welcome")  # someone made one meanwhile
    before = len(loopback.calls)
    await confirm(loopback, preview, guild.owner_id)
    text = loopback.message(preview.original.id).text()
    assert "changed since" in text and "Text channels (13)" in text
    assert server_writes(loopback, before) == []


async def test_create_stays_within_discord_rate_limits(loopback: LoopbackDiscord, bot) -> None:
    guild = loopback.guild
    loopback.rate_limits(True, per_route=5, per_seconds=1.0, global_per_second=50)
    preview = await slash(loopback, guild.owner_id, "create")
    await confirm(loopback, preview, guild.owner_id, within=30)
    assert "/setup create: done" in loopback.message(preview.original.id).text()
    assert [c for c in loopback.calls if c.status == 429] == []
    assert len(server_writes(loopback)) == 1 + 15 + 12 + 1  # category, channels, roles, the summary


async def test_a_refusal_midway_keeps_and_stores_what_was_made(loopback: LoopbackDiscord, bot: CommunityBot) -> None:
    guild = loopback.guild
    loopback.inject("POST", rf"^/guilds/{guild.id}/roles$", 403, times=1)
    preview = await slash(loopback, guild.owner_id, "create")
    await confirm(loopback, preview, guild.owner_id)
    text = loopback.message(preview.original.id).text()
    assert "/setup create stopped" in text and "Moderators" in text and "run `/setup create` again" in text
    again = await slash(loopback, guild.owner_id, "create")
    await confirm(loopback, again, guild.owner_id)
    assert "/setup create: done" in loopback.message(again.original.id).text()
    world = loopback.world.guild(guild.id)
    names = [c.name for c in world.channels.values()]
    assert all(names.count(name) == 1 for name in SHIPPED_CHANNELS)  # nothing made twice
    assert {r.name for r in world.roles.values()} >= SHIPPED_ROLES
    assert "roles.moderator" in await bot.guild_settings.overrides(guild.id)


async def test_a_forum_already_full_of_tags_gets_only_what_fits(loopback: LoopbackDiscord, harness: BotHarness) -> None:
    guild = loopback.guild
    forum = loopback.add_channel(guild.id, "questions", type=ChannelType.FORUM)
    forum.available_tags = [ForumTag(id=loopback.world.ids.next(), name=f"topic{n}") for n in range(18)]
    await harness.start()
    preview = await slash(loopback, guild.owner_id, "create")
    assert "not adding Python" not in preview.content_text() and "not adding SQL" in preview.content_text()
    await confirm(loopback, preview, guild.owner_id)
    assert len(forum.available_tags) == 20 and {"Solved", "Python"} <= {t.name for t in forum.available_tags}
