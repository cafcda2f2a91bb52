"""Ranking and snippets for /qa search, in Python, from the rows the database returned (either engine).

The database only finds candidates (the newest matches of the server); which of them come first, and which words
are shown in bold, is decided here from the fetched text: a term found in the title counts most, then the accepted
answer, the tags, the body (8, 3, 2, 1, the weights bm25 had), each weighted by how rare the term is. The words of a
row are compared with the query's through the Porter stemmer below, so "merging" in a query marks "merge", "merged"
and "merges" in the text, as the full-text index matched them.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# Column weights: title, accepted answer, tags, body.
TITLE_WEIGHT, ANSWER_WEIGHT, TAGS_WEIGHT, BODY_WEIGHT = 8.0, 3.0, 2.0, 1.0
# Document counts are counted up to this many questions: a word in more is "common" (inverse document frequency
# ln(1 + DF_CAP / df), so a word in one question weighs about ten times one in a thousand or more).
DF_CAP = 1000
SNIPPET_WORDS = 16

_VOWELS = frozenset("aeiou")


def _consonant(word: str, i: int) -> bool:
    c = word[i]
    if c in _VOWELS:
        return False
    if c == "y":
        return i == 0 or not _consonant(word, i - 1)
    return True


def _measure(stem: str) -> int:
    """Porter's m: the number of vowel-consonant sequences."""
    m, i, n = 0, 0, len(stem)
    while i < n and _consonant(stem, i):
        i += 1
    while i < n:
        while i < n and not _consonant(stem, i):
            i += 1
        if i >= n:
            break
        m += 1
        while i < n and _consonant(stem, i):
            i += 1
    return m


def _has_vowel(stem: str) -> bool:
    return any(not _consonant(stem, i) for i in range(len(stem)))


def _double_consonant(word: str) -> bool:
    return len(word) >= 2 and word[-1] == word[-2] and _consonant(word, len(word) - 1)


def _cvc(word: str) -> bool:
    """Ends consonant-vowel-consonant, the last not w, x or y."""
    if len(word) < 3:
        return False
    n = len(word)
    return (
        _consonant(word, n - 3)
        and not _consonant(word, n - 2)
        and _consonant(word, n - 1)
        and word[-1] not in "wxy"
    )


