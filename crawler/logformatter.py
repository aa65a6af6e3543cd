"""Log lines for dropped items: the URL and reason, not the whole record."""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure


class CrawlLogFormatter(LogFormatter):
    """Scrapy's formatter, with a one-line message for a dropped item (its reason names the URL)."""

    def dropped(
        self, item: Any, exception: BaseException, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        return {"level": result["level"], "msg": "Dropped: %(exception)s", "args": {"exception": exception}}
