"""The catalogs in bot/locales kept in step with the code: `python -m bot.translations update` and `check`.

`update` extracts every string members read, from two places, into each language's `<domain>.po` (one domain per
feature package, `core` for bot/): the `_()`, `N_()` and `ngettext()` calls in the source, and the slash commands'
names, descriptions, options and choices read off the loaded command tree. New strings arrive with an empty
translation, strings the code no longer has are dropped, translations already written are kept.

`check` (run by the tests, so by CI) fails when a catalog lacks a translation, a translation's placeholders differ
from the English, a translation exceeds the Discord limit of where it is shown (button labels 80, select options
100, modal titles and text input labels 45, command names 32 and Discord's name rules), a translation is
still English (or mixes English words into Chinese), or `_()` runs at import time (it would always be English).
"""

from __future__ import annotations

import ast
import asyncio
import re
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract
from babel.messages.pofile import read_po, write_po

from bot import i18n

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS: dict[str, Any] = {"_": None, "N_": None, "ngettext": (1, 2)}
TRANSLATED = [language for language in i18n.LANGUAGES if language != i18n.DEFAULT]
SLASH_NAME = re.compile(r"^[-_\w]{1,32}$")

# Where a `_("...")` keyword argument is shown -> Discord's length limit there: (callee, keyword) with "*" for any.
LIMITS: dict[tuple[str, str], int] = {
    ("TextInput", "label"): 45, ("SelectOption", "label"): 100, ("*", "label"): 80,
    ("TextInput", "placeholder"): 100, ("*", "placeholder"): 150,
    ("Embed", "title"): 256, ("*", "title"): 45,
    ("SelectOption", "description"): 100, ("Embed", "description"): 4096,
    ("add_field", "name"): 256, ("add_field", "value"): 1024, ("set_footer", "text"): 2048,
    ("*", "content"): 2000,
}


@dataclass
class Entry:
    """One string to translate."""

    id: str | tuple[str, ...]
    domain: str
    context: str | None = None
    limit: int | None = None
    rule: str = "text"  # "text", "slash name" (Discord's name rules) or "menu name" (a context menu's)
    locations: list[tuple[str, int]] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.id if isinstance(self.id, str) else self.id[0], self.context)


def domain_of(path: Path) -> str:
    return i18n.domain_of_module(".".join(path.relative_to(ROOT).with_suffix("").parts))


