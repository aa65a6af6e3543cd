"""News monitoring crawler: spiders -> parsers -> pipelines -> storage."""

__version__ = "0.1.0"
