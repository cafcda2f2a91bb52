"""Asserting that what the bot sent is in one language (the languages tests of every feature use these)."""

from __future__ import annotations

import re

from bot.translations import ENGLISH_ONLY, KEEP, _words

CJK = re.compile(r"[\u4e00-\u9fff]")


def english_words(text: str, *, allowed: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """The English words in `text` outside placeholders' usual fillings (mentions, code, links) and kept names."""
    return [w for w in _words(text) if w not in KEEP and w not in allowed]


def assert_in_language(text: str, language: str, *, allowed: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    """`text` is written in `language` ("zh_CN" or "fr"): Chinese with at most one stray English word (a name the
    member typed goes in `allowed`), or French without English-only words."""
    assert text.strip(), "nothing was sent"
    if language == "zh_CN":
        assert CJK.search(text), f"no Chinese in {text!r}"
        stray = english_words(text, allowed=allowed)
        assert len(stray) <= 1, f"English words {stray} in Chinese text {text!r}"
    elif language == "fr":
        stray = [w for w in english_words(text, allowed=allowed) if w.lower() in ENGLISH_ONLY]
        assert not stray, f"English words {stray} in French text {text!r}"
    else:
        raise ValueError(language)
