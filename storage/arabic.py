"""Arabic spelling normalization for matching (search, label tables): a pure function, no imports of the crawler.

Arabic is written with optional marks and interchangeable letter forms, so the same word is
spelled several ways: ``الأسد`` / ``الاسد``, ``سورية`` / ``سوريه``, ``مصطفى`` / ``مصطفي``,
``كَتَبَ`` / ``كتب``, ``أخـــبار`` / ``أخبار``.  :func:`normalize_arabic` folds them to one key
(the rules of Lucene's ArabicNormalizer, plus alef wasla and the combining hamza and madda):

- alef with hamza above or below, with madda, alef wasla (أ إ آ ٱ) -> bare alef (ا);
- taa marbuta (ة) -> haa (ه); alef maqsura (ى) -> yaa (ي);
- diacritics (tashkeel U+064B-U+0652, madda and hamza marks U+0653-U+0655, dagger alef U+0670)
  and tatweel (U+0640) removed.

Every rule maps one character to one character or to nothing, and text without Arabic is
returned unchanged, so Latin-script text and its search are untouched.  The same rules exist
in SQL (migration 0004) for the search index; a test checks they agree character for character.
Stored text is never normalized: this is for matching only.
"""

from __future__ import annotations

import re

LETTER_FOLDS: dict[str, str] = {
    "\u0623": "\u0627",  # أ alef with hamza above
    "\u0625": "\u0627",  # إ alef with hamza below
    "\u0622": "\u0627",  # آ alef with madda
    "\u0671": "\u0627",  # ٱ alef wasla
    "\u0629": "\u0647",  # ة taa marbuta -> haa
    "\u0649": "\u064a",  # ى alef maqsura -> yaa
}
"""Characters replaced by another (one for one)."""
REMOVED: str = "".join(chr(c) for c in range(0x064B, 0x0656)) + "\u0670\u0640"
"""Characters dropped: tashkeel (fathatan ... sukun), madda and hamza marks, dagger alef, tatweel.

Kept to 19 rules in all: SQLite's parser overflows past about 25 nested ``replace`` calls."""

_TABLE = {ord(k): v for k, v in LETTER_FOLDS.items()} | {ord(c): None for c in REMOVED}
_ARABIC = re.compile("[\u0600-\u06ff]")


def has_arabic(text: str | None) -> bool:
    """Whether ``text`` holds any character of the Arabic block (U+0600-U+06FF)."""
    return bool(text) and _ARABIC.search(text) is not None


def normalize_arabic(text: str) -> str:
    """The matching key of ``text``: letter forms folded, marks and tatweel dropped (see the module doc)."""
    return text.translate(_TABLE) if has_arabic(text) else text


def normalized_with_positions(text: str) -> tuple[str, list[int]]:
    """``normalize_arabic(text)`` and, for each of its characters, the index in ``text`` it came from.

    Lets a passage found in the normalized text be shown in the original spelling.
    """
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        mapped = _TABLE.get(ord(ch), ch)
        if mapped is None:
            continue
        out.append(mapped)
        where.append(i)
    return "".join(out), where


def sqlite_expression(column: str) -> str:
    """SQL (SQLite: nested ``replace``) computing :func:`normalize_arabic` of ``column``."""
    expr = column
    for src, dst in LETTER_FOLDS.items():
        expr = f"replace({expr}, '{src}', '{dst}')"
    for ch in REMOVED:
        expr = f"replace({expr}, '{ch}', '')"
    return expr


def postgresql_translate_arguments() -> tuple[str, str]:
    """The ``from`` and ``to`` strings of PostgreSQL ``translate()`` computing :func:`normalize_arabic`."""
    return "".join(LETTER_FOLDS) + REMOVED, "".join(LETTER_FOLDS.values())
