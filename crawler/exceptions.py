"""Exceptions shared by the item pipelines and the run recorder (a module both import, so neither imports the other)."""

from __future__ import annotations

from scrapy.exceptions import DropItem


class DuplicateItem(DropItem):
    """An article already seen in this run or already stored under another URL."""

    def __init__(self, message: str) -> None:
        super().__init__(message, log_level="DEBUG")
