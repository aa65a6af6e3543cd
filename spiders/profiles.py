"""One spider per site profile, named after its key: ``scrapy crawl levantpost``.

Scrapy's spider loader finds spider classes in the modules of ``SPIDER_MODULES``; the classes
here are made from the loaded profiles (``crawler/profiles/*.toml`` and the user's directory).
A site with its own spider module (``spiders/<key>.py``) keeps it; a profile with automatic
discovery gets no class here (crawl it with the ``auto`` spider).
"""

from __future__ import annotations

import importlib.util

from crawler.sites import SITES
from spiders.site import SiteSpider


def _has_own_spider(key: str) -> bool:
    try:
        return importlib.util.find_spec(f"spiders.{key}") is not None
    except (ImportError, ValueError):
        return False


def profile_spider(key: str) -> type[SiteSpider]:
    """The SiteSpider subclass crawling the profile ``key``."""
    class_name = "".join(part.capitalize() for part in key.split("_")) + "Spider"
    doc = f"Crawl {SITES[key].name} from its profile ({SITES[key].path})."
    return type(class_name, (SiteSpider,), {"name": key, "site_key": key, "__module__": __name__, "__doc__": doc})


def _build() -> dict[str, type[SiteSpider]]:
    classes: dict[str, type[SiteSpider]] = {}
    for key, site in SITES.items():
        if _has_own_spider(key) or site.profile is None or site.profile.auto:
            continue
        spider = profile_spider(key)
        classes[spider.__name__] = spider
    return classes


globals().update(_build())
