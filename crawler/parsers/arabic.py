"""Arabic pages: month names, digits, byline and source labels, and the page-furniture lines of Arabic sites.

Pure tables and functions used by the generic extractor (``dates``, ``authors``, ``body``,
``generic``).  Everything is matched on the spelling key of :func:`storage.arabic.normalize_arabic`
(``أيضاً`` and ``ايضا`` are one word), so a table lists each word once, in its bare spelling.

- Dates: ``٥ آذار ٢٠٢٤``, ``الثلاثاء 5 مارس 2024 - 14:30``, ``5 آذار (مارس) 2024``, ``٠٥/٠٣/٢٠٢٤``:
  the Levantine (Syriac) month names, the Egyptian (transliterated) ones and the Maghrebi ones,
  Arabic-Indic or ASCII digits, an optional time with ص / م (a.m. / p.m.).  The date is read
  in the site's zone when it names none.
- Labels: "read also" (اقرأ أيضاً), related articles (مقالات ذات صلة), share (شارك) and follow
  (تابعنا) calls, newsletter boxes (اشترك في النشرة البريدية), "most read", tag and comment
  headings, photo credits, rights lines: short lines that are never article text.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from storage.arabic import has_arabic, normalize_arabic

__all__ = [
    "MONTHS", "ascii_digits", "cut_date", "has_arabic", "is_furniture", "is_non_person", "parse_arabic_date",
    "source_line", "split_attached_and", "strip_honorific",
]

MONTHS: dict[str, int] = {
    # Levantine / Iraqi (Syriac) names, as Syrian, Lebanese, Jordanian and Iraqi papers print them.
    "كانون الثاني": 1, "شباط": 2, "اذار": 3, "نيسان": 4, "ايار": 5, "حزيران": 6, "تموز": 7, "اب": 8,
    "ايلول": 9, "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الاول": 12,
    "كانون ثاني": 1, "تشرين اول": 10, "تشرين ثاني": 11, "كانون اول": 12,
    # Egyptian / Gulf (transliterated) names and their common spellings.
    "يناير": 1, "فبراير": 2, "فبرایر": 2, "مارس": 3, "ابريل": 4, "ابرايل": 4, "مايو": 5, "يونيو": 6,
    "يونيه": 6, "يوليو": 7, "يوليه": 7, "اغسطس": 8, "سبتمبر": 9, "اكتوبر": 10, "نوفمبر": 11,
    "ديسمبر": 12,
    # Maghrebi (French-derived) names.
    "جانفي": 1, "فيفري": 2, "افريل": 4, "ماي": 5, "جوان": 6, "جويليه": 7, "اوت": 8,
}
"""Month name (spelling key) -> month number."""

_DIGITS = {ord(chr(0x0660 + d)): str(d) for d in range(10)} | {ord(chr(0x06F0 + d)): str(d) for d in range(10)}
_MONTH = "|".join(sorted((re.escape(m).replace(r"\ ", r"\s+") for m in MONTHS), key=len, reverse=True))
_TEXT_DATE = re.compile(
    rf"(?<!\d)(?P<d>\d{{1,2}})\s*(?:من\s+)?(?:شهر\s+)?(?P<m>{_MONTH})(?![\w])"
    rf"(?:\s*[/(]\s*(?:{_MONTH})\s*\)?)?\s*[,،]?\s*(?:(?:من\s+)?(?:عام|سنه)\s+)?(?P<y>\d{{4}})(?!\d)"
)
_NUMERIC_DMY = re.compile(r"(?<!\d)(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4})(?!\d)")
_TIME = re.compile(
    r"(?<![\d:])(?P<H>\d{1,2})[:.](?P<M>\d{2})(?::\d{2})?(?![\d:])\s*(?P<ap>صباحا|مساء|ظهرا|فجرا|ص|م)?(?!\w)"
)
_AFTERNOON = ("م", "مساء", "ظهرا")
ZONES: dict[str, str] = {
    "مكه المكرمه": "Asia/Riyadh", "مكه": "Asia/Riyadh", "السعوديه": "Asia/Riyadh", "الرياض": "Asia/Riyadh",
    "دمشق": "Asia/Damascus", "سوريا": "Asia/Damascus", "بيروت": "Asia/Beirut", "لبنان": "Asia/Beirut",
    "القاهره": "Africa/Cairo", "مصر": "Africa/Cairo", "بغداد": "Asia/Baghdad", "العراق": "Asia/Baghdad",
    "عمان": "Asia/Amman", "الاردن": "Asia/Amman", "القدس": "Asia/Jerusalem", "فلسطين": "Asia/Gaza",
    "الدوحه": "Asia/Qatar", "قطر": "Asia/Qatar", "ابوظبي": "Asia/Dubai", "دبي": "Asia/Dubai",
    "الامارات": "Asia/Dubai", "الكويت": "Asia/Kuwait", "الرباط": "Africa/Casablanca", "المغرب": "Africa/Casablanca",
    "تونس": "Africa/Tunis", "الجزائر": "Africa/Algiers", "الخرطوم": "Africa/Khartoum",
    "غرينتش": "UTC", "غرينيتش": "UTC", "جرينتش": "UTC",
}
"""Place named in ``بتوقيت <place>`` ("<place> time") -> IANA zone."""
_ZONE_NAME = re.compile(
    r"(?:بتوقيت|توقيت|حسب توقيت)\s+(?P<place>"
    + "|".join(sorted(ZONES, key=len, reverse=True)).replace(" ", r"\s+") + r")(?!\w)"
)
_ZONE_OFFSET = re.compile(r"(?:GMT|UTC|غرينتش|ت\.?\s?غ)\s*(?P<sign>[+-])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?")
_RELATIVE = re.compile(r"(?:^|\s)(?:منذ|قبل|امس|اليوم|البارحه)(?:\s|$)")


def ascii_digits(text: str) -> str:
    """Arabic-Indic (٠-٩) and Persian (۰-۹) digits as ASCII digits."""
    return text.translate(_DIGITS)


def _key(text: str) -> str:
    """The matching key of a line: spelling folded, ASCII digits, single spaces."""
    return " ".join(ascii_digits(normalize_arabic(text)).split())


def parse_arabic_date(text: str, default_tz: tzinfo | None = None) -> datetime | None:
    """A date written in Arabic (month name or day-first digits, either digit system), or ``None``.

    The time of day (``14:30``, ``2:30 م``) is read when present, else midnight.  The zone is the
    one the text names (``بتوقيت مكة المكرمة``, ``بتوقيت دمشق``, ``GMT+3``), else ``default_tz`` (the
    site's zone), else none (naive: the caller reads it as UTC).  Relative dates (منذ ساعتين,
    "two hours ago") are refused: no clock here.
    """
    if not text:
        return None
    key = _key(text)
    if _RELATIVE.search(key):
        return None
    match = _TEXT_DATE.search(key)
    if match:
        day, month, year = int(match["d"]), MONTHS[" ".join(match["m"].split())], int(match["y"])
    else:
        match = _NUMERIC_DMY.search(key)
        if match is None or not has_arabic(text):
            return None
        day, month, year = int(match["d"]), int(match["m"]), int(match["y"])
    rest = key[: match.start()] + " " + key[match.end():]
    default_tz = _named_zone(rest) or default_tz
    hour = minute = 0
    found = _TIME.search(rest)
    if found:
        hour, minute = int(found["H"]), int(found["M"])
        if found["ap"] in _AFTERNOON and hour < 12:
            hour += 12
        elif found["ap"] in ("ص", "صباحا", "فجرا") and hour == 12:
            hour = 0
    try:
        return datetime(year, month, day, hour, minute, tzinfo=default_tz)
    except ValueError:
        return None


def _named_zone(key: str) -> tzinfo | None:
    """The zone a date text names (``بتوقيت دمشق``, ``GMT+3``), else ``None``."""
    found = _ZONE_NAME.search(key)
    if found:
        name = ZONES[" ".join(found["place"].split())]
        return UTC if name == "UTC" else ZoneInfo(name)
    found = _ZONE_OFFSET.search(key)
    if found and int(found["h"]) <= 14:
        offset = timedelta(hours=int(found["h"]), minutes=int(found["m"] or 0))
        return timezone(-offset if found["sign"] == "-" else offset)
    return None


_DATE_LABEL = re.compile(r"\s(?:تاريخ النشر|نشر في|نشر بتاريخ|آخر تحديث|اخر تحديث|تحديث)\b.*$")
_DATELINE = re.compile(r"\s[-–—]\s.*$")


def cut_date(text: str) -> str:
    """A byline with its trailing date or dateline cut off.

    ``أحمد خالد - ٥ آذار ٢٠٢٤`` and ``علي الجبوري - بغداد تاريخ النشر: ...`` -> ``أحمد خالد``, ``علي الجبوري``:
    a dash after an Arabic name opens the dateline (place, date), never part of the name.
    """
    text = _DATELINE.sub("", _DATE_LABEL.sub("", text))
    key = normalize_arabic(text)
    if len(key) != len(text):  # marks were dropped: positions differ, cut at the first digit only
        match = re.search(r"\d", text)
        return text[: match.start()] if match else text
    spans = [m.start() for m in (_TEXT_DATE.search(ascii_digits(key)), re.search(r"\d", text)) if m]
    return text[: min(spans)] if spans else text


# --- people, sources -----------------------------------------------------------------------

_NON_PERSON = re.compile(
    r"(?:^|\s)(?:ال|و|ب|ل)?(?:محرر|محررو|محررين|تحرير|فريق|وكاله|وكالات|مراسل|مراسلو|مراسلين|مراسلنا|مراسلها|"
    r"قسم|اخبار|خاص|متابعات|صحيفه|جريده|موقع|هيئه|اداره|مكتب|شبكه|قناه|مركز|المرصد)(?:\s|$)"
)


def is_non_person(name: str) -> bool:
    """Whether an Arabic byline names a desk, agency or outlet (المحرر، فريق التحرير، وكالات) rather than a person."""
    return has_arabic(name) and _NON_PERSON.search(_key(name)) is not None


_HONORIFIC = re.compile(r"^(?:(?:أ\.\s?د|د|م|أ)\.\s*|(?:الدكتور|الدكتورة|المهندس|المهندسة|الأستاذ|الأستاذة)\s+)")


VAW_NAMES = frozenset(normalize_arabic(n) for n in (
    "وليد", "وائل", "وسيم", "وفاء", "وداد", "وعد", "وجدي", "وحيد", "وديع", "ورد", "وردة", "وصال", "وهيب", "وفيق",
    "وضاح", "ولاء", "وئام", "وسام", "وجيه", "وهبة", "وديعة", "وصفي",
))
"""Given names that begin with و: never the conjunction "and" written onto the next name."""


def split_attached_and(text: str) -> str:
    """``سامي نصر الله ونادين خوري`` -> ``سامي نصر الله و نادين خوري``: "and" (و) is written onto the next word.

    Split only between two names of at least two words each, and never before a given name that
    starts with و (وليد، وائل ...).
    """
    if not has_arabic(text):
        return text
    words = text.split()
    out: list[str] = []
    since = 0  # words since the last split
    for i, word in enumerate(words):
        rest = len(words) - i
        if (word.startswith("و") and len(word) >= 4 and since >= 2 and rest >= 2
                and normalize_arabic(word) not in VAW_NAMES):
            out += ["و", word[1:]]
            since = 1
            continue
        out.append(word)
        since += 1
    return " ".join(out)


def strip_honorific(name: str) -> str:
    """``د. منى الحسيني`` / ``الدكتور سمير`` -> the name without its title (doctor, engineer, professor)."""
    return _HONORIFIC.sub("", name.strip(), count=1) if has_arabic(name) else name


_SOURCE = re.compile(r"^\(?\s*(?:المصدر|مصدر الخبر|المصادر)\s*[:\-–]\s*(?P<name>[^()]{2,80}?)\s*\)?\.?$")


def source_line(text: str) -> str | None:
    """The outlet named by a source line (``المصدر: عنب بلدي`` -> ``عنب بلدي``), else ``None``."""
    if not text or len(text) > 100 or not has_arabic(text):
        return None
    match = _SOURCE.match(" ".join(text.split()))
    return match["name"].strip(" .") if match else None


# --- page furniture -------------------------------------------------------------------------

_CHANNELS = (
    "تطبيق|فيسبوك|تويتر|اكس|تلغرام|تيليغرام|تليجرام|واتساب|يوتيوب|انستغرام|انستجرام|لينكدان|تيك توك|صفحتنا|قناتنا|"
    "حساباتنا|منصاتنا|مواقع التواصل|وسائل التواصل|البريد"
)
"""Platforms and channels named by share and follow calls (spelling keys)."""
FURNITURE_CHARS = 200
"""Only lines up to this long are tested: a label or a call is one short line."""
_FURNITURE = re.compile(
    r"^(?:"
    # "Read also", "see also", "read more" boxes and labels, with the teaser they link.
    r"(?:اقرا|طالع|شاهد|اقرئي|اقرؤوا)\s+(?:ايضا|كذلك|المزيد)\b.*|المزيد من\s+(?:الاخبار|المقالات)\b.*"
    # Related and most-read lists.
    r"|(?:مقالات|اخبار|مواضيع|مواد|قصص|تقارير|موضوعات)\s+(?:ذات صله|مشابهه|متعلقه|مرتبطه|اخري)\b.*"
    r"|ذات صله\s*:?|الاكثر\s+(?:قراءه|مشاهده|تداولا|تعليقا|شعبيه)\b.*|(?:اخر|احدث)\s+الاخبار\s*:?"
    # Share and follow calls.
    r"|(?:شارك|شاركوا|شاركي|مشاركه|انشر)(?:\s+(?:المقال|الخبر|الموضوع|هذا المقال|هذا الخبر|القصه)\b.*"
    r"|\s+(?:علي|عبر|في)\s+(?:" + _CHANNELS + r")\b.{0,40})?\s*:?"
    r"|(?:تابعنا|تابعونا|تابعوا|تابعي)(?:\s+(?:علي|عبر|في)\s+.{0,80})?:?"
    r"|(?:تابعنا|تابعونا|تابعوا|تابع|تابعي)\s.{0,80}(?:" + _CHANNELS + r")\b.*"
    r"|(?:انضم|انضموا)\s+(?:الي|لقناتنا|لقناه)\b.*"
    # Newsletter boxes.
    r"|(?:اشترك|اشتركوا|اشتركي)\b.*(?:النشره|البريد|نشرتنا|الاخباريه|قناتنا|مجانا)\b.*"
    r"|(?:سجل|سجلوا)\s+(?:الان|بريدك|في النشره|في نشرتنا)\b.*"
    r"|(?:النشره البريديه|النشره الاخباريه|نشرتنا البريديه)\b.*|(?:احصل|تصلك|ستصلك|يصلك)\b.*بريدك\b.*"
    r"|اشترك(?: الان| مجانا)?\s*!?"
    # Ads, sponsored content, rights, comments, tag labels, reading time, photo credits, "click here".
    r"|اعلان|اعلانات|محتوي\s+(?:مدفوع|ممول|برعايه)|برعايه\s+.{0,40}"
    r"|(?:جميع|كل)\s+الحقوق\s+محفوظه\b.*|حقوق\s+(?:النشر|الطبع)\b.*"
    r"|(?:التعليقات|تعليقات القراء|اضف تعليقا|اترك تعليقا|اكتب تعليقا|اضف تعليقك)\b.*"
    r"|(?:الكلمات المفتاحيه|كلمات مفتاحيه|الوسوم|وسوم|الاوسمه|الكلمات الدلاليه)\s*:?.{0,120}"
    r"|(?:مده|وقت)\s+القراءه\b.{0,20}|\d+\s+(?:دقيقه|دقائق|دقيقتان)\s+(?:للقراءه|قراءه)"
    r"|(?:الصوره|صوره|تصوير|الصور|مصدر الصوره)\s*[:\-–].{0,100}"
    r"|(?:اضغط|انقر)\s+هنا\b.*|(?:للمزيد|لمزيد)\b.{0,40}(?:اضغط|انقر)\b.*"
    # Date stamps and bylines standing alone in the text.
    r"|(?:نشر|نشرت|تاريخ النشر|اخر تحديث|تم النشر|تم التحديث|محدث|تحديث|اخر تعديل)\s*(?:في|بتاريخ)?\s*:?"
    r"[^.؟!]{0,50}\d[^.؟!]{0,40}"
    r"|(?:بقلم|كتب|كتبت|اعداد|تحرير|بواسطه)\s*:?\s*[^\s.؟!،,:]+(?:\s+[^\s.؟!،,:]+){0,7}"
    r")$"
)


_STAMP_WORDS = re.compile(
    r"(?:^|\s)(?:"
    + "|".join(normalize_arabic(d) for d in ("الأحد", "الاثنين", "الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة",
                                             "السبت"))
    + r"|الساعه|صباحا|مساء|ظهرا|ص|م|بتوقيت\s+\S+(?:\s+المكرمه)?|GMT\S*|UTC\S*|في|الموافق)(?=\s|$)"
)
STAMP_WORDS_LEFT = 2
"""A line that holds a date and at most this many other words is a date stamp."""


def is_date_stamp(key: str) -> bool:
    """A line (its key) that is a date and time and little else: ``الخميس ٥ تشرين الأول ٢٠٢٣ - الساعة ٠٨:٣٠``."""
    match = _TEXT_DATE.search(key) or _NUMERIC_DMY.search(key)
    if match is None or len(key) > 100:
        return False
    rest = _TIME.sub(" ", key[: match.start()] + " " + key[match.end():])
    rest = _STAMP_WORDS.sub(" ", re.sub(r"[-–—|,،:()]", " ", rest))
    return len(rest.split()) <= STAMP_WORDS_LEFT


def is_furniture(text: str) -> bool:
    """A short Arabic line that is page furniture, never article text (see the module doc)."""
    if len(text) > FURNITURE_CHARS or not has_arabic(text):
        return False
    key = _key(text).strip(" .:!|-–—«»\"'")
    return bool(key) and (_FURNITURE.match(key) is not None or is_date_stamp(key))
