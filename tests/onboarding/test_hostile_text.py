"""What members type stays inert and within Discord's limits: topics, bios, echoed text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.settings import default_settings
from cogs.onboarding.mentors.models import Mentor, MentorStatus
from cogs.onboarding.mentors.render import mentor_list_text, unknown_topics_text
from cogs.onboarding.topics import parse_topics, quoted, topic_choices
from loopback import LoopbackDiscord
from tests.harness import BotHarness

CONFIG = default_settings()
TOPIC_KEYS = [o.key for o in CONFIG.onboarding.topics]
HOSTILE = st.one_of(
    st.text(max_size=400),
    st.sampled_from(["@everyone", "@here", "<@123456789012345678>", "<@&123456789012345678>", "**bold** `x` ||s||",
                     "a" * 4000, "\n" * 50, "mlops, @everyone, ,,, data engineering"]),
)


@given(HOSTILE)
def test_topic_parsing_never_fails_and_keeps_only_known_topics(text: str) -> None:
    keys, unknown = parse_topics(CONFIG.onboarding, text)
    assert set(keys) <= set(TOPIC_KEYS) and len(keys) == len(set(keys))
    assert all(0 < len(piece) <= 40 for piece in unknown)
    reply = unknown_topics_text(unknown, CONFIG.onboarding)
    assert len(reply) <= 2000


@given(HOSTILE)
def test_autocomplete_stays_within_discord_limits(text: str) -> None:
    for multi in (True, False):
        choices = topic_choices(CONFIG.onboarding, text[:100], multi=multi)
        assert len(choices) <= 25
        assert all(1 <= len(c.name) <= 100 and len(c.value) <= 100 for c in choices)


@given(HOSTILE)
def test_echoed_text_is_one_inline_code_span(text: str) -> None:
    shown = quoted(text)
    assert shown.startswith("`") and shown.endswith("`") and shown.count("`") == 2
    assert len(shown) <= 42 and "\n" not in shown


@settings(max_examples=50)
@given(st.lists(HOSTILE, min_size=1, max_size=30))
def test_the_mentor_list_fits_one_embed_whatever_the_bios(bios: list[str]) -> None:
    mentors = [Mentor(1, 100 + i, ("mlops",), 2, bio or None, MentorStatus.ACTIVE, 0, 0) for i, bio in enumerate(bios)]
    text = mentor_list_text(mentors, CONFIG.onboarding)
    assert len(text) <= 4096
    for line in text.splitlines():
        if line.startswith("> "):
            assert len(line) <= 2 + 2 * 200  # clipped to 200, then markdown-escaped at worst doubled


async def test_a_hostile_bio_pings_nobody_when_listed(loopback: LoopbackDiscord, harness: BotHarness) -> None:
    guild = loopback.guild
    rex = loopback.add_user("rex")
    loopback.add_member(guild.id, rex)
    await harness.start()
    general = guild.channel("general").id
    bio = "@everyone <@&" + str(guild.role("Moderators").id) + "> **free crypto** " + "x" * 250
    join = await loopback.invoke_slash(guild.id, general, rex.id, "mentor",
                                       {"topics": "MLOps, @everyone", "bio": bio[:300]}, "join")
    await join.wait_response()
    assert "Not a topic here: `@everyone`" in join.content_text()
    join = await loopback.invoke_slash(guild.id, general, rex.id, "mentor", {"topics": "MLOps", "bio": bio[:300]},
                                       "join")
    await join.wait_response()
    listed = await loopback.invoke_slash(guild.id, general, rex.id, "mentor", {}, "list")
    await listed.wait_response()
    [callback] = [c for c in loopback.calls_to("POST", r"/interactions/\d+/[^/]+/callback")
                  if c.body.get("data", {}).get("embeds")]
    assert callback.body["data"]["allowed_mentions"] == {"parse": []}
    description = callback.body["data"]["embeds"][0]["description"]
    assert "\\*\\*free crypto\\*\\*" in description and len(description) <= 4096