_STEP2 = (
    ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"), ("bli", "ble"),
    ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"), ("ization", "ize"), ("ation", "ate"),
    ("ator", "ate"), ("alism", "al"), ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous"), ("aliti", "al"),
    ("iviti", "ive"), ("biliti", "ble"), ("logi", "log"),
)
_STEP3 = (("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""), ("ness", ""))
_STEP4 = (
    "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou", "ism", "ate", "iti",
    "ous", "ive", "ize",
)


def _replace(word: str, rules: Sequence[tuple[str, str]], minimum: int) -> str:
    for suffix, replacement in rules:
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            return stem + replacement if _measure(stem) > minimum else word
    return word


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Martin Porter's stemmer (as FTS5's porter tokenizer), for lower-case ASCII words; other words as they are."""
    if len(word) <= 2 or not (word.isascii() and word.isalpha()):
        return word
    # step 1a
    if word.endswith("sses") or word.endswith("ies"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    # step 1b
    if word.endswith("eed"):
        if _measure(word[:-3]) > 0:
            word = word[:-1]
    else:
        for suffix in ("ed", "ing"):
            if word.endswith(suffix) and _has_vowel(word[: -len(suffix)]):
                word = word[: -len(suffix)]
                if word.endswith(("at", "bl", "iz")):
                    word += "e"
                elif _double_consonant(word) and word[-1] not in "lsz":
                    word = word[:-1]
                elif _measure(word) == 1 and _cvc(word):
                    word += "e"
                break
    # step 1c
    if word.endswith("y") and _has_vowel(word[:-1]):
        word = word[:-1] + "i"
    word = _replace(word, _STEP2, 0)
    word = _replace(word, _STEP3, 0)
    # step 4
    for suffix in _STEP4:
        if word.endswith(suffix):
            stem_ = word[: -len(suffix)]
            if _measure(stem_) > 1 and (suffix != "ion" or stem_.endswith(("s", "t"))):
                word = stem_
            break
    # step 5
    if word.endswith("e"):
        m = _measure(word[:-1])
        if m > 1 or (m == 1 and not _cvc(word[:-1])):
            word = word[:-1]
    if word.endswith("ll") and _measure(word) > 1:
        word = word[:-1]
    return word


def fold(word: str) -> str:
    """Lower case without diacritics ("Café" -> "cafe"), as the index compares words."""
    word = word.lower()
    if word.isascii():
        return word
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=65536)
def word_key(word: str) -> str:
    return stem(fold(word))


_WORD_AT = re.compile(r"\w+")


class TermMatcher:
    """Finds the query's terms (any form of them) in a text.

    Each term's stem, less its last letter, is looked for with str.find in the lower-cased text (a fast C loop over
    the characters; a regular expression scanning for several words costs ten times more), and only the words found
    that way go through the stemmer.
    """

    def __init__(self, terms: Sequence[str]) -> None:
        self.terms = list(terms)
        self.keys = {word_key(t): i for i, t in reversed(list(enumerate(self.terms)))}
        prefixes = set()
        for key in self.keys:
            # the stem without its last letter: "queri" must find "query", "merg" finds "merge" and "merging"
            prefixes.add(key[:-1] if len(key) > 3 else key)
            prefixes.update(fold(t) for t in self.terms if word_key(t) == key and not t.isascii())
        # a prefix of another prefix finds every word that one does: keep the shorter only (no word is found twice)
        self.prefixes = sorted(p for p in prefixes if not any(q != p and p.startswith(q) for q in prefixes))

    @functools.cached_property
    def _fallback(self) -> re.Pattern[str]:
        # Compiled only when a text needs it (rare): compiling it for every query was 6% of a search's time.
        alternatives = "|".join(re.escape(p) for p in self.prefixes)
        return re.compile(rf"(?<!\w)(?:{alternatives})\w*", re.IGNORECASE)

    def hits(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, term index) of every word of `text` that is a form of a term, in order."""
        if not text or not self.prefixes:
            return []
        lower = text.lower()
        if len(lower) != len(text):  # a few characters lower-case to two: find the words in the text itself
            return self._hits_by_pattern(text, self._fallback)
        out = []
        keys = self.keys
        for prefix in self.prefixes:
            i = lower.find(prefix)
            while i >= 0:
                if i and (lower[i - 1].isalnum() or lower[i - 1] == "_"):  # inside a word
                    i = lower.find(prefix, i + 1)
                    continue
                match = _WORD_AT.match(lower, i)
                end = match.end() if match else i + len(prefix)
                index = keys.get(word_key(lower[i:end]))
                if index is not None:
                    out.append((i, end, index))
                i = lower.find(prefix, end)
        if len(self.prefixes) > 1:
            out.sort()
        return out

    def _hits_by_pattern(self, text: str, pattern: re.Pattern[str]) -> list[tuple[int, int, int]]:
        out = []
        for match in pattern.finditer(text):
            index = self.keys.get(word_key(match.group()))
            if index is not None:
                out.append((match.start(), match.end(), index))
        return out

    def present_in_each(self, texts: Sequence[str]) -> dict[int, set[int]]:
        """Which terms occur in each of `texts` (by position; texts with none are left out): one pass over them."""
        found: dict[int, set[int]] = {}
        starts, position = [], 0
        for text in texts:
            starts.append(position)
            position += len(text) + 1
        for start, _, index in self.hits("\n".join(texts)):  # no word spans a line break
            found.setdefault(bisect.bisect_right(starts, start) - 1, set()).add(index)
        return found


def idf(df: int | None) -> float:
    """Weight of a term found in `df` questions (counted up to DF_CAP); unknown counts weigh as common words."""
    if df is None or df >= DF_CAP:
        return math.log(2.0)
    return math.log(1.0 + DF_CAP / max(df, 1))


@dataclass(frozen=True)
class Candidate:
    """A row the database found: what ranking and the snippet need of it."""

    thread_id: int
    title: str
    body: str
    answer_text: str
    tags: str


