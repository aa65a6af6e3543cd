"""The replica's post record and what page rendering reads from a site.

Below both the model (which builds posts) and the page renderers (which draw them), so
neither imports the other's module back: ``model`` uses ``pages``; ``pages`` uses only this.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Article:
    """One post of the replica.

    ``kind`` is ``article`` (a normal page; a republished near-copy is one too, see
    ``ReplicaSite.near_copies``), ``notice`` (a short unattributed site notice),
    ``no_body`` (title only, empty content), ``truncated`` (served cut off before the body)
    or ``dead`` (linked from listings, answers 404).
    """

    post_id: int | None
    category: str
    slug: str
    title: str
    lede: str
    source: str | None
    paragraphs: tuple[str, ...]
    tags: tuple[str, ...]
    author: str
    published: datetime
    modified: datetime
    image: str | None
    kind: str = "article"
    disclaimer: bool = False

    @property
    def path(self) -> str:
        """``/{category}/{id}/{slug}.html``, or ``/{category}/{slug}.html`` for pre-id posts."""
        if self.post_id is None:
            return f"/{self.category}/{self.slug}.html"
        return f"/{self.category}/{self.post_id}/{self.slug}.html"

    @property
    def month(self) -> tuple[int, int]:
        """(year, month) of the date archive holding this post."""
        return self.published.year, self.published.month


class SiteContent(Protocol):
    """What the page renderers read from a site (``crawler.replica.model.ReplicaSite`` is one)."""

    articles: list[Article]
    categories: dict[str, str]
    tags: dict[str, str]
    by_category: dict[str, list[Article]]
    by_month: dict[tuple[int, int], list[Article]]
    related_pool: dict[str, tuple[list[Article], list[float]]]
    """Per category: live posts newest first and their bisection keys (``pages.related_pool`` builds it)."""

    def href(self, listing: str, article: Article) -> str:
        """The article's URL as a listing links to it."""
        ...
