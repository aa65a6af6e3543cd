"""The Levant Post's content model: its articles, sections, tags and authors, generated from a seed.

Every date is held in UTC (the ground truth); pages print them in the site's zone,
``SITE_TIMEZONE``, some with their offset and some without any zone at all.  The
generator has no clock and no global state: the same arguments give the same site.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from crawler.replica import corpus
from crawler.replica.levantpost import text

SITE_KEY = "levantpost"
SITE_TIMEZONE = "Asia/Beirut"
"""The zone of every date the site prints; pages that print no zone mean this one (UTC+2, UTC+3 in summer)."""
LOCAL = ZoneInfo(SITE_TIMEZONE)
NEWEST = datetime(2024, 4, 12, 15, 40, tzinfo=UTC)
"""The newest article's date; the timeline counts back from here (across Beirut's 31 March DST switch)."""
DEFAULT_BASE_URL = "https://www.levantpost.example"
LANGUAGE = "en"

SECTIONS: dict[str, str] = {
    "politics": "Politics",
    "region": "Region",
    "security": "Security",
    "economy": "Economy",
    "society": "Society",
    "opinion": "Opinion",
}
"""Section slug -> name, in menu order."""
_SECTION_WEIGHTS: dict[str, int] = {
    "politics": 24, "region": 22, "security": 16, "economy": 14, "society": 12, "opinion": 12,
}
_SECTION_THEMES: dict[str, tuple[str, ...]] = {
    "politics": ("regime", "diplomacy"),
    "region": ("russia", "iran", "turkey", "gulf"),
    "security": ("idleb", "kurds"),
    "economy": ("economy",),
    "society": ("humanitarian",),
}
TAG_NAMES: dict[str, str] = {
    "russia": "Russia", "iran": "Iran", "turkey": "Turkey", "saudi-arabia": "Saudi Arabia", "uae": "UAE",
    "economy": "Economy", "refugees": "Refugees", "humanitarian": "Humanitarian Aid", "idleb": "Idleb",
    "hts": "HTS", "sdf": "SDF", "kurds": "Kurds", "damascus": "Damascus", "assad": "Bashar al-Assad",
    "constitutional-committee": "Constitutional Committee", "united-nations": "United Nations",
}
"""Tag slug -> name for the corpus's theme tags; place tags are named after the place."""

DATE_STYLES: tuple[str, ...] = ("iso", "local_time", "local_text")
"""How a page prints its date: ISO with the zone offset, ``<time>2024-03-05 14:30</time>`` without a
zone, or ``5 March 2024, 14:30`` as text without a zone."""


def slugify(value: str) -> str:
    """ASCII lowercase words joined by hyphens, apostrophes dropped."""
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"['’]", "", value.lower())
    return re.sub(r"[^a-z0-9]+", "-", value).strip("-")


@dataclass(frozen=True)
class Comment:
    """A reader comment under an article (chrome: never article text)."""

    author: str
    text: str
    posted: datetime


@dataclass(frozen=True)
class Article:
    """One story of The Levant Post and the facts of how its page is marked up.

    ``published`` and ``modified`` are UTC.  ``tags`` are slugs in page order; ``authors`` are
    names (empty: no byline).  Markup choices: ``has_jsonld`` (NewsArticle JSON-LD, else meta
    tags only), ``date_style`` (``DATE_STYLES``), ``rich_meta`` (a page without JSON-LD also has
    author, section and tag meta tags), ``has_amp`` (an AMP twin exists), ``read_also_style``
    (``aside``: a box of its own; ``paragraph``: a ``<p>`` among the body's paragraphs).
    ``read_also`` holds the ids of the stories linked from inside the body.
    """

    article_id: int
    slug: str
    section: str
    title: str
    lede: str | None
    paragraphs: tuple[str, ...]
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    published: datetime
    modified: datetime
    image: str | None
    has_jsonld: bool
    date_style: str
    rich_meta: bool
    has_amp: bool
    comments: tuple[Comment, ...]
    read_also_style: str = "aside"
    read_also: tuple[int, ...] = ()

    @property
    def path(self) -> str:
        """``/news/{id}-{slug}``: the canonical path (no extension, no trailing slash)."""
        return f"/news/{self.article_id}-{self.slug}"

    @property
    def amp_path(self) -> str:
        """The AMP twin's path (served only when ``has_amp``)."""
        return f"/amp{self.path}"

    @property
    def print_path(self) -> str:
        """The print version's path (disallowed in robots.txt)."""
        return f"/print{self.path}"

    @property
    def local_published(self) -> datetime:
        """``published`` in the site's zone, as the pages print it."""
        return self.published.astimezone(LOCAL)

    @property
    def local_modified(self) -> datetime:
        """``modified`` in the site's zone."""
        return self.modified.astimezone(LOCAL)


