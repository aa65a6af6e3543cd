"""Author cleaning: a raw byline or metadata value to a list of people's names.

"By Jane Doe and John Roe | Updated 3 March 2021" -> ["Jane Doe", "John Roe"].
Handles, e-mail addresses, URLs, dates, job titles and organisations are dropped:
the field lists people only.
"""

from __future__ import annotations

import html
import re
import unicodedata

_BY_PREFIX = re.compile(
    r"^\s*(?:(?:written|reported|posted|submitted|compiled|edited|story|text|words|photos?)\s+)?"
    r"(?:by|from|par|von|por|di|door|av|af|автор|автор:|oleh|بقلم|كتب|كتبت|إعداد)\s*[:\-]?\s+",
    re.IGNORECASE,
)
_LABEL_PREFIX = re.compile(r"^\s*(?:authors?|writers?|reporters?|byline|author\(s\))\s*[:\-]\s*", re.IGNORECASE)
# Lower-case conjunctions only: "Sarah E. Needleman" keeps its initial.
_SPLIT = re.compile(r"\s*(?:,|;|\||/|&|·|•|\n|\s(?:and|und|et|y|e|и|dan|en|och|og)\s)\s*")
_HANDLE = re.compile(r"@\w+")
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_URL = re.compile(r"https?://\S+|www\.\S+|\S+\.(?:com|org|net|co\.uk)\b", re.IGNORECASE)
_DATEISH = re.compile(
    r"\b(?:\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}|\d{1,2}:\d{2}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)"
    r"[a-z]*\.?\s+\d{1,2}|\d{4}|updated|published|posted|am\b|pm\b|ago\b|min read|minutes? read)",
    re.IGNORECASE,
)
# Words that mark an organisation, desk or role rather than a person.
_NOT_PERSON = re.compile(
    r"\b(?:staff|news|newsroom|desk|agency|agencies|press|media|editors?|editorial|team|reporters?|"
    r"correspondents?|contributors?|writers?|associated|reuters|afp|bloomberg|service|services|wire|"
    r"online|digital|magazine|times|post|journal|tribune|herald|daily|weekly|radio|tv|television|"
    r"network|group|inc|ltd|llc|corp|company|bureau|admin|administrator|webmaster|guest|anonymous|"
    r"unknown|author|opinion|feature|sponsored|partner|content|the)\b",
    re.IGNORECASE,
)
_JOB_TAIL = re.compile(
    r"\s*(?:[,\-–—|]\s*)?\b(?:senior|chief|staff|special|foreign|political|business|technology|science|"
    r"sports?|health|deputy|associate|managing|executive|contributing)\b.*$",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")
MAX_AUTHORS = 10


def _is_person(name: str) -> bool:
    if not (2 <= len(name) <= 60) or any(ch.isdigit() for ch in name):
        return False
    if _NOT_PERSON.search(name):
        return False
    words = name.split()
    if len(words) > 5:
        return False
    letters = [w for w in words if w[:1].isalpha()]
    if not letters:
        return False
    # Latin-script names are capitalised; other scripts have no case to check.
    cased = [w for w in letters if w[:1].lower() != w[:1].upper()]
    if cased and sum(1 for w in cased if w[:1].isupper()) < max(1, len(cased) - 1):
        return False
    return True


def clean_author(raw: str) -> list[str]:
    """Split one raw author string into clean person names (possibly none)."""
    # JSON-LD and twice-escaped metas carry entities ("O&#8217;Brien").
    text = unicodedata.normalize("NFC", html.unescape(raw or ""))
    text = _URL.sub(" ", _EMAIL.sub(" ", text))
    text = _SPACES.sub(" ", text).strip()
    if not text:
        return []
    text = _LABEL_PREFIX.sub("", text)
    text = _BY_PREFIX.sub("", text)
    names: list[str] = []
    for part in _SPLIT.split(text):
        part = _HANDLE.sub("", part)
        part = _BY_PREFIX.sub("", part)
        if _DATEISH.search(part):
            # "Jane Doe Updated 3 March" keeps the name before the date words.
            part = _DATEISH.split(part)[0]
        part = _JOB_TAIL.sub("", part)
        part = part.strip(" \t-–—:|,.()[]\"'“”‘’")
        part = _SPACES.sub(" ", part)
        if part.isupper() and len(part) > 3:
            part = part.title()  # "JANE DOE" bylines
        if _is_person(part):
            names.append(part)
    return names


def clean_authors(raws: list[str]) -> list[str]:
    """Clean and de-duplicate several raw author values, keeping first-seen order."""
    seen: set[str] = set()
    out: list[str] = []
    for raw in raws:
        for name in clean_author(raw):
            key = name.casefold()
            if key not in seen:
                seen.add(key)
                out.append(name)
    return out[:MAX_AUTHORS]
