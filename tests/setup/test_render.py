"""What managers read stays within Discord's limits whatever the settings hold: 10 embeds, 25 fields, 4,096
characters a description, 6,000 a message."""

from __future__ import annotations

from cogs.setup import render
from cogs.setup.models import CheckLine, CheckSection, NewCategory, NewChannel, Outcome, Plan, Status, TagSpec


def message_size(embeds: list) -> int:
    return sum(len(e) for e in embeds)


def test_a_huge_checklist_fits_one_message() -> None:
    lines = [CheckLine(Status.MISSING if n % 3 else Status.OK, f"#channel-{n}", "used by `x.y[z].channels` " * 4,
                       "`/setup create` makes it (text), or change it in the settings file") for n in range(300)]
    sections = [CheckSection("Channels", tuple(lines)), CheckSection("Roles", tuple(lines[:100]))]
    tally = {Status.OK: 100, Status.MISSING: 200, Status.PROBLEM: 0}
    embeds = render.checklist_embeds("Big Server", sections, tally)
    assert len(embeds) <= 10 and message_size(embeds) <= 6000
    assert all(len(e.description or "") <= 4096 for e in embeds)
    assert "more: fix these first" in (embeds[1].description or "")


def test_a_small_checklist_is_shown_line_by_line() -> None:
    sections = [CheckSection("Channels", (CheckLine(Status.OK, "<#1>", "used by `channels.welcome`"),
                                          CheckLine(Status.PROBLEM, "<#2>", "I lack Send Messages there", "give it")))]
    embeds = render.checklist_embeds("Small", sections, {Status.OK: 1, Status.MISSING: 0, Status.PROBLEM: 1})
    assert embeds[1].description == (
        "✅ <#1> — **OK**: used by `channels.welcome`\n⚠️ <#2> — **problem**: I lack Send Messages there\n"
        "   ↳ Fix: give it")


def test_a_huge_preview_and_result_fit_one_embed() -> None:
    forums = tuple(NewChannel(f"forum-{n}", "forum", "Community", ("p",), tuple(TagSpec(f"t{k}") for k in range(20)))
                   for n in range(40))  # fmt: skip
    plan = Plan(categories=tuple(NewCategory(f"Community {n}") for n in range(10)), channels=forums,
                roles=tuple(f"role {n}" for n in range(200)), warnings=tuple(f"warning {n} " * 20 for n in range(30)))
    embed = render.preview_embed(plan, 40)
    assert len(embed.fields) <= 25 and len(embed) <= 6000
    outcome = Outcome(created_channels=[(f"c{n}", 10**18 + n) for n in range(400)],
                      created_roles=[(f"r{n}", 10**18 + n) for n in range(200)],
                      tags_added=[("questions", f"t{n}") for n in range(20)], remembered=[("channels.welcome", 1)])
    result = render.result_embed(outcome)
    assert len(result.fields) <= 25 and len(result) <= 6000
