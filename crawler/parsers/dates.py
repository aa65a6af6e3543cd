"""Date parsing for the generic extractor: any page date string to an aware UTC datetime.

Fast paths first (ISO 8601, RFC 2822, compact digits); ``dateparser`` only for the
free-text dates of visible markup ("March 3, 2021 at 5:02 pm EST", "3 days ago" is refused).
A date without a zone is taken as UTC, or in ``default_tz`` when the caller knows the site's zone
(a site profile's ``timezone``).
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache

from crawler.parsers.arabic import has_arabic, parse_arabic_date

logger = logging.getLogger(__name__)

# Dates before the web or far in the future are parse errors, not article dates.
MIN_YEAR = 1990
MAX_YEAR = 2100

_ISO_LIKE = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{2})?",
    re.IGNORECASE,
)
_SLASH_YMD = re.compile(r"\b(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})\b")
_COMPACT = re.compile(r"^(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?:T?(?P<H>\d{2})(?P<M>\d{2}))?")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-]([01]?\d)[/-]([0-3]?\d)(?:/|-|\b)")
_RELATIVE = re.compile(r"\b(ago|yesterday|today|hours?|minutes?|mins?)\b", re.IGNORECASE)
_HAS_DIGIT = re.compile(r"\d")
_ARABIC_RELATIVE = re.compile(r"(?:^|\s)(?:منذ|قبل|أمس|امس|اليوم|البارحة)(?:\s|$)")
# Words around a date that dateparser would choke on ("Published:", "Updated on").
_LEADING_WORDS = re.compile(
    r"^\s*(?:(?:first\s+)?published|posted|updated|last\s+updated|modified|date|on|le|am|el|il)\b[:\s]*",
    re.IGNORECASE,
)


_FIRST_DIGIT = re.compile(r"\d")
_DIGIT_RUN = re.compile(r"\d+")
_DATEPARSER_SETTINGS = {
    "RETURN_AS_TIMEZONE_AWARE": True,
    "TO_TIMEZONE": "UTC",
    "PREFER_DAY_OF_MONTH": "first",
    "STRICT_PARSING": False,
    "REQUIRE_PARTS": ["day", "month", "year"],
    # A pure parser has no clock: a relative date ("vor 3 Tagen", a page number "S. 13" read as
    # seconds ago) resolves against a base centuries back, which _valid then refuses.
    "RELATIVE_BASE": datetime(1000, 1, 1),
}


def _tz(value: str | None, default: tzinfo | None = None) -> tzinfo:
    if not value:
        return default or UTC
    if value.upper() in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if value[0] == "-" else 1
    digits = value[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4]) if len(digits) >= 4 else 0
    if hours > 14 or minutes > 59:
        return UTC
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _valid(dt: datetime | None, default_tz: tzinfo | None = None) -> datetime | None:
    if dt is None or not (MIN_YEAR <= dt.year <= MAX_YEAR):
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=default_tz or UTC)
    return dt.astimezone(UTC)


def _build(y: str, m: str, d: str, hh: str | None = None, mm: str | None = None, ss: str | None = None,
           tz: tzinfo = UTC) -> datetime | None:
    try:
        return datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0), tzinfo=tz)
    except ValueError:
        return None


def parse_date(
    value: str | None, *, fuzzy: bool = True, languages: list[str] | None = None, default_tz: tzinfo | None = None
) -> datetime | None:
    """Parse a page date string into an aware UTC datetime, or ``None``.

    Structured values (ISO 8601, RFC 2822, ``20190821``) are parsed exactly; with
    ``fuzzy`` a free-text date is handed to ``dateparser`` (relative dates refused,
    since a pure parser has no clock to resolve "2 hours ago" against).  ``languages``
    (ISO 639-1 codes, e.g. the page's) narrows dateparser's search: ten times faster.
    ``default_tz`` is the zone of a date written without one (default UTC).
    """
    if not value:
        return None
    text = value.strip()[:200]
    if not text or not _HAS_DIGIT.search(text):
        return None
    match = _ISO_LIKE.search(text)
    if match:
        g = match.groupdict()
        dt = _build(g["y"], g["m"], g["d"], g["H"], g["M"], g["S"], _tz(g["tz"], default_tz))
        if dt is not None:
            return _valid(dt)
    match = _COMPACT.match(text)
    if match:
        g = match.groupdict()
        dt = _build(g["y"], g["m"], g["d"], g["H"], g["M"], tz=default_tz or UTC)
        if dt is not None:
            return _valid(dt)
    if "," in text[:5] or re.match(r"^[A-Za-z]{3},? \d", text):
        try:
            return _valid(parsedate_to_datetime(text), default_tz)
        except (TypeError, ValueError, IndexError):
            pass
    match = _SLASH_YMD.search(text)
    if match:
        dt = _build(match["y"], match["m"], match["d"], tz=default_tz or UTC)
        if dt is not None:
            return _valid(dt)
    if has_arabic(text):
        # Arabic month names and day-first digits, read exactly (dateparser knows neither system well).
        parsed = parse_arabic_date(text, default_tz)
        if parsed is not None:
            return _valid(parsed, default_tz)
    if not fuzzy or _RELATIVE.search(text) or _ARABIC_RELATIVE.search(text):
        return None
    return _fuzzy(text, languages, default_tz)


# Free-text dates of a fixed shape, read exactly (dateparser takes ~5 ms each): "12.03.2024",
# "12.03.2024, 15:30 Uhr", "March 12, 2024", "Mar. 12th 2024", "12 March 2024", "Tuesday, 12 March 2024".
_MONTH_NUMBER = {name: n for n, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
    ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
    ("dec", "december")), start=1) for name in names}
_EN_MONTH = r"(?P<mon>jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|sep|sept|" \
    r"september|oct|october|nov|november|dec|december)\.?"
_WEEKDAY = r"(?:(?:mon|tues?|wed|thu|thurs|fri|sat|sun)(?:day|nesday|rsday|urday)?\.?,?\s+)?"
_DMY_DOTS = re.compile(
    r"^(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.\s?(?P<y>\d{4})(?:,?\s+(?:um\s+)?(?P<H>\d{1,2})[:.](?P<M>\d{2})"
    r"(?:\s*uhr)?)?$",
    re.IGNORECASE,
)
# Day-first dates with month names in German, French, Spanish, Portuguese, Italian ("3. Mai 2021",
# "mercredi 5 juin 2019", "4 de mayo de 2022, 07:59", "12 settembre 2023").
_INTL_MONTH_NUMBER = {name: n for n, names in enumerate((
    ("januar", "jänner", "janvier", "enero", "janeiro", "gennaio"),
    ("februar", "février", "febrero", "fevereiro", "febbraio"),
    ("märz", "mars", "marzo", "março"), ("april", "avril", "abril", "aprile"), ("mai", "mayo", "maio", "maggio"),
    ("juni", "juin", "junio", "junho", "giugno"), ("juli", "juillet", "julio", "julho", "luglio"),
    ("august", "août", "agosto"), ("september", "septembre", "septiembre", "setiembre", "setembro", "settembre"),
    ("oktober", "octobre", "octubre", "outubro", "ottobre"), ("november", "novembre", "noviembre", "novembro"),
    ("dezember", "décembre", "diciembre", "dezembro", "dicembre")), start=1) for name in names}
_INTL_WEEKDAY = (
    r"(?:(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|"
    r"samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo|segunda-feira|terça-feira|"
    r"quarta-feira|quinta-feira|sexta-feira|lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica),?\s+)?"
)
_INTL_MONTHS = "|".join(sorted(_INTL_MONTH_NUMBER, key=len, reverse=True))
_INTL_DATE = re.compile(
    r"^" + _INTL_WEEKDAY + r"(?P<d>\d{1,2})\.?\s*(?:de\s+)?(?P<mon>" + _INTL_MONTHS + r")\s*(?:de\s+)?(?P<y>\d{4})"
    r"(?:,?\s+(?:um|à|às|a las|alle)?\s*(?P<H>\d{1,2})[:.h](?P<M>\d{2})(?:\s*uhr)?)?$",
    re.IGNORECASE,
)
_NAMED_DATES = (
    re.compile(r"^" + _WEEKDAY + _EN_MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})$", re.IGNORECASE),
    re.compile(r"^" + _WEEKDAY + r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+" + _EN_MONTH + r",?\s+(?P<y>\d{4})$",
               re.IGNORECASE),
)


def _exact_text_date(text: str, default_tz: tzinfo | None) -> datetime | None:
    """A date of one of the fixed shapes above, in ``default_tz`` (else UTC); ``None`` for anything else."""
    text = text.strip()
    tz = default_tz or UTC
    match = _DMY_DOTS.match(text)
    if match:
        return _build(match["y"], match["m"], match["d"], match["H"], match["M"], tz=tz)
    for pattern in _NAMED_DATES:
        match = pattern.match(text)
        if match:
            return _build(match["y"], str(_MONTH_NUMBER[match["mon"].casefold()]), match["d"], tz=tz)
    match = _INTL_DATE.match(text)
    if match:
        month = _INTL_MONTH_NUMBER[match["mon"].casefold()]
        return _build(match["y"], str(month), match["d"], match["H"], match["M"], tz=tz)
    return None


def _fuzzy(text: str, languages: list[str] | None = None, default_tz: tzinfo | None = None) -> datetime | None:
    """Free-text date through dateparser (slow: only reached for visible markup)."""
    text = _LEADING_WORDS.sub("", text).strip(" |·•-–—")
    if len(text) > 80 or len(_DIGIT_RUN.findall(text)) < 2:
        return None  # a day and a year are required: one number ("© 2021 Firma") is no date, and costs 15 ms
    # Labels in any language ("Publié le", "Veröffentlicht am") precede the date: retry from
    # the first digit, then from the word before it (a month name: "Updated June 3, 2021").
    first = _FIRST_DIGIT.search(text)
    attempts = [text]
    if first and first.start() > 0:
        attempts.append(text[first.start():])
        before = text[: first.start()].split()
        if before:
            attempts.append(f"{before[-1]} {text[first.start():]}")
    zone = getattr(default_tz, "key", None)  # a ZoneInfo's IANA name: dateparser reads zone-less text in it
    for attempt in attempts:
        exact = _exact_text_date(attempt, default_tz)
        if exact is not None:
            return _valid(exact)
    for attempt in attempts:
        dt = _dateparser(attempt, tuple(languages) if languages else None, zone)
        if dt is not None:
            return _valid(dt)
    return None


@lru_cache(maxsize=2048)
def _dateparser(text: str, languages: tuple[str, ...] | None, zone: str | None) -> datetime | None:
    """dateparser on one attempt, memoized: a page's date steps offer the same strings again (a third of calls)."""
    import dateparser

    settings = {**_DATEPARSER_SETTINGS, "TIMEZONE": zone} if zone else _DATEPARSER_SETTINGS
    try:
        return dateparser.parse(text, languages=list(languages) if languages else None, settings=settings)
    except Exception:  # dateparser raises assorted errors on odd input; a date is optional
        logger.debug("dateparser failed on %r", text, exc_info=True)
        return None


# A zone written in the date: ISO offset or Z, an RFC 2822 offset, or a zone name / abbreviation.
_ZONE_WRITTEN = re.compile(
    r"(?:\d(?:Z|[+-]\d{2}:?\d{2})\b|\d\s*Z$|\s[+-]\d{4}\b|\b(?:UTC|GMT|[ECMP][SD]T|CES?T|EES?T|WES?T|BST|IST|MSK|"
    r"AST|JST|KST|AEST|AEDT|Z)\b|بتوقيت|\bGMT[+-]\d)",
    re.IGNORECASE,
)


def has_zone(value: str | None) -> bool:
    """Whether a page date string names its zone (else it is read in the site's zone, or UTC)."""
    return bool(value) and bool(_ZONE_WRITTEN.search(value.strip()))


def date_from_url(url: str) -> datetime | None:
    """A ``/2019/08/21/`` style date in the URL path, at midnight UTC."""
    match = _URL_DATE.search(url or "")
    if not match:
        return None
    return _valid(_build(match[1], match[2], match[3]))


def known_language(code: str) -> bool:
    """Whether dateparser has data for this ISO 639 code (an unknown one would make it raise)."""
    try:
        from dateparser.data import language_order

        return code in language_order
    except ImportError:  # dateparser internals moved: fall back to searching every language
        return False
