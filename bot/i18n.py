"""Every member in their language: gettext catalogs read through Babel, the language of the moment in a context var.

- Strings members read are written in English inside `_()` (or `ngettext()` for counts, `N_()` where the text is
  kept in a constant and translated when shown), with named placeholders filled by `.format()` after translating.
  `bot/locales/<language>/<domain>.po` holds a language's translations, one file per feature (`qa.po`, ...) and
  `core.po` for bot/; they are compiled when first needed, so there is no build step and nothing binary in git.
  `_()` looks in the catalog of the feature that calls it first, then in the language's other catalogs.
  Slash commands are translated by `CommandTranslator` from the same files (names under msgctxt "command name").
  `python -m bot.translations update` extracts the strings into every language's files; `check` is the CI check.
- Which language: a command, button or modal answers in the member's Discord language (`interaction.locale`), set
  by core before any feature code runs (`use_interaction`). Messages nobody triggered (a welcome DM, a reminder,
  a digest) are written inside `with using(language):`, the member's stored choice or the server's `language`.
- A language we do not have falls back to English; a string a catalog lacks falls back to English for that string
  only (and the catalog check in tests fails, so it never ships that way).
- `pseudo` is a test language: every translated string comes out marked (⟦…⟧, accented letters), so a test can see
  any text that did not go through `_()`.
"""

from __future__ import annotations

import contextvars
import functools
import io
import logging
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import discord
from babel.dates import format_timedelta
from babel.lists import format_list
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations
from discord import app_commands

log = logging.getLogger(__name__)

LOCALES = Path(__file__).parent / "locales"
DEFAULT = "en"
PSEUDO = "pseudo"
# Discord's locale codes (interaction.locale) of the languages the bot speaks, and the other way round.
DISCORD_LOCALES: dict[str, str] = {"en-US": "en", "en-GB": "en", "zh-CN": "zh_CN", "fr": "fr"}
LANGUAGES: dict[str, str] = {"en": "English", "zh_CN": "简体中文", "fr": "Français"}  # each in its own words
BABEL_LOCALE = {PSEUDO: "en"}  # the pseudo language formats numbers and dates as English

_current: contextvars.ContextVar[str] = contextvars.ContextVar("language", default=DEFAULT)
_pseudo_for: set[str] = set()  # Discord locales that tests map to the pseudo language
_enabled = True  # False: every string stays English (settings `translate: false`, a benchmark's baseline)


# --- which language ------------------------------------------------------------------------------------------------

def current() -> str:
    """The language of the message being written."""
    return _current.get()


def supported(language: str | None) -> str | None:
    """`language` (ours, e.g. "zh_CN", or Discord's, e.g. "zh-CN") when the bot speaks it, else None."""
    if not language:
        return None
    if language in LANGUAGES or language == PSEUDO:
        return language
    if language in _pseudo_for:
        return PSEUDO
    return DISCORD_LOCALES.get(language) or DISCORD_LOCALES.get(language.split("-")[0])


def negotiate(*candidates: str | None) -> str:
    """The first candidate the bot speaks (a member's choice, their client, the server's), else English."""
    if not _enabled:
        return DEFAULT
    return next((found for c in candidates if (found := supported(c))), DEFAULT)


def enable(on: bool) -> None:
    """Process-wide: translate (the default) or write everything in English."""
    global _enabled
    _enabled = on


def of_interaction(data: dict[str, Any]) -> str:
    """The language an interaction (its raw payload) is answered in: the member's Discord language, else English."""
    locale = data.get("locale")
    return negotiate(locale if isinstance(locale, str) else None)


def answering(data: dict[str, Any]) -> _InLanguage:
    """Core wraps discord.py's handling of an arriving interaction in this: every task it starts for the command,
    button or modal copies the language (context variables are copied when a task is created)."""
    return _InLanguage(of_interaction(data))


def using(language: str | None) -> _InLanguage:
    """Write what is inside in `language` (a message nobody triggered)."""
    return _InLanguage(negotiate(language))


class _InLanguage:
    """The language of what is written inside: a plain class rather than a generator-based context manager, which
    costs several times as much (entered once for every interaction)."""

    __slots__ = ("_token", "language")

    def __init__(self, language: str) -> None:
        self.language = language

    def __enter__(self) -> str:
        self._token = _current.set(self.language)
        return self.language

    def __exit__(self, *exc_info: object) -> None:
        _current.reset(self._token)


def pseudo_for(*discord_locales: str) -> None:
    """Tests: members whose Discord client is in one of these locales get the pseudo language."""
    _pseudo_for.clear()
    _pseudo_for.update(discord_locales)


# --- translating ---------------------------------------------------------------------------------------------------

NAME_CONTEXT = "command name"  # msgctxt of slash command, option and context menu names (Discord's name rules apply)


@functools.cache
def catalog(language: str, domain: str | None = None) -> Translations | None:
    """A language's compiled catalog of one domain (a feature, or "core"), or of all its domains merged; None for
    English, the pseudo language and languages without a folder."""
    folder = LOCALES / language
    if language in (DEFAULT, PSEUDO) or not folder.is_dir():
        return None
    paths = [folder / f"{domain}.po"] if domain else sorted(folder.glob("*.po"))
    merged: Catalog | None = None
    for path in (p for p in paths if p.exists()):
        with path.open("rb") as file:
            parsed = read_po(file, locale=language)
        if merged is None:
            merged = parsed
            continue
        for message in parsed:
            if message.id and message.string and message.id not in merged:
                merged[message.id] = message
    if merged is None:
        return None
    compiled = io.BytesIO()
    write_mo(compiled, merged, use_fuzzy=False)  # a fuzzy (unreviewed) translation is not shown
    compiled.seek(0)
    return Translations(compiled)


