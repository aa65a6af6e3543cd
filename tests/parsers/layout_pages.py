"""What the hand-written layout pages share: prose paragraphs and the body the generic parser returns.

tests/parsers is on sys.path (rootdir-relative, no packages), so the layout tests import it by name.
"""

from __future__ import annotations

from crawler.parsers.generic import GenericParser

PARA = (
    "The committee met for the third time this month to weigh the proposal, and its members "
    "asked the planners for more detail on the costs, the schedule and the effect on traffic."
)
OTHER = (
    "Residents of the northern district packed the hall on Tuesday evening, many of them saying the "
    "new bus route would cut their journey to the hospital by half an hour each way."
)
PAGE_URL = "https://example.org/news/story"


def body_of(html: str) -> str:
    """The body text the generic parser extracts from ``html`` (empty when none)."""
    return GenericParser(html, PAGE_URL).parse().body_text or ""


def para(n: int, text: str = PARA) -> str:
    """A numbered paragraph of prose: ``Paragraph n.`` then ``text``."""
    return f"<p>Paragraph {n}. {text}</p>"
