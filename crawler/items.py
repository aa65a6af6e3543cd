"""ArticleRecord: the contract between parsers, pipelines and storage.

Defined in ``storage.records`` (below both the crawler and storage, which may not import the
crawler); every ``from crawler.items import ...`` keeps working.
"""

from __future__ import annotations

from storage.records import CONTENT_FIELDS, COVERAGE_FIELDS, ArticleRecord

__all__ = ["CONTENT_FIELDS", "COVERAGE_FIELDS", "ArticleRecord"]
