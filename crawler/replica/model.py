"""The replica's content model: a deterministic generator of The Syrian Observer's articles.

:class:`ReplicaSite` builds, from a seed and an article count, every article, listing and
special case of the replica, and renders any path to ``(status, headers, body)``.  It has
no clock and no global state: two sites built with the same arguments render identical
bytes.  The HTTP side lives in :mod:`crawler.replica.server`.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from urllib.parse import urlsplit

from crawler.replica import corpus, pages, seed
from crawler.replica.posts import Article

DAMASCUS = timezone(timedelta(hours=3))
"""Damascus time (UTC+3), the zone of every date the replica publishes."""
NEWEST = datetime(2019, 10, 31, 18, 40, tzinfo=DAMASCUS)
"""The newest article's date: generated dates count back from here, never from the clock."""
PER_PAGE = pages.PER_PAGE
FEED_ITEMS = 20
LAYOUTS: tuple[str, ...] = ("standard", "redesign")
DEFAULT_BASE_URL = "https://syrianobserver.com"

CATEGORIES: dict[str, str] = {
    "news": "News",
    "foreign-actors": "Foreign Actors",
    "syrian-actors": "Syrian Actors",
    "commentary": "Commentary",
    "uncategorized": "Uncategorized",
}
"""Category slug -> name, in menu order."""

TAGS: dict[str, str] = {
    "russia": "Russia", "iran": "Iran", "turkey": "Turkey", "saudi-arabia": "Saudi Arabia",
    "uae": "UAE", "economy": "Economy", "refugees": "Refugees", "humanitarian": "Humanitarian",
    "idleb": "Idleb", "hts": "HTS", "sdf": "SDF", "kurds": "Kurds", "damascus": "Damascus",
    "assad": "Assad", "constitutional-committee": "Constitutional Committee",
    "united-nations": "United Nations", "khan-sheikhoun": "Khan Sheikhoun", "aleppo": "Aleppo",
    "daraa": "Daraa", "deir-ezzor": "Deir Ezzor", "raqqa": "Raqqa", "hama": "Hama", "homs": "Homs",
    "latakia": "Latakia", "qamishli": "Qamishli", "manbij": "Manbij", "afrin": "Afrin",
    "announcements": "Announcements",
}
"""Tag slug -> name."""

HEADLINE_TRIES = 12
"""Fresh headlines drawn for a post whose headline is taken, in the first ``FULL_TRIES_POSTS`` posts."""
FULL_TRIES_POSTS = 4000
LATE_HEADLINE_TRIES = 2
"""Draws for later posts (newest first): the headline space is spent by then, so twelve draws buy no
new headline and made a 60,000-post replica three times slower to build. Smaller replicas are unchanged."""

_CATEGORY_WEIGHTS = (("news", 42), ("foreign-actors", 22), ("syrian-actors", 16), ("commentary", 14),
                     ("uncategorized", 6))
_CATEGORY_THEMES: dict[str, tuple[str, ...]] = {
    "foreign-actors": ("russia", "iran", "turkey", "gulf", "diplomacy"),
    "syrian-actors": ("regime", "kurds", "idleb"),
}
_LISTING = re.compile(r"^/(?P<kind>category|tag|author)/(?P<slug>[a-z0-9-]+)/?(?:page/(?P<page>\d+)/?)?$")
_ARCHIVE = re.compile(r"^/(?P<year>\d{4})/(?P<month>\d{2})/?(?:page/(?P<page>\d+)/?)?$")

Response = tuple[int, dict[str, str], bytes]


