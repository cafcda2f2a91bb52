"""The playground in-process (its own SQLite file, the real bot on the loopback) and a headless Chromium on it.

Browser tests need Debian's chromium at /usr/bin/chromium (`apt-get install -y chromium`; `.ci/run` installs it)
driven by Playwright for Python with that executable (never `playwright install`). Without it they skip and say
why, except in CI (BOT_TEST_POSTGRES set), where a missing browser fails them.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from playground.app import Playground, close_playground, open_playground
from playground.web import Holder, serve
from tests.harness import discord_addresses_kept

CHROMIUM = Path(os.environ.get("BOT_TEST_CHROMIUM") or "/usr/bin/chromium")  # another build: point here
SCREENSHOTS = Path(__file__).parent / "screenshots"


@dataclass
class Running:
    pg: Playground
    url: str


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    async with discord_addresses_kept():
        pg = await open_playground(tmp_path / "playground.db")
        holder = Holder()
        holder.pg = pg
        runner, url = await serve(holder, 0)
        try:
            yield Running(pg, url)
        finally:
            await runner.cleanup()
            await close_playground(pg)


def browser_problem() -> str | None:
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    return None


@dataclass
class Browser:
    page: Any  # playwright.async_api.Page
    dialogs: list[str]
    errors: list[str]

    async def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        await self.page.screenshot(path=str(path))
        return path


@pytest.fixture
def chromium() -> Path:
    """Chromium's path, or a skip saying what is missing (a failure in CI); set up before the playground."""
    problem = browser_problem()
    if problem is not None:
        if os.environ.get("BOT_TEST_POSTGRES"):
            pytest.fail(f"CI must run the browser tests, but {problem}")
        pytest.skip(problem)
    return CHROMIUM


@pytest.fixture
async def browser(chromium: Path, running: Running, request: pytest.FixtureRequest) -> AsyncIterator[Browser]:
    """A headless Chromium page on the playground, recording dialogs and script errors."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        try:
            page = await launched.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(15_000)
            found = Browser(page, [], [])

            async def on_dialog(dialog: Any) -> None:
                found.dialogs.append(dialog.message)
                await dialog.dismiss()

            page.on("dialog", on_dialog)
            page.on("pageerror", lambda error: found.errors.append(str(error)))
            await page.goto(running.url)
            await page.wait_for_selector("#messages .message")
            try:
                yield found
            finally:  # the page as the test left it, to look at when it failed
                await found.screenshot(f"last-{request.node.name}")
        finally:
            await launched.close()