def generate(rng: random.Random, count: int) -> list[Article]:
    """``count`` articles, newest first, with their "Read also" links to other articles."""
    dates = _timeline(rng, count)
    used_titles: set[str] = set()
    used_bodies: set[str] = set()
    used_slugs: set[str] = set()
    next_id = 18_000
    made: list[Article] = []
    for published in reversed(dates):  # oldest first: ids grow with time
        next_id += rng.randint(1, 7)
        made.append(_story(rng, next_id, published, used_titles, used_bodies, used_slugs))
    made.reverse()
    return _link_read_also(rng, made)


def _timeline(rng: random.Random, count: int) -> list[datetime]:
    """Publication dates (UTC), newest first: three to seven a day between 07:00 and 21:59 Beirut time."""
    dates: list[datetime] = []
    day = NEWEST.astimezone(LOCAL).date()
    while len(dates) < count:
        for minute in sorted(rng.sample(range(7 * 60, 22 * 60), rng.randint(3, 7)), reverse=True):
            local = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=LOCAL)
            stamp = local.astimezone(UTC)
            if stamp <= NEWEST:
                dates.append(stamp)
        day -= timedelta(days=1)
    return dates[:count]


def _story(
    rng: random.Random, article_id: int, published: datetime,
    used_titles: set[str], used_bodies: set[str], used_slugs: set[str],
) -> Article:
    """One generated story: section, theme, text, byline, tags, markup choices and comments."""
    section = rng.choices(list(_SECTION_WEIGHTS), list(_SECTION_WEIGHTS.values()))[0]
    allowed = _SECTION_THEMES.get(section)
    themes = [t for t in corpus.THEMES if allowed is None or t.key in allowed]
    # Titles are unique site-wide: a taken one draws a new theme and new slots (some templates have none).
    for _ in range(24):
        theme = rng.choice(themes)
        slots = corpus.story_slots(theme, rng)
        title, lede = corpus.headline_and_lede(theme, rng, slots)
        if title not in used_titles:
            break
    else:
        taken = title
        for place in rng.sample(corpus.PLACES, len(corpus.PLACES)):
            title = f"{taken}: What It Means for {place}"
            if title not in used_titles:
                break
    used_titles.add(title)
    count = rng.randint(6, 9) if section == "opinion" else rng.randint(4, 7)
    for _ in range(12):
        paragraphs = corpus.body_paragraphs(theme, rng, slots, count)
        if "\n".join(paragraphs) not in used_bodies:
            break
    used_bodies.add("\n".join(paragraphs))
    slug = base = slugify(title)[:70].strip("-")
    n = 2
    while slug in used_slugs:
        slug, n = f"{base}-{n}", n + 1
    used_slugs.add(slug)
    if section == "opinion":
        authors: tuple[str, ...] = (rng.choice(text.COLUMNISTS),)
    else:
        roll = rng.random()
        authors = () if roll < 0.12 else tuple(rng.sample(text.STAFF, 1 if roll < 0.75 else 2))
    tags = list(theme.tags[: rng.randint(1, len(theme.tags))])
    place = slugify(slots["place"])
    if rng.random() < 0.7 and place not in tags:
        tags.insert(rng.randint(0, len(tags)), place)
    comments = tuple(
        Comment(name, said, published + timedelta(minutes=rng.randint(20, 60 * 30)))
        for name, said in zip(
            rng.sample(text.COMMENTERS, 3), rng.sample(text.COMMENTS, rng.randint(2, 3)), strict=False
        )
    )
    return Article(
        article_id=article_id,
        slug=slug,
        section=section,
        title=title,
        lede=f"{lede}." if rng.random() < 0.85 else None,
        paragraphs=tuple(paragraphs),
        tags=tuple(tags),
        authors=authors,
        published=published,
        modified=published + timedelta(minutes=rng.choice((0, 0, 0, 25, 190))),
        image=f"/media/{published:%Y/%m}/{slug[:40].strip('-')}.jpg" if rng.random() < 0.7 else None,
        has_jsonld=rng.random() < 0.6,
        date_style=rng.choices(DATE_STYLES, (4, 3, 3))[0],
        rich_meta=rng.random() < 0.5,
        has_amp=rng.random() < 0.3,
        comments=tuple(sorted(comments, key=lambda c: c.posted)),
        read_also_style=rng.choice(("aside", "paragraph")),
    )


def _link_read_also(rng: random.Random, articles: list[Article]) -> list[Article]:
    """Give each article one or two "Read also" boxes pointing at older stories (any story for the oldest)."""
    out: list[Article] = []
    for i, article in enumerate(articles):
        older = articles[i + 1 : i + 40] or articles[:-1]
        wanted = 2 if len(article.paragraphs) >= 5 else 1
        picks = rng.sample(older, min(wanted, len(older)))
        out.append(replace(article, read_also=tuple(a.article_id for a in picks)))
    return out
