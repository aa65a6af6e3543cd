"""A deterministic replica of The Syrian Observer (a WordPress news site) for tests and demos.

``ReplicaSite`` generates the site's content (the seed article of site-model.md plus
hundreds of generated posts, listings, feed, sitemap, robots.txt and special cases);
``ReplicaServer`` serves it on 127.0.0.1.  ``python -m crawler.replica --help`` runs it by hand.

>>> with ReplicaServer(ReplicaSite(articles=520)) as server:  # doctest: +SKIP
...     start = server.url("/category/news/")
"""

from crawler.replica.model import LAYOUTS, Article, ReplicaSite
from crawler.replica.server import ReplicaServer

__all__ = ["LAYOUTS", "Article", "ReplicaServer", "ReplicaSite"]