def domain_of_module(module: str) -> str:
    """The catalog a module's strings are in: its feature package ("cogs.qa.render" -> "qa"), else "core"."""
    parts = module.split(".")
    return parts[1] if parts[0] == "cogs" and len(parts) > 1 else "core"


_domains: dict[str, str] = {}  # module name -> domain, memoised (asked at every _())


def _caller_domain() -> str:
    # Two frames up: the code that called _() or ngettext(). The same English can mean different things in two
    # features ("Where" is a place in events, a region in communities), so each reads its own catalog first.
    module = sys._getframe(2).f_globals.get("__name__", "")
    found = _domains.get(module)
    if found is None:
        found = _domains[module] = domain_of_module(module)
    return found


@functools.cache
def _table(language: str, domain: str | None) -> dict[str, str]:
    """Every translation `_()` may return for a domain, as one dict: the domain's own over the language's others
    (a plain dict lookup keeps translating off the interactions' hot paths)."""
    table: dict[str, str] = {}
    for found in (catalog(language), catalog(language, domain) if domain else None):
        if found is not None:
            # GNUTranslations keeps "context\x04id" and (id, n) plural keys beside plain ids; _() wants plain ids
            table.update((k, v) for k, v in found._catalog.items() if isinstance(k, str) and k and v)
    return table


def _(message: str) -> str:
    """`message` in the current language."""
    language = _current.get()
    if language == DEFAULT:  # English is the source text: no catalog, and no caller's frame to look at
        return message
    return translate(message, language, domain=_caller_domain())


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a counted phrase for `count` in the current language ("1 reply" / "3 replies")."""
    language = current()
    english = singular if count == 1 else plural
    if language == PSEUDO:
        return pseudo(english)
    for found in (catalog(language, _caller_domain()), catalog(language)):
        if found is not None and (text := found.ngettext(singular, plural, count)) not in (singular, plural):
            return str(text)
    return english


def N_(message: str) -> str:
    """Marks a constant for extraction; translate it with `_()` where it is shown."""
    return message


def translate(message: str, language: str, context: str | None = None, *, domain: str | None = None) -> str:
    """`message` in `language`: from `domain`'s catalog, else from any of the language's catalogs, else English."""
    if language == PSEUDO:
        return pseudo(message) if context is None else message  # names keep Discord's name rules
    if context is None:
        return _table(language, domain).get(message, message) if language != DEFAULT else message
    for found in (catalog(language, domain) if domain else None, catalog(language)):
        if found is None:
            continue
        text = str(found.pgettext(context, message)) if context else found.gettext(message)
        if text != message:
            return text
    return message


class CommandTranslator(app_commands.Translator):
    """Slash command names, descriptions, options and choices in each language the bot speaks (discord.py asks
    once per string and Discord locale when the commands are synced)."""

    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: app_commands.TranslationContextTypes
    ) -> str | None:
        language = supported(locale.value)
        if language is None or language in (DEFAULT, PSEUDO):
            return None
        is_name = context.location in (
            app_commands.TranslationContextLocation.command_name,
            app_commands.TranslationContextLocation.group_name,
            app_commands.TranslationContextLocation.parameter_name,
        )
        module = getattr(context.data, "module", None) or getattr(getattr(context.data, "command", None), "module", "")
        domain = domain_of_module(module or "")
        text = translate(string.message, language, NAME_CONTEXT if is_name else None, domain=domain)
        return text if text != string.message else None


_KEEP = re.compile(r"(\{[^{}]*\}|<[^<>]+>|`[^`]*`|https?://\S+|\*\*|__|~~|\n)")
_ACCENTS = str.maketrans("aeiouAEIOUcnyCNY", "àéîõüÀÉÎÕÜçñýÇÑÝ")


def pseudo(message: str) -> str:
    """English made visibly "translated": accented letters inside ⟦…⟧, placeholders and markup untouched."""
    parts = _KEEP.split(message)
    return "⟦" + "".join(p if _KEEP.fullmatch(p) else p.translate(_ACCENTS) for p in parts) + "⟧"


# --- numbers, lists and durations written out ----------------------------------------------------------------------

def _babel_locale() -> str:
    language = current()
    return BABEL_LOCALE.get(language, language)


def number(value: float) -> str:
    return _number(value, _babel_locale())


# Babel formats a number in about 25 µs; answers show the same small counts and ages again and again.
@functools.lru_cache(maxsize=4096, typed=True)
def _number(value: float, locale: str) -> str:
    return str(format_decimal(value, locale=locale))


def percent(share: float) -> str:
    return str(format_percent(share, locale=_babel_locale()))


def join(items: Sequence[str], *, alternatives: bool = False) -> str:
    """"a, b and c" (or "a, b or c") in the current language's words and punctuation."""
    style: Literal["standard", "or"] = "or" if alternatives else "standard"
    return str(format_list(list(items), style=style, locale=_babel_locale())) if items else ""


def duration(seconds: float, *, relative: bool = False, **options: Any) -> str:
    """"3 days" (or "in 3 days" when relative), in the current language."""
    from datetime import timedelta

    return str(format_timedelta(timedelta(seconds=seconds), add_direction=relative, locale=_babel_locale(), **options))