def source_files() -> list[Path]:
    return sorted((ROOT / "bot").rglob("*.py")) + sorted((ROOT / "cogs").rglob("*.py"))


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _translated_literal(node: ast.AST) -> str | None:
    if (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"
        and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


def _limits_in(tree: ast.AST) -> dict[str, int]:
    """The tightest limit each `_()` literal meets as a keyword argument in this file."""
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        callee = _callee(node)
        for keyword in node.keywords:
            text = _translated_literal(keyword.value) if keyword.arg else None
            if text is None or keyword.arg is None:
                continue
            limit = LIMITS.get((callee, keyword.arg), LIMITS.get(("*", keyword.arg)))
            if limit is not None:
                found[text] = min(limit, found.get(text, limit))
    return found


def import_time_calls(tree: ast.AST) -> Iterator[int]:
    """Line numbers of `_()` / `ngettext()` calls run at import (outside any function): they would stay English."""

    def visit(node: ast.AST, in_function: bool) -> Iterator[int]:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if (
                not inside and isinstance(child, ast.Call) and isinstance(child.func, ast.Name)
                and child.func.id in ("_", "ngettext")
            ):
                yield child.lineno
            yield from visit(child, inside)

    yield from visit(tree, False)


def source_entries() -> dict[str, dict[tuple[str, str | None], Entry]]:
    """Every `_()`, `N_()` and `ngettext()` string of bot/ and cogs/, by domain."""
    domains: dict[str, dict[tuple[str, str | None], Entry]] = {}
    for path in source_files():
        text = path.read_bytes()
        if b"_(" not in text and b"ngettext(" not in text:
            continue
        limits = _limits_in(ast.parse(text))
        domain = domain_of(path)
        with path.open("rb") as file:
            for lineno, message, _comments, context in extract("python", file, keywords=KEYWORDS):
                entry = Entry(message, domain, context)
                entry = domains.setdefault(domain, {}).setdefault(entry.key, entry)
                entry.locations.append((str(path.relative_to(ROOT)), lineno))
                if isinstance(message, str) and message in limits:
                    entry.limit = min(limits[message], entry.limit or limits[message])
    return domains


async def command_entries() -> dict[str, dict[tuple[str, str | None], Entry]]:
    """The slash commands' strings, read off the command tree of a bot with every feature loaded (not connected)."""
    import discord
    from discord import app_commands

    from bot.client import CommunityBot
    from bot.settings import default_settings

    domains: dict[str, dict[tuple[str, str | None], Entry]] = {}

    def add(text: str, module: str | None, *, rule: str = "text", limit: int = 100) -> None:
        if not text or text == "…":
            return
        domain = i18n.domain_of_module(module or "")
        entry = Entry(text, domain, i18n.NAME_CONTEXT if rule != "text" else None, limit, rule)
        domains.setdefault(domain, {}).setdefault(entry.key, entry).locations.append((module or "", 0))

    with tempfile.TemporaryDirectory() as folder:
        bot = CommunityBot(default_settings(), Path(folder) / "extract.sqlite3")
        try:
            await bot._async_setup_hook()  # what login() does first: the loop's objects, so cogs can wait for ready
            await bot.setup_hook()
            for command in bot.tree.walk_commands():
                add(command.name, command.module, rule="slash name", limit=32)
                add(command.description, command.module)
                if isinstance(command, app_commands.Command):
                    for param in command.parameters:
                        add(param.display_name, command.module, rule="slash name", limit=32)
                        add(param.description, command.module)
                        for choice in param.choices:
                            add(choice.name, command.module)
            for kind in (discord.AppCommandType.message, discord.AppCommandType.user):
                for menu in bot.tree.get_commands(type=kind):
                    add(menu.name, menu.module, rule="menu name", limit=32)
        finally:  # never connected, so not bot.close(): stop what setup started
            bot.scheduler.shutdown()
            await bot.db.close()
    return domains


def all_entries() -> dict[str, dict[tuple[str, str | None], Entry]]:
    domains = source_entries()
    for domain, entries in asyncio.run(command_entries()).items():
        for key, entry in entries.items():
            mine = domains.setdefault(domain, {}).setdefault(key, entry)
            if mine is not entry:  # a command string also written in `_()`: the stricter rules win
                mine.limit = min(x for x in (mine.limit, entry.limit) if x is not None)
                mine.rule = entry.rule if entry.rule != "text" else mine.rule
    return domains


def catalog_path(language: str, domain: str) -> Path:
    return i18n.LOCALES / language / f"{domain}.po"


def read_catalog(path: Path, language: str) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=language)


STAMP = datetime(2026, 12, 4, tzinfo=UTC)  # fixed, so an update that changes no string changes no file


def new_catalog(domain: str, language: str | None = None) -> Catalog:
    return Catalog(
        locale=language, domain=domain, project="community-bot", version="", charset="utf-8", fuzzy=False,
        header_comment=f"# {domain}: translations of community-bot (see docs/translating.md)",
        creation_date=STAMP, revision_date=STAMP, last_translator="community-bot translators",
        language_team=f"{language} <https://github.com/>" if language else None,
    )


def template(domain: str, entries: dict[tuple[str, str | None], Entry]) -> Catalog:
    catalog = new_catalog(domain)
    for entry in entries.values():
        flags = [f"limit {entry.limit}"] if entry.limit else []
        comments = [entry.rule] if entry.rule != "text" else []
        catalog.add(entry.id, context=entry.context, locations=entry.locations, auto_comments=comments + flags)
    return catalog


def update(only: set[str] | None = None) -> list[Path]:
    """Bring every language's files (or only those of the domains named) in step with the code; the files written."""
    written = []
    for domain, entries in sorted(all_entries().items()):
        if only and domain not in only:
            continue
        pot = template(domain, entries)
        for language in TRANSLATED:
            path = catalog_path(language, domain)
            catalog = read_catalog(path, language) if path.exists() else new_catalog(domain, language)
            catalog.update(pot, no_fuzzy_matching=True)
            catalog.fuzzy = False
            catalog.revision_date = STAMP
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as file:
                write_po(file, catalog, width=120, ignore_obsolete=True, include_previous=False)
            written.append(path)
    return written


