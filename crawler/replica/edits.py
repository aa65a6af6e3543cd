"""Changing a built replica between crawls: edits, removals and a moved timeline (incremental re-crawls).

A monitoring crawler sees the same site again and again; these functions make the replica
change the way a live site does, deterministically:

- :func:`edit_articles`: correct a headline (``title``), add a tag (``tag``) or add an
  update paragraph (``body``); each edit also moves ``dateModified`` (so the page's
  ``Last-Modified`` and ``ETag`` change with it, as on a WordPress site).
- :func:`remove_articles`: delete posts: they answer 404 and leave every listing, the feed and the sitemap.
- :func:`shift_timeline`: move every date so the newest post is at a given time (e.g. an
  hour ago): a crawler's "articles younger than N days" window then covers the newest posts.

Listings, feed and sitemap follow at once (the site renders from its articles; no cache).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from crawler.replica.model import ReplicaSite
from crawler.replica.posts import Article

EDIT_KINDS: tuple[str, ...] = ("title", "tag", "body")
"""What :func:`edit_articles` can change: the headline, the tags, the body."""
EDIT_MODIFIED_STEP = timedelta(hours=1)
"""How far each edit moves the post's modification time."""
UPDATE_PARAGRAPH = "Update: this report was updated after publication with new information from local sources."
CORRECTED_SUFFIX = " (corrected)"

# The fields a crawler should see changed after each edit kind (dateModified moves with every edit;
# a headline edit also changes the image caption of a post with an image).
CHANGED_FIELDS: dict[str, frozenset[str]] = {
    "title": frozenset({"title", "modified_at"}),
    "tag": frozenset({"tags", "modified_at"}),
    "body": frozenset({"body_text", "modified_at"}),
}


def editable_paths(site: ReplicaSite) -> list[str]:
    """Paths of the ordinary articles (no notice, special case or copy), newest first: what edits may target."""
    specials = site.no_body_urls | site.truncated_urls | set(site.redirects.values()) | set(site.tracking_urls.values())
    return [a.path for a in site.articles if a.kind == "article" and a.path not in specials]


def _swap(site: ReplicaSite, old: Article, new: Article | None) -> None:
    """Put ``new`` in ``old``'s place (None: remove it) and rebuild the listings."""
    index = site.articles.index(old)
    if new is None:
        del site.articles[index]
        del site._by_path[old.path]
    else:
        site.articles[index] = new
        site._by_path[new.path] = new
    if site.seed_article is old and new is not None:
        site.seed_article = new


def _article(site: ReplicaSite, path: str) -> Article:
    article = site.article(path)
    if article is None or article not in site.articles:
        raise KeyError(f"{path!r} is not an article of the replica")
    return article


def edit_articles(site: ReplicaSite, paths: Iterable[str], kind: str) -> dict[str, frozenset[str]]:
    """Apply edit ``kind`` (see EDIT_KINDS) to each path; returns path -> the fields a crawler should see changed."""
    if kind not in EDIT_KINDS:
        raise ValueError(f"unknown edit {kind!r}; choose one of {', '.join(EDIT_KINDS)}")
    changed: dict[str, frozenset[str]] = {}
    for path in paths:
        old = _article(site, path)
        modified = max(old.modified, old.published) + EDIT_MODIFIED_STEP
        if kind == "title":
            new = replace(old, title=old.title + CORRECTED_SUFFIX, modified=modified)
        elif kind == "tag":
            extra = next(t for t in sorted(site.tags) if t not in old.tags and t != "announcements")
            new = replace(old, tags=(*old.tags, extra), modified=modified)
        else:
            new = replace(old, paragraphs=(*old.paragraphs, UPDATE_PARAGRAPH), modified=modified)
        _swap(site, old, new)
        # The lead image's caption repeats the headline on this site.
        changed[path] = CHANGED_FIELDS[kind] | ({"image_caption"} if kind == "title" and old.image else set())
    site._index()
    return changed


def remove_articles(site: ReplicaSite, paths: Iterable[str]) -> None:
    """Delete the posts: each answers 404 from now on and leaves the listings, feed and sitemap."""
    removed = set()
    for path in paths:
        _swap(site, _article(site, path), None)
        removed.add(path)
    site.valid_article_urls = frozenset(site.valid_article_urls - removed)
    site.notice_urls = frozenset(site.notice_urls - removed)
    site._index()


def shift_timeline(site: ReplicaSite, newest: datetime) -> timedelta:
    """Move every date of the site (publication and modification) so its newest post is at ``newest``; the shift."""
    if newest.tzinfo is None:
        raise ValueError("newest must be timezone-aware")
    delta = newest - max(a.published for a in site.articles)

    def moved(a: Article) -> Article:
        return replace(a, published=a.published + delta, modified=a.modified + delta)

    seed_path = site.seed_article.path
    site.articles = [moved(a) for a in site.articles]
    site._dead = [moved(a) for a in site._dead]
    site._near_copies = [moved(a) for a in site._near_copies]
    site._by_path = {a.path: a for a in (*site.articles, *site._near_copies)}
    site.seed_article = site._by_path[seed_path]
    site._index()
    return delta