def scores(
    matcher: TermMatcher,
    weights: Sequence[float],
    titles: Sequence[str],
    answers: Sequence[str],
    tags: Sequence[str],
    bodies: Sequence[str] | None = None,
) -> list[float]:
    """Per row, the sum over the terms of weight x (8 title + 3 answer + 2 tags + 1 body).

    Without `bodies` every row holds every term (the strict query matched them all): a term found in none of the
    other fields is in the body. With them, the bodies are searched too, so a row with more of the terms ranks
    higher. One regular expression per field over all rows at once, so the cost grows with the hits, not the rows.
    """
    in_title = matcher.present_in_each(titles)
    in_answer = matcher.present_in_each(answers)
    in_tags = matcher.present_in_each(tags)
    in_body = matcher.present_in_each(bodies) if bodies is not None else None
    strict = in_body is None
    # a row with none of the terms in its title, answer or tags: all in the body (strict), or what the body holds
    out = [sum(weights) * BODY_WEIGHT if strict else 0.0] * len(titles)
    if in_body is not None:
        for row, found in in_body.items():
            out[row] = BODY_WEIGHT * sum(weights[i] for i in found)
    empty: set[int] = set()
    for row in in_title.keys() | in_answer.keys() | in_tags.keys():
        t, a, g = in_title.get(row, empty), in_answer.get(row, empty), in_tags.get(row, empty)
        total = out[row]
        if strict:
            total -= BODY_WEIGHT * sum(weights[i] for i in t | a | g)  # not (only) in the body after all
        total += TITLE_WEIGHT * sum(weights[i] for i in t)
        total += ANSWER_WEIGHT * sum(weights[i] for i in a)
        total += TAGS_WEIGHT * sum(weights[i] for i in g)
        out[row] = total
    return out


_WORD = re.compile(r"\w+")
# Up to SNIPPET_WORDS words and what lies between them: one match instead of a Python step per word.
_WORDS_SHOWN = re.compile(rf"\w+(?:\W+\w+){{0,{SNIPPET_WORDS - 1}}}")


def snippet(candidate: Candidate, matcher: TermMatcher, start_mark: str, end_mark: str, ellipsis: str = "…") -> str:
    """About SNIPPET_WORDS words around the most terms, from the field that holds the most (the body or the accepted
    answer, the body on a tie; the title or tags only when neither has a term: the title is shown anyway), the terms
    between the marks; the body's start when no field has a term."""
    best_text, best_hits, best_count = "", [], 0
    for fields in ((candidate.body, candidate.answer_text), (candidate.title, candidate.tags)):
        for text in fields:
            found = matcher.hits(text)
            count = len({index for _, _, index in found})
            if count > best_count:
                best_text, best_hits, best_count = text, found, count
        if best_hits:
            break
    if not best_hits:
        text = candidate.body or candidate.title
        return _window(text, 0, [], start_mark, end_mark, ellipsis)
    # the window starting at the hit that has the most distinct terms within the next words
    best_start, best_distinct = best_hits[0][0], 0
    for i, (start, _, _) in enumerate(best_hits[:32]):
        horizon = start + SNIPPET_WORDS * 7
        distinct = len({index for s, _, index in best_hits[i:] if s < horizon})
        if distinct > best_distinct:
            best_start, best_distinct = start, distinct
    return _window(best_text, best_start, best_hits, start_mark, end_mark, ellipsis)


def _window(
    text: str, anchor: int, hits: list[tuple[int, int, int]], start_mark: str, end_mark: str, ellipsis: str
) -> str:
    """SNIPPET_WORDS words of `text` from two words before `anchor`, the hits marked."""
    floor = max(0, anchor - 40)
    before = [m.start() for m in _WORD.finditer(text, floor, anchor)]
    if before and before[0] == floor and floor > 0 and (text[floor - 1].isalnum() or text[floor - 1] == "_"):
        before = before[1:]  # the slice began inside a word
    begin = before[-2] if len(before) >= 2 else (before[-1] if before else anchor)
    run = _WORDS_SHOWN.search(text, begin)
    end = run.end() if run else begin
    pieces, position = [], begin
    for start, stop, _ in hits:
        if start < begin or stop > end:
            continue
        pieces += [text[position:start], start_mark, text[start:stop], end_mark]
        position = stop
    pieces.append(text[position:end])
    shown = "".join(pieces)
    if begin > 0:
        shown = ellipsis + shown
    if end < len(text.rstrip()):
        shown += ellipsis
    return shown