# --- the check -------------------------------------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_NOT_WORDS = re.compile(r"\{[^{}]*\}|<[^<>]+>|`[^`]*`|https?://\S+|:[a-z0-9_]+:|[*_~|>#-]")
# Names and terms kept as they are in every language (products, file formats, units Discord shows).
KEEP = {
    "Discord", "Python", "SQL", "ID", "IDs", "CSV", "PNG", "URL", "ISO", "UTC", "ICS", "iCal", "DM", "DMs", "FAQ",
    "MLOps", "LLMs", "LLM", "GitHub", "Kaggle", "YAML", "JSON", "API", "OK", "AI", "ML", "BI", "dbt", "R",
    "PostgreSQL", "SQLite", "Google", "Outlook", "Apple", "Calendar", "Meetup", "Slack", "Reddit", "LinkedIn",
    "Telegram", "WhatsApp", "Zoom", "Twitter", "X", "am", "pm", "AM", "PM", "GMT", "Q&A",
    "English", "Français",  # each language's name in its own words (the language picker)
}
ENGLISH_ONLY = {
    "the", "and", "your", "you", "with", "this", "that", "is", "are", "from", "will", "have", "has", "been", "what",
    "when", "which", "who", "would", "should", "please", "click", "here", "there", "they", "can't", "don't", "isn't",
}


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-zÀ-ÖØ-öø-ÿŒœ][A-Za-zÀ-ÖØ-öø-ÿŒœ'’&]*", _NOT_WORDS.sub(" ", text))


def _forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string or ""]


def problems_of(language: str, entry: Entry, message: Message | None) -> Iterator[str]:
    english = [entry.id] if isinstance(entry.id, str) else list(entry.id)
    forms = [] if message is None else _forms(message)
    if message is None or not all(forms) or message.fuzzy:
        yield "no translation" if message is None or not any(forms) else "translation incomplete or fuzzy"
        return
    wanted = set().union(*(PLACEHOLDER.findall(text) for text in english))
    for form in forms:
        have = set(PLACEHOLDER.findall(form))
        if have - wanted:
            yield f"placeholders {sorted(have - wanted)} are not in the English"
        if len(english) == 1 and wanted - have:
            yield f"placeholders {sorted(wanted - have)} are missing"
        if entry.limit and len(form) > entry.limit:
            yield f"{len(form)} characters, more than Discord's {entry.limit} there"
        if entry.rule == "slash name" and (not SLASH_NAME.match(form) or form != form.lower()):
            yield f"{form!r} breaks Discord's command name rules (lower case, no spaces, at most 32)"
        words = [w for w in _words(form) if w not in KEEP]
        english_words = [w for w in _words(english[-1]) if w not in KEEP]
        if language.startswith("zh"):
            if english_words and not re.search(r"[\u4e00-\u9fff]", form):
                yield f"{form!r} has no Chinese"
            if len(words) > 1:
                yield f"English words {words} in Chinese text"
        elif len(english_words) > 1 and form == english[-1] and entry.rule == "text":
            yield "still the English text"
        elif english_only := sorted({w for w in words if w.lower() in ENGLISH_ONLY}):
            yield f"English words {english_only} in the {language} text"
    if len(english) == 2 and forms and not set(PLACEHOLDER.findall(english[1])) <= set().union(
        *(PLACEHOLDER.findall(f) for f in forms)
    ):
        yield "the plural forms lose a placeholder"


def check(only: set[str] | None = None) -> list[str]:
    """Every problem of every catalog (or of the domains named), one line each (empty when all is well)."""
    domains = {d: e for d, e in all_entries().items() if not only or d in only}
    lines: list[str] = []
    for path in source_files():
        if only and domain_of(path) not in only:
            continue
        for lineno in import_time_calls(ast.parse(path.read_bytes())):
            lines.append(f"{path.relative_to(ROOT)}:{lineno}: _() runs at import time, so it is always English")
    for language in TRANSLATED:
        for domain, entries in sorted(domains.items()):
            path = catalog_path(language, domain)
            catalog = read_catalog(path, language) if path.exists() else None
            for entry in entries.values():
                message = catalog.get(entry.key[0], entry.context) if catalog is not None else None
                where = f"{path.relative_to(ROOT)}: {entry.key[0]!r}"
                lines.extend(f"{where}: {problem}" for problem in problems_of(language, entry, message))
    return lines


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    only = set(argv[1:]) or None  # domains: feature packages, or "core" for bot/
    if command == "update":
        for path in update(only):
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    if command == "check":
        lines = check(only)
        for line in lines:
            print(f"error: {line}")
        print(f"{len(lines)} problem(s)" if lines else "every catalog is complete")
        return 1 if lines else 0
    print("usage: python -m bot.translations update|check [domain ...]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
