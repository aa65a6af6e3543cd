"""A deterministic replica of "Al-Marsad" (المرصد), an Arabic news site, for tests and demos.

Right-to-left pages in Arabic; dates in Damascus time with the Levantine month names (آذار) on some
pages and the Egyptian ones (مارس) on others, Arabic-Indic digits (٢١) on some; bylines (بقلم ...),
source lines (المصدر: ...), and Arabic chrome: "read also" boxes, related articles, share and follow
labels, a newsletter box.  Old archive pages use a table layout and windows-1256, declared only in
``<meta charset>``.  ``python -m crawler.replica.almarsad --help`` runs it by hand.

>>> site = AlMarsadSite(articles=64, seed=11)
>>> with AlMarsadServer(site) as server:  # doctest: +SKIP
...     urls = site.article_urls(server.base_url)
"""

from crawler.replica.almarsad.model import SITE_KEY, SITE_TIMEZONE, Article
from crawler.replica.almarsad.server import AlMarsadServer
from crawler.replica.almarsad.site import AlMarsadSite

__all__ = ["SITE_KEY", "SITE_TIMEZONE", "AlMarsadServer", "AlMarsadSite", "Article"]
