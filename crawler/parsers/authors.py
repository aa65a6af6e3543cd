"""Author cleaning: a raw byline or metadata value to a list of people's names.

"By Jane Doe and John Roe | Updated 3 March 2021" -> ["Jane Doe", "John Roe"].
Handles, e-mail addresses, URLs, dates, job titles and organisations are dropped:
the field lists people only.
"""

from __future__ import annotations

import html
import re
import unicodedata

from crawler.parsers.arabic import cut_date, has_arabic, is_non_person, split_attached_and, strip_honorific

_BY_PREFIX = re.compile(
    r"^\s*(?:(?:written|reported|posted|submitted|compiled|edited|story|text|words|photos?)\s+)?"
    r"(?:by|from|par|von|por|di|door|av|af|автор|автор:|oleh|بقلم|كتب|كتبت|كتبه|كتبته|إعداد|اعداد|تحرير|بواسطة|"
    r"الكاتب|الكاتبة|نشره|نشرها|نشرته|نشر بواسطة)\s*[:\-]?\s+|^\s*(?:بقلم|كتب|إعداد|اعداد|تحرير|بواسطة)\s*:\s*",
    re.IGNORECASE,
)
_LABEL_PREFIX = re.compile(r"^\s*(?:authors?|writers?|reporters?|byline|author\(s\))\s*[:\-]\s*", re.IGNORECASE)
# Lower-case conjunctions only: "Sarah E. Needleman" keeps its initial.
_SPLIT = re.compile(r"\s*(?:,|،|;|\||/|&|·|•|\n|\s(?:and|und|et|y|e|и|dan|en|och|og|و)\s)\s*")
_HANDLE = re.compile(r"@\w+")
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_URL = re.compile(r"https?://\S+|www\.\S+|\S+\.(?:com|org|net|co\.uk)\b", re.IGNORECASE)
_DATEISH = re.compile(
    r"\b(?:\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}|\d{1,2}:\d{2}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)"
    r"[a-z]*\.?\s+\d{1,2}|\d{1,2}(?:st|nd|rd|th)?\.?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|"
    r"\d{4}|updated|published|posted|am\b|pm\b|ago\b|min read|minutes? read)",
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
# A label with no name after it ("By" in its own <span>, "Author:"): never a person.
_LABEL_ONLY = re.compile(
    r"^(?:(?:written|reported|posted|submitted|compiled|edited|story|text|words|photos?)\s+)?"
    r"(?:by|from|par|von|por|di|door|av|af|автор|oleh|بقلم|كتب|كتبت|إعداد|اعداد|تحرير|بواسطة|authors?|writers?|"
    r"reporters?|"
    r"byline|author\(s\))\s*[:\-]?$",
    re.IGNORECASE,
)
# Degrees and certifications after a name ("Jane Doe, MS, RDN"): short capitalised tokens, dotted or not.
_CREDENTIAL = re.compile(
    r"^(?:[A-Z]{2,6}(?:-[A-Z]{1,2})?|(?:[A-Z][a-z]?\.){1,4}|Ph\.?\s?D\.?|D\.?Phil\.?|M\.?Sc\.?|B\.?Sc\.?|M\.?Ed\.?|"
    r"Ed\.?D\.?|Psy\.?D\.?|Pharm\.?D\.?|Dr\.?P\.?H\.?|M\.?Phil\.?|Jr\.?|Sr\.?)$"
)
# The well-known ones, also stripped when they trail a name without a comma ("Jane Doe MD").
_TRAILING_CREDENTIALS = frozenset(
    "MD DO PHD DPHIL MS MSC MA BA BSC MPH MBA RD RDN LD LDN RN NP PA-C CPT CSCS CDE CDCES DPT DVM PHARMD "
    "JD LCSW MSW FACS FRCP MRCP CFP CFA CPA EDD PSYD DRPH MED IBCLC FNP APRN DNP MSN BSN CNS CSSD".split()
)
# Lead-in words left after a date is cut off ("RD on", "Jane Doe at", "Marie Dupont le").
_TRAILING_LEAD_IN = re.compile(r"(?:\s+(?:on|at|in|le|el|il|em|am|um|the))+\s*$")
# A dateline or outlet after a name ("Jane Doe in Beirut", "Marie Dupont à Paris", "Jane Doe for Reuters"):
# a lower-case linking word then capitalised words to the end.  Names never hold these words lower-case.
_PLACE_OR_OUTLET_TAIL = re.compile(
    r"\s+(?:in|at|from|for|à|en|aus|in der|im|desde|em|reporting from|writing from)\s+"
    r"(?:the\s+)?[A-ZÀ-ÖØ-Þ][^,;|]*$"
)
_PLACE_PART = re.compile(r"^(?:in|at|from|à|en|aus)\s+[A-ZÀ-ÖØ-Þ]")  # "..., in Beirut": a dateline piece
_PARENTHESISED_TAIL = re.compile(r"\s*\([^)]*\)?\s*$")  # "Jane Doe (AP)", "Jane Doe (Reuters"
_SPACES = re.compile(r"\s+")
MAX_AUTHORS = 10


def _is_person(name: str) -> bool:
    if not (2 <= len(name) <= 60) or any(ch.isdigit() for ch in name):
        return False
    if _NOT_PERSON.search(name) or is_non_person(name):
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


def _strip_credentials(name: str) -> str:
    """``"Jane Doe MD"`` -> ``"Jane Doe"``: drop well-known degrees trailing a longer name."""
    words = name.split()
    while len(words) > 2 and words[-1].replace(".", "").upper() in _TRAILING_CREDENTIALS:
        words.pop()
    return " ".join(words)


def clean_author(raw: str) -> list[str]:
    """Split one raw author string into clean person names (possibly none)."""
    # JSON-LD and twice-escaped metas carry entities ("O&#8217;Brien").
    text = unicodedata.normalize("NFC", html.unescape(raw or ""))
    text = _URL.sub(" ", _EMAIL.sub(" ", text))
    text = _SPACES.sub(" ", text).strip()
    if not text:
        return []
    text = _LABEL_PREFIX.sub("", text)
    text = split_attached_and(_BY_PREFIX.sub("", text))
    names: list[str] = []
    parts = _SPLIT.split(text)
    for part in parts:
        part = _HANDLE.sub("", part)
        part = _BY_PREFIX.sub("", part)
        if has_arabic(part):
            # "د. أحمد خالد - ٥ آذار ٢٠٢٤": title, dateline and Arabic month names are no English date words.
            part = strip_honorific(cut_date(part))
        if _DATEISH.search(part):
            # "Jane Doe Updated 3 March" keeps the name before the date words.
            part = _DATEISH.split(part)[0]
        part = _JOB_TAIL.sub("", part)
        part = _PLACE_OR_OUTLET_TAIL.sub("", _PARENTHESISED_TAIL.sub("", part.strip()))
        if _PLACE_PART.match(part):
            continue
        part = part.strip(" \t-–—:|,()[]\"'“”‘’")
        part = _TRAILING_LEAD_IN.sub("", _SPACES.sub(" ", part))
        part = _strip_credentials(part).strip(" \t-–—:|,.()[]\"'“”‘’")
        if not part or _LABEL_ONLY.match(part) or _CREDENTIAL.match(part):
            continue
        if part.isupper() and len(part) > 3:
            part = part.title()  # "JANE DOE" bylines
        # In a list, a lone word is a place or a desk ("PTI, Washington, Nov 20"), not a full name.
        if _is_person(part) and (len(parts) == 1 or len(part.split()) > 1):
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
