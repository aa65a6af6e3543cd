"""Pure navigation helpers shared by the spiders and the discovery commands.

Functions of bytes and URLs only (no Scrapy, no network, no clock): feed entries
(:mod:`crawler.discovery.feeds`), sitemap entries and robots.txt ``Sitemap:`` lines
(:mod:`crawler.discovery.sitemaps`).
"""
