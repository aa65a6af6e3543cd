"""A deterministic replica of "The Levant Post", a non-WordPress news site, for tests and demos.

Unlike the first replica (:mod:`crawler.replica`, WordPress), its articles live at
``/news/<id>-<slug>``, listings page by query string (``/news?page=2``), structured data is
on some pages only, some dates print in Beirut time without a zone, and the body holds
"Read also" and newsletter boxes.  ``python -m crawler.replica.levantpost --help`` runs it by hand.

>>> site = LevantPostSite(articles=120, seed=7)
>>> with LevantPostServer(site) as server:  # doctest: +SKIP
...     urls = site.article_urls(server.base_url)
"""

from crawler.replica.levantpost.model import SITE_KEY, SITE_TIMEZONE, Article, Comment
from crawler.replica.levantpost.server import LevantPostServer
from crawler.replica.levantpost.site import LevantPostSite

__all__ = ["SITE_KEY", "SITE_TIMEZONE", "Article", "Comment", "LevantPostServer", "LevantPostSite"]
