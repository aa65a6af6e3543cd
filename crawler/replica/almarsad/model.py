"""Al-Marsad's content model: articles, generated from a seed, with the facts of how each page prints them.

Every date is held in UTC (the ground truth); pages print them in Damascus time
(``SITE_TIMEZONE``), most with no zone at all, in Arabic: the Levantine month names
(آذار) on some pages, the Egyptian ones (مارس) on others, Arabic-Indic digits (٢١) on some.
The archive (``/archive/<id>.html``) holds old stories of 2021-2022, when Damascus still
switched between UTC+2 and UTC+3, served in windows-1256 with the charset only in ``<meta>``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from crawler.replica.almarsad import corpus, text

SITE_KEY = "almarsad"
SITE_TIMEZONE = "Asia/Damascus"
LOCAL = ZoneInfo(SITE_TIMEZONE)
NEWEST = datetime(2024, 6, 20, 16, 10, tzinfo=UTC)
DEFAULT_BASE_URL = "https://www.almarsad.example"
LANGUAGE = "ar"

DATE_STYLES: tuple[str, ...] = ("jsonld", "levantine_indic", "egyptian", "egyptian_indic", "levantine")
"""How a page gives its date: JSON-LD with the offset (and a visible Levantine date), or only visible
text in Damascus time: ``الثلاثاء ٥ آذار ٢٠٢٤ - ١٤:٣٠``, ``5 مارس 2024 - 2:30 م``, ``٥ مارس ٢٠٢٤ ١٤:٣٠``,
``5 آذار 2024 الساعة 14:30`` (the archive's style)."""
ARCHIVE_DAYS: tuple[date, ...] = (
    date(2021, 11, 7), date(2022, 1, 19), date(2022, 2, 27), date(2022, 3, 24), date(2022, 4, 12),
    date(2022, 6, 30), date(2022, 8, 15), date(2022, 10, 3),
)
"""Archive stories' days: Damascus was UTC+2 in winter and UTC+3 in summer until October 2022."""

INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@dataclass(frozen=True)
class Article:
    """One story and how its page is marked up.

    ``published`` is UTC.  ``authors`` are names (empty: the desk line only); ``source`` names the outlet
    a republished story credits on its closing line.  ``archive``: an old page (table layout, windows-1256).
    ``indic_digits``: the body prints its numbers in Arabic-Indic digits.
    """

    article_id: int
    section: str
    theme: str
    title: str
    lede: str | None
    paragraphs: tuple[str, ...]
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    published: datetime
    date_style: str
    source: str | None = None
    archive: bool = False
    indic_digits: bool = False
    read_also: tuple[int, ...] = ()

    @property
    def path(self) -> str:
        """``/news/<id>.html`` (recent) or ``/archive/<id>.html`` (old pages)."""
        return f"/archive/{self.article_id}.html" if self.archive else f"/news/{self.article_id}.html"

    @property
    def local_published(self) -> datetime:
        """``published`` in Damascus time, as the pages print it."""
        return self.published.astimezone(LOCAL)


def generate(rng: random.Random, count: int) -> list[Article]:
    """``count`` articles, newest first: recent ones, then the archive (at most ``len(ARCHIVE_DAYS)``)."""
    archive = min(len(ARCHIVE_DAYS), max(count // 8, 1))
    dates = _timeline(rng, count - archive) + [
        datetime(d.year, d.month, d.day, rng.randint(8, 20), rng.randint(0, 59), tzinfo=LOCAL).astimezone(UTC)
        for d in reversed(ARCHIVE_DAYS[:archive])
    ]
    used: set[str] = set()
    made: list[Article] = []
    next_id = 40_000
    for i, published in enumerate(reversed(dates)):  # oldest first: ids grow with time
        next_id += rng.randint(1, 9)
        made.append(_story(rng, next_id, published, archive=i < archive, used=used))
    made.reverse()
    return _read_also(rng, made)


def _timeline(rng: random.Random, count: int) -> list[datetime]:
    """Recent publication dates (UTC), newest first: two to five a day, 07:00-22:59 Damascus time."""
    out: list[datetime] = []
    day = NEWEST.astimezone(LOCAL).date()
    while len(out) < count:
        for minute in sorted(rng.sample(range(7 * 60, 23 * 60), rng.randint(2, 5)), reverse=True):
            stamp = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=LOCAL).astimezone(UTC)
            if stamp <= NEWEST:
                out.append(stamp)
        day -= timedelta(days=1)
    return out[:count]


def _story(rng: random.Random, article_id: int, published: datetime, archive: bool, used: set[str]) -> Article:
    for _ in range(50):
        theme = rng.choice(corpus.THEMES)
        slots = corpus.slots_for(rng)
        title = corpus.fill(rng.choice(theme.headlines), slots)
        if title not in used:
            break
    else:
        title = f"{title} ({slots['other']})"
    used.add(title)
    count = rng.randint(5, 7) if theme.section == "opinion" else rng.randint(3, 5)
    paragraphs = [corpus.fill(rng.choice(theme.openers), slots)]
    paragraphs += [corpus.fill(p, slots) for p in rng.sample(theme.paragraphs, count)]
    indic = not archive and rng.random() < 0.35
    if indic:
        paragraphs = [p.translate(INDIC) for p in paragraphs]
    if theme.section == "opinion":
        authors: tuple[str, ...] = (rng.choice(text.COLUMNISTS),)
    else:
        roll = rng.random()
        authors = () if roll < 0.15 else tuple(rng.sample(text.STAFF, 1 if roll < 0.8 else 2))
    tags = list(theme.tags[: rng.randint(1, len(theme.tags))])
    if rng.random() < 0.7:
        tags.insert(rng.randint(0, len(tags)), corpus.PLACE_SLUGS[slots["place"]])
    lede = None
    if rng.random() < 0.8:
        lede = paragraphs[0].split("،")[0].rstrip(".") + "."
        if lede == paragraphs[0]:
            lede = None
    return Article(
        article_id=article_id,
        section=theme.section,
        theme=theme.key,
        title=title,
        lede=lede,
        paragraphs=tuple(paragraphs),
        tags=tuple(tags),
        authors=authors,
        published=published,
        date_style="levantine" if archive else rng.choice(DATE_STYLES[:4]),
        source=rng.choice(text.SOURCES) if rng.random() < 0.25 else None,
        archive=archive,
        indic_digits=indic,
    )


def _read_also(rng: random.Random, articles: list[Article]) -> list[Article]:
    """Each recent story links one or two other stories from inside its body ("اقرأ أيضاً")."""
    from dataclasses import replace

    out: list[Article] = []
    for i, a in enumerate(articles):
        pool = [b.article_id for b in articles[i + 1 : i + 30] or articles[:i]]
        picks = tuple(rng.sample(pool, min(len(pool), 2 if len(a.paragraphs) >= 4 else 1)))
        out.append(replace(a, read_also=picks))
    return out