def slugify(text: str) -> str:
    """WordPress-style slug: ASCII lowercase words joined by hyphens, apostrophes dropped."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"['’]", "", text.lower())
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


@dataclass
class _Draft:
    """A post while the generator is still deciding its id, slug and role."""

    published: datetime
    category: str = "news"
    title: str = ""
    lede: str = ""
    source: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    author: str = "The Syrian Observer"
    kind: str = "article"
    disclaimer: bool = False
    has_id: bool = True
    slug: str = ""
    is_seed: bool = False


def _renumber_overflow(ids: dict[int, int]) -> None:
    """Move ids that counting back from the seed's fixed id took to 0 or below past the newest id.

    Ids ascend with time and the seed keeps ``SEED_ID``, so past about 7,000 posts older than the
    seed the oldest would get ``/news/-58446/...``: like an archive imported after the site went
    live, those posts take ids above the newest instead, still ascending with their dates.
    Smaller replicas have no such id and are left exactly as they were.
    """
    overflow = sorted(n for n in ids.values() if n <= 0)
    if not overflow:
        return
    offset = max(ids.values()) + 1 - overflow[0]  # the oldest overflowing post lands right after the newest
    for i, n in ids.items():
        if n <= 0:
            ids[i] = n + offset


class ReplicaSite:
    """The whole replica: articles, listings, feed, sitemap, robots and special cases.

    All ``*_urls`` attributes hold *paths* (``/news/52360/....html``); join them with a
    server's ``base_url`` (``ReplicaServer.url(path)``) for absolute URLs.

    - ``articles``: every post served with status 200 and article markup, newest first
      (normal articles, notices, the no-body and the truncated page).
    - ``valid_article_urls``: the paths a complete crawl must store, each exactly once:
      every served article except the no-body and truncated pages.  The redirected article
      is here under its new path.
    - ``notice_urls``: site notices (valid, unattributed, short).
    - ``dead_urls``: linked from category and date listings, answer 404.
    - ``redirects``: old path -> new path (301); the old path is linked from date archives.
    - ``no_body_urls``: title but an empty content div and no lede; a crawler should record
      it as fetched and drop it as "no body" (not store it).
    - ``truncated_urls``: served 200 with the HTML cut off right after the ``<h1>`` title,
      before the lede and the content div: no usable body, same outcome as no-body.
    - ``tracking_urls``: linked variant (``?utm_...`` or ``#...``) -> clean path.
    """

    def __init__(self, articles: int = 520, seed: int = 20190821) -> None:
        if articles < 40:
            raise ValueError("the replica needs at least 40 articles to place its special cases")
        self.seed = seed
        self.article_count = articles
        self.categories = dict(CATEGORIES)
        self.tags: dict[str, str] = dict(TAGS)
        rng = random.Random(seed)
        drafts = self._draft_posts(rng, articles)
        posts = self._finalize(rng, drafts)
        self._assign_specials(rng, posts)
        self._index()

    # --- generation ---------------------------------------------------------------

    def _timeline(self, rng: random.Random, count: int) -> list[datetime]:
        """``count`` publication dates, newest first, three to seven a day back from NEWEST."""
        dates: list[datetime] = []
        day = NEWEST.replace(hour=0, minute=0)
        while len(dates) < count:
            minutes = sorted(rng.sample(range(8 * 60, 20 * 60 + 41), rng.randint(3, 7)), reverse=True)
            for m in minutes:
                stamp = day + timedelta(minutes=m)
                if stamp <= NEWEST and stamp.isoformat() != seed.SEED_PUBLISHED:
                    dates.append(stamp)
            day -= timedelta(days=1)
        return dates[:count]

    def _draft_posts(self, rng: random.Random, articles: int) -> list[_Draft]:
        """Every post's content, newest first, the seed article in its place."""
        dates = self._timeline(rng, articles - 1)
        drafts = [_Draft(published=d) for d in dates]
        # Notices spread through the timeline; the oldest post is the pre-id "Happy Eid".
        notice_at = self._notice_positions(drafts)
        used_titles: set[str] = set()
        used_bodies: set[str] = set()
        oldest = len(drafts) - 1
        for i, draft in enumerate(drafts):
            if i == oldest:
                self._fill_notice(draft, corpus.HAPPY_EID, rng, "foreign-actors")
                draft.has_id, draft.slug = False, "happy_eid"
            elif i in notice_at:
                self._fill_notice(draft, corpus.NOTICES[notice_at[i]], rng, "uncategorized")
            else:
                tries = HEADLINE_TRIES if i < FULL_TRIES_POSTS else LATE_HEADLINE_TRIES
                self._fill_story(draft, rng, used_titles, used_bodies, tries)
                # Two more pre-id posts just before "Happy Eid", with old underscore slugs.
                if i >= oldest - 2:
                    draft.has_id = False
                    draft.slug = slugify(draft.title).replace("-", "_")[:48].strip("_")
        seed_draft = _Draft(
            published=datetime.fromisoformat(seed.SEED_PUBLISHED),
            category=seed.SEED_CATEGORY,
            title=seed.SEED_TITLE,
            lede=seed.SEED_LEDE,
            source=seed.SEED_SOURCE,
            paragraphs=list(seed.SEED_PARAGRAPHS),
            tags=list(seed.SEED_TAGS),
            author=seed.SEED_AUTHOR,
            disclaimer=True,
            slug=seed.SEED_SLUG,
            is_seed=True,
        )
        drafts.append(seed_draft)
        drafts.sort(key=lambda d: d.published, reverse=True)
        return drafts

    @staticmethod
    def _notice_positions(drafts: list[_Draft]) -> dict[int, int]:
        """Draft index -> notice index: the Eid notice nearest its date, the others spread evenly."""
        eid = datetime(*corpus.EID_NOTICE_DATE, 12, 0, tzinfo=DAMASCUS)
        # Only the newer posts: the oldest three are the pre-id ones.
        candidates = range(len(drafts) - 3)
        positions = {min(candidates, key=lambda i: abs(drafts[i].published - eid)): 0}
        for n in range(1, len(corpus.NOTICES)):
            i = round((len(drafts) - 4) * (n - 0.5) / (len(corpus.NOTICES) - 1))
            while i in positions:
                i += 1
            positions[i] = n
        return positions

    def _fill_notice(
        self, draft: _Draft, notice: tuple[str, tuple[str, ...]], rng: random.Random, category: str
    ) -> None:
        """A site notice: short, no attribution, no disclaimer."""
        when = draft.published
        month = corpus.MONTHS[when.month - 1]
        values = {
            "d1": str(min(when.day + 1, 28)),
            "d2": str(min(when.day + 2, 28)),
            "d3": str(min(when.day + 3, 28)),
            "monthname": month,
            "n": str(rng.randint(5, 14)),
        }
        title, paragraphs = notice
        draft.category = category
        draft.title = title
        draft.paragraphs = [p.format(**values) for p in paragraphs]
        draft.lede = draft.paragraphs[0].split(". ")[0].rstrip(".") + "."
        draft.tags = ["announcements"]
        draft.kind = "notice"

    def _fill_story(
        self, draft: _Draft, rng: random.Random, used_titles: set[str], used_bodies: set[str], tries: int
    ) -> None:
        """A generated news story, commentary or miscellaneous post."""
        names, weights = zip(*_CATEGORY_WEIGHTS, strict=True)
        draft.category = rng.choices(names, weights)[0]
        allowed = _CATEGORY_THEMES.get(draft.category)
        themes = [t for t in corpus.THEMES if allowed is None or t.key in allowed]
        theme = rng.choice(themes)
        slots = corpus.story_slots(theme, rng)
        for _ in range(tries):
            title, lede = corpus.headline_and_lede(theme, rng, slots)
            if title not in used_titles:
                break
            slots = corpus.story_slots(theme, rng)
        used_titles.add(title)
        draft.title = title
        verb, outlet = rng.choice(corpus.SOURCES)
        if draft.category == "commentary":
            draft.author = rng.choice(corpus.COLUMNISTS)
            verb, outlet = "writes", rng.choice(("Asharq Al-Awsat", "Al-Hal", "Alsouria Net"))
        # Most ledes run straight into the attribution, as on the live site; some use a comma.
        joiner = ", " if rng.random() < 0.25 else " "
        draft.lede = f"{lede}{joiner}{verb} {outlet}."
        draft.source = outlet
        draft.disclaimer = True
        count = rng.randint(6, 9) if draft.category == "commentary" else rng.randint(4, 7)
        for _ in range(12):
            paragraphs = corpus.body_paragraphs(theme, rng, slots, count)
            key = "\n".join(paragraphs)
            if key not in used_bodies:
                break
        used_bodies.add(key)
        draft.paragraphs = paragraphs
        tags = list(theme.tags[: rng.randint(1, len(theme.tags))])
        place_tag = slugify(slots["place"])
        if place_tag in TAGS and place_tag not in tags:
            tags.append(place_tag)
        draft.tags = tags

    def _finalize(self, rng: random.Random, drafts: list[_Draft]) -> list[Article]:
        """Assign ids (ascending with time, the seed at its fixed id) and unique slugs."""
        ids: dict[int, int] = {}
        next_id = 0
        for i in range(len(drafts) - 1, -1, -1):
            if drafts[i].has_id:
                next_id += rng.randint(2, 12)
                ids[i] = next_id
        seed_index = next(i for i, d in enumerate(drafts) if d.is_seed)
        shift = seed.SEED_ID - ids[seed_index]
        ids = {i: n + shift for i, n in ids.items()}
        _renumber_overflow(ids)
        used_slugs: set[str] = set()
        posts: list[Article] = []
        for i in range(len(drafts) - 1, -1, -1):
            draft = drafts[i]
            slug = draft.slug or slugify(draft.title)
            base, n = slug, 2
            while slug in used_slugs:
                slug, n = f"{base}-{n}", n + 1
            used_slugs.add(slug)
            published = draft.published
            modified = published + timedelta(minutes=rng.choice((0, 0, 15, 45, 95)))
            if draft.is_seed:
                modified = datetime.fromisoformat(seed.SEED_MODIFIED)
            image = None
            if draft.kind == "article":
                image = seed.SEED_IMAGE if draft.is_seed else (
                    f"/wp-content/uploads/{published:%Y/%m}/{slug[:40].strip('-')}.jpg"
                )
            posts.append(
                Article(
                    post_id=ids.get(i),
                    category=draft.category,
                    slug=slug,
                    title=draft.title,
                    lede=draft.lede,
                    source=draft.source,
                    paragraphs=tuple(draft.paragraphs),
                    tags=tuple(draft.tags),
                    author=draft.author,
                    published=published,
                    modified=modified,
                    image=image,
                    kind=draft.kind,
                    disclaimer=draft.disclaimer,
                )
            )
        posts.reverse()
        return posts

    def _assign_specials(self, rng: random.Random, posts: list[Article]) -> None:
        """Pick the no-body, truncated, redirected, tracked and dead-linked posts."""
        ordinary = [
            i for i, a in enumerate(posts)
            if a.kind == "article" and a.post_id is not None and a.path != seed.SEED_PATH
        ]
        picks = rng.sample(ordinary, 7)
        no_body, truncated, redirected = picks[0], picks[1], picks[2]
        a = posts[no_body]
        posts[no_body] = Article(
            a.post_id, a.category, a.slug, a.title, "", None, (), a.tags, a.author, a.published,
            a.modified, None, kind="no_body",
        )
        a = posts[truncated]
        posts[truncated] = Article(
            a.post_id, a.category, a.slug, a.title, a.lede, a.source, a.paragraphs, a.tags, a.author,
            a.published, a.modified, a.image, kind="truncated", disclaimer=a.disclaimer,
        )
        self.articles: list[Article] = posts
        self._by_path: dict[str, Article] = {a.path: a for a in posts}

        moved = posts[redirected]
        old_slug = "-".join(moved.slug.split("-")[:4]) + "-draft"
        old_path = f"/{moved.category}/{moved.post_id}/{old_slug}.html"
        self.redirects: dict[str, str] = {old_path: moved.path}

        # Listing links that differ from the clean path: kind of listing + path -> href.
        self._hrefs: dict[tuple[str, str], str] = {("date", moved.path): old_path}
        self.tracking_urls: dict[str, str] = {}
        for n, i in enumerate(picks[3:]):
            path = posts[i].path
            if n < 2:
                href = f"{path}?utm_source=twitter&utm_medium=social&utm_campaign=syobs"
                self._hrefs[("tag", path)] = href
            else:
                href = f"{path}#respond"
                self._hrefs[("category", path)] = href
            self.tracking_urls[href] = path

        # Deleted posts still linked from cached category and date listings.
        used_ids = {a.post_id for a in posts}
        self._dead: list[Article] = []
        for n in range(3):
            anchor = posts[len(posts) * (n + 1) // 4]
            dead_id = (anchor.post_id or 50000) + 1
            while dead_id in used_ids:
                dead_id += 1
            used_ids.add(dead_id)
            title = f"{anchor.title}: Follow-Up"
            self._dead.append(
                Article(
                    dead_id, anchor.category, slugify(title), title, anchor.lede, anchor.source, (), (),
                    anchor.author, anchor.published - timedelta(minutes=1),
                    anchor.modified, None, kind="dead",
                )
            )

        self.dead_urls: frozenset[str] = frozenset(a.path for a in self._dead)
        self.no_body_urls: frozenset[str] = frozenset({posts[no_body].path})
        self.truncated_urls: frozenset[str] = frozenset({posts[truncated].path})
        self.notice_urls: frozenset[str] = frozenset(a.path for a in posts if a.kind == "notice")
        self.valid_article_urls: frozenset[str] = frozenset(
            a.path for a in posts if a.kind in ("article", "notice")
        )
        self.seed_article: Article = self._by_path[seed.SEED_PATH]

        # A republished copy with a one-line addition, listed only in the sitemap: a crawler
        # should see it as a near-duplicate of the original, not as a new article.
        # Taken from the middle of the archive so the feed (newest posts) stays as it was.
        original = next(a for a in posts[len(posts) // 2 :] if a.kind == "article" and a.post_id is not None)
        copy = replace(
            original,
            post_id=max(i for i in used_ids if i is not None) + 1,
            slug=f"{original.slug}-republished",
            paragraphs=(*original.paragraphs, "This report was republished with minor edits."),
            published=original.published + timedelta(hours=1),
            modified=original.published + timedelta(hours=1),
        )
        self._by_path[copy.path] = copy
        self._near_copies = [copy]
        self.near_copies: dict[str, str] = {copy.path: original.path}

    def _index(self) -> None:
        """Category, tag and month listings (newest first), dead links included where linked."""
        listed = sorted(self.articles + self._dead, key=lambda a: a.published, reverse=True)
        self.by_category: dict[str, list[Article]] = {slug: [] for slug in self.categories}
        self.by_tag: dict[str, list[Article]] = {}
        self.by_month: dict[tuple[int, int], list[Article]] = {}
        self.by_author: dict[str, list[Article]] = {}
        self.authors: dict[str, str] = {}
        for a in listed:
            self.by_category[a.category].append(a)
            self.by_month.setdefault(a.month, []).append(a)
            for t in a.tags:
                self.by_tag.setdefault(t, []).append(a)
            if a.kind != "dead":
                author = pages.author_slug_for(a.author)
                self.authors[author] = a.author
                self.by_author.setdefault(author, []).append(a)
        self.tags = {slug: name for slug, name in self.tags.items() if slug in self.by_tag}
        self.related_pool = pages.related_pool(self.by_category)

    # --- queries --------------------------------------------------------------------

    def article(self, path: str) -> Article | None:
        """The post served at ``path`` (query and fragment ignored), if any."""
        return self._by_path.get(urlsplit(path).path)

    def article_groups(self) -> list[frozenset[str]]:
        """Paths that hold one article each: a complete crawl stores exactly one path of every group.

        Every valid article is a group of its own, joined by its republished near-copy if it has one
        (which of the two a crawl keeps depends on which it reaches first).
        """
        copies_of: dict[str, set[str]] = {}
        for copy, original in self.near_copies.items():
            copies_of.setdefault(original, set()).add(copy)
        return [frozenset({path, *copies_of.get(path, ())}) for path in sorted(self.valid_article_urls)]

    def href(self, listing: str, article: Article) -> str:
        """The path a listing of kind ``category``/``tag``/``date`` links ``article`` with."""
        return self._hrefs.get((listing, article.path), article.path)

    def listing_paths(self) -> list[str]:
        """Every listing page of the site: categories, tags, authors, date archives, all their pages."""
        out: list[str] = []
        for base, items in self._listings():
            for page in range(1, pages.page_count(len(items), PER_PAGE) + 1):
                out.append(pages.page_path(base, page))
        return out

    def _listings(self) -> list[tuple[str, list[Article]]]:
        out = [(f"/category/{s}/", items) for s, items in self.by_category.items() if items]
        out += [(f"/tag/{s}/", items) for s, items in sorted(self.by_tag.items())]
        out += [(f"/author/{s}/", items) for s, items in sorted(self.by_author.items())]
        out += [(f"/{y:04d}/{m:02d}/", items) for (y, m), items in sorted(self.by_month.items(), reverse=True)]
        return out

    # --- rendering ------------------------------------------------------------------

    def render(self, path: str, base_url: str | None = None, layout: str = "standard") -> Response:
        """Render ``path`` (query and fragment ignored) to ``(status, headers, body)``.

        ``base_url`` prefixes every absolute link (canonical, og, feed, sitemap); it
        defaults to the live site's address.  ``layout`` is ``standard`` or ``redesign``.
        """
        if layout not in LAYOUTS:
            raise ValueError(f"unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}")
        # No cache: a page renders in about a tenth of a millisecond.
        return self._render(urlsplit(path).path or "/", (base_url or DEFAULT_BASE_URL).rstrip("/"), layout)

    def _render(self, path: str, base: str, layout: str) -> Response:
        html_type = "text/html; charset=UTF-8"
        if path in self.redirects:
            return 301, {"Location": base + self.redirects[path], "Content-Type": html_type}, b""
        article = self._by_path.get(path)
        if article is not None:
            body = pages.article_page(self, article, base, layout)
            if article.kind == "truncated":
                body = pages.truncate(body)
            # The post's modification time, as WordPress sends it (conditional requests compare it).
            modified = format_datetime(article.modified.astimezone(UTC), usegmt=True)
            return 200, {"Content-Type": html_type, "Last-Modified": modified}, body.encode("utf-8")
        if path == "/":
            return 200, {"Content-Type": html_type}, pages.home_page(self, base).encode("utf-8")
        if path in ("/feed/", "/feed"):
            feed = pages.rss_feed(self, base, self._served()[:FEED_ITEMS])
            return 200, {"Content-Type": "application/rss+xml; charset=UTF-8"}, feed.encode("utf-8")
        if path == "/sitemap.xml":
            xml = pages.sitemap(self, base, self._served())
            return 200, {"Content-Type": "application/xml; charset=UTF-8"}, xml.encode("utf-8")
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain; charset=UTF-8"}, pages.robots(base).encode("utf-8")
        listing = self._listing(path)
        if listing is not None:
            heading, base_path, items, page, kind = listing
            html = pages.listing_page(self, base, heading, base_path, items, page, kind)
            if html is not None:
                return 200, {"Content-Type": html_type}, html.encode("utf-8")
        return 404, {"Content-Type": html_type}, pages.not_found_page(self, base).encode("utf-8")

    def _served(self) -> list[Article]:
        """Posts that answer 200, newest first (feed and sitemap entries)."""
        return sorted(self.articles + self._near_copies, key=lambda a: a.published, reverse=True)

    def _listing(self, path: str) -> tuple[str, str, list[Article], int, str] | None:
        """(heading, first-page path, items, page number, listing kind) for a listing path."""
        m = _LISTING.match(path)
        if m:
            slug, page = m["slug"], int(m["page"] or 1)
            if m["kind"] == "category" and self.by_category.get(slug):
                return self.categories[slug], f"/category/{slug}/", self.by_category[slug], page, "category"
            if m["kind"] == "tag" and slug in self.by_tag:
                return self.tags[slug], f"/tag/{slug}/", self.by_tag[slug], page, "tag"
            if m["kind"] == "author" and slug in self.by_author:
                return self.authors[slug], f"/author/{slug}/", self.by_author[slug], page, "author"
            return None
        m = _ARCHIVE.match(path)
        if m:
            key = (int(m["year"]), int(m["month"]))
            if key in self.by_month:
                heading = f"{corpus.MONTHS[key[1] - 1]} {key[0]}"
                return heading, f"/{key[0]:04d}/{key[1]:02d}/", self.by_month[key], int(m["page"] or 1), "date"
        return None

