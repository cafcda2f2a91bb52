"""The playground as a person uses it: headless Chromium clicking through the page, the real bot behind it.

Each flow ends with a screenshot in tests/playground/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import re
from typing import Any

from tests.playground.conftest import Browser, Running

UNTIL = 15_000  # ms: what the bot does after a click (edits, DMs) shows up through the live updates


async def act_as(page: Any, label: str) -> None:
    await page.select_option("#member", label=label)
    await page.wait_for_selector(f"#member-list li.me:has-text({label!r})")


async def open_channel(page: Any, name: str) -> None:
    await page.click(f"#channels button.chan:text-is('# {name}')")
    await page.wait_for_selector(f"#channel-title:text-is('# {name}')")


async def run_command(page: Any, key: str, **options: str) -> None:
    await page.select_option("#command", value=key)
    for name, value in options.items():
        await page.fill(f"#command-options [data-option='{name}']", value)
    await page.click("#run-command")


async def pick(page: Any, step: str, values: list[str]) -> None:
    """Choose in the onboarding menu of `step` and press its Choose button."""
    row = page.locator(f".select-row:has(select[data-custom-id*=':{step}:'])")
    await row.locator("select").select_option(values)
    await row.locator("button").click()


def roles_of(running: Running, user_id: int) -> set[str]:
    guild = running.pg.guild
    return {guild.roles[r].name for r in guild.members[user_id].roles}


async def test_a_newcomer_onboards_through_the_page_and_gets_roles_and_the_summary(
    browser: Browser, running: Running
) -> None:
    page = browser.page
    await page.click("#join")
    # The page switches to the new member and opens their DMs, where the bot's welcome arrives.
    await page.wait_for_selector("#channel-title:has-text('Community Bot')")
    await page.wait_for_selector("select[data-custom-id*=':role:']", timeout=UNTIL)
    me = int(await page.eval_on_selector("#member", "s => s.value"))
    await pick(page, "role", ["data-engineer"])
    await page.wait_for_selector("select[data-custom-id*=':level:']", timeout=UNTIL)
    await pick(page, "level", ["early-career"])
    await page.wait_for_selector("select[data-custom-id*=':interests:']", timeout=UNTIL)
    await pick(page, "interests", ["mlops", "nlp"])
    await page.wait_for_selector("select[data-custom-id*=':region:']", timeout=UNTIL)
    await pick(page, "region", ["africa"])
    await page.wait_for_selector("select[data-custom-id*=':timezone:']", timeout=UNTIL)
    await pick(page, "timezone", ["Africa/Lagos"])
    await page.wait_for_selector("#messages .message:has-text('all set')", timeout=UNTIL)
    # The roles show in the member list, and the summary's channel links open those channels.
    mine = page.locator(f"#member-list li[data-member-id='{me}']")
    await mine.locator(".role:text-is('Data Engineer')").wait_for(timeout=UNTIL)
    await mine.locator(".role:text-is('Early career')").wait_for()
    assert roles_of(running, me) == {"Data Engineer", "Early career"}
    summary = page.locator("#messages .message:has-text('all set')")
    assert await summary.locator("a:text-is('#mlops')").count() >= 1
    assert not browser.errors and not browser.dialogs
    await browser.screenshot("1-onboarding-summary")
    await summary.locator("a:text-is('#mlops')").first.click()
    await page.wait_for_selector("#channel-title:text-is('# mlops')")


async def test_ask_then_mark_as_answer_shows_the_solved_tag(browser: Browser, running: Running) -> None:
    page = browser.page
    title = "Why is my groupby so slow?"
    await act_as(page, "Sam (member)")
    await open_channel(page, "general")
    await run_command(page, "/ask")
    await page.wait_for_selector("#modal-backdrop:not([hidden])")
    await page.locator("#modal-fields label:has-text('Title')").locator("input, textarea").fill(title)
    await page.locator("#modal-fields label:has-text('Details')").locator("input, textarea").fill(
        "A **2 GB** frame, `df.groupby('a').apply(f)` takes minutes.")
    await page.click("#modal-submit")
    post = page.locator(f"#channels button.chan.sub:has-text({title!r})")
    await post.wait_for(timeout=UNTIL)
    await act_as(page, "Mei (mentor)")
    await post.click()
    await page.fill("#message-input", "Use `transform` or a vectorised aggregation instead of `apply`.")
    await page.click("#send")
    reply = page.locator("#messages .message:has-text('vectorised aggregation')")
    await reply.wait_for(timeout=UNTIL)
    await act_as(page, "Sam (member)")
    await reply.hover()
    await reply.locator(".menu-button").click()
    await page.click("#context-menu button:text-is('Mark as answer')")
    await post.locator(".tag:has-text('Solved')").wait_for(timeout=UNTIL)
    await page.locator("#messages .message:has-text('as the accepted answer')").first.wait_for(timeout=UNTIL)
    # "thinking…" gives way to the answer (the ephemeral follow-up may land just after the public note)
    from playwright.async_api import expect  # (only with Playwright installed; a string predicate is eval, which
                                             # the page's CSP forbids)

    await expect(page.locator("#messages .loading")).to_have_count(0, timeout=UNTIL)
    forum = running.pg.guild.channel("questions")
    solved = next(t.id for t in forum.available_tags if "solved" in t.name.lower())
    asked = [t for t in running.pg.guild.threads if title in t.name]
    assert len(asked) == 1 and solved in asked[0].applied_tags
    assert not browser.errors and not browser.dialogs
    await browser.screenshot("2-question-solved")


async def test_event_create_going_and_a_day_later_the_reminder_and_its_dm(browser: Browser, running: Running) -> None:
    page = browser.page
    title = "Feature stores 101"
    await open_channel(page, "general")  # as the owner, who may organise
    await run_command(page, "/event create", title=title, when="in 25 hours")
    confirm = page.locator("#messages .message.ephemeral button[data-custom-id^='ev:confirm:']")
    await confirm.wait_for(timeout=UNTIL)
    await confirm.click()
    await act_as(page, "Sam (member)")
    await open_channel(page, "events")
    announcement = page.locator(f"#messages .message:has(.title:text-is({title!r}))")
    going = announcement.locator("button:has-text('Going')")
    await going.click()
    await announcement.locator("button:has-text('Going (1)')").wait_for(timeout=UNTIL)
    await page.click("button.time[data-hours='24']")
    reminder = page.locator(f"#messages .message:has-text('{title}'):has-text('starts')")
    await reminder.first.wait_for(timeout=UNTIL)
    assert "offline" not in await reminder.first.inner_text()  # on time: the clock stepped to its instant
    await page.click("#channels button.chan[data-channel-id='dm']")
    dm = page.locator(f"#messages .message:has-text({title!r})")
    await dm.first.wait_for(timeout=UNTIL)
    assert not browser.errors and not browser.dialogs
    await browser.screenshot("3-event-reminder-dm")


HOSTILE = ('<script>window.pwned = 1</script> <img src=x onerror="window.pwned = 2"> '
           '[click me](javascript:window.pwned=3) <a href="javascript:window.pwned=4">plain a</a> '
           '<svg onload="window.pwned=5"></svg> **bold** <@{bot}>')


async def test_hostile_text_runs_nothing_in_the_page(browser: Browser, running: Running) -> None:
    page = browser.page
    await act_as(page, "Sam (member)")
    await open_channel(page, "general")
    text = HOSTILE.format(bot=running.pg.lb.bot_user.id)
    await page.fill("#message-input", text)
    await page.click("#send")
    message = page.locator("#messages .message:has-text('click me')")
    await message.wait_for(timeout=UNTIL)
    # A member's name is text too.
    joined = await page.evaluate("""async () => (await fetch('/api/act', {method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({action: 'join', name: '<img src=y onerror=alert(1)>'})})).status""")
    assert joined == 200
    await page.wait_for_selector("#member-list li:has-text('<img src=y onerror=alert(1)>')", timeout=UNTIL)
    await message.locator("text=click me").click()
    await page.wait_for_timeout(300)
    shown = await message.locator(".content").inner_text()
    assert "<script>window.pwned = 1</script>" in shown and 'onerror="window.pwned = 2"' in shown
    assert "@Community Bot" in shown  # a mention is shown as a name
    assert await message.locator("strong:text-is('bold')").count() == 1
    dangerous = "script, img[onerror], svg, [onload], [onerror], a[href^='javascript'], iframe, object, embed"
    assert await page.locator(f"#messages {dangerous}, #member-list {dangerous}").count() == 0
    assert await page.evaluate("window.pwned") is None
    assert browser.dialogs == [] and browser.errors == []
    assert re.search(r"\[click me\]\(javascript:", shown)  # not a link: only http(s) links are made
    # The same text through the bot: /ask puts it in the forum post's title and the bot's starter message.
    await run_command(page, "/ask")
    await page.wait_for_selector("#modal-backdrop:not([hidden])")
    await page.locator("#modal-fields label:has-text('Title')").locator("input, textarea").fill(
        '<img src=z onerror="window.pwned=6"> title')
    await page.locator("#modal-fields label:has-text('Details')").locator("input, textarea").fill(text)
    await page.click("#modal-submit")
    post = page.locator("#channels button.chan.sub:has-text('onerror')")
    await post.wait_for(timeout=UNTIL)
    await post.click()
    await page.locator("#messages .message:has-text('click me')").first.wait_for(timeout=UNTIL)
    assert await page.locator(f"#messages {dangerous}, #channels {dangerous}").count() == 0
    assert await page.evaluate("window.pwned") is None
    assert browser.dialogs == [] and browser.errors == []


async def test_a_member_whose_app_is_in_french_or_chinese_reads_commands_and_answers_in_it(
    browser: Browser, running: Running
) -> None:
    page = browser.page
    await act_as(page, "Sam (member)")
    await open_channel(page, "general")
    await page.select_option("#locale", value="fr")
    # The command bar shows the commands as Discord would to this member: their French names and descriptions.
    await page.wait_for_selector("#command option:text-is('/langue')", state="attached", timeout=UNTIL)
    await run_command(page, "/language")
    await page.wait_for_selector("#messages .message:has-text('Vous n’avez pas choisi de langue')", timeout=UNTIL)
    await page.select_option("#locale", value="zh-CN")
    await page.wait_for_selector("#command option:text-is('/语言')", state="attached", timeout=UNTIL)
    await page.select_option("#command", value="/language")
    assert await page.inner_text("#command-description") == "选择机器人发给你的提醒和私信所用的语言"
    await page.click("#run-command")
    await page.wait_for_selector("#messages .message:has-text('你还没有选择语言')", timeout=UNTIL)
    assert running.pg.lb.world.user(running.pg.members["member"]).locale == "zh-CN"
    assert not browser.errors and not browser.dialogs
    await browser.screenshot("5-languages")
