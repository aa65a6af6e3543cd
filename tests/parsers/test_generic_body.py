"""Body furniture lines: share/follow calls, teaser labels and photo credits leave the body, prose stays.

Regression: "Like this story? Share it with a friend!", "DON'T MISS", "Follow us on Twitter @Handle"
and "… | Bloomberg | Getty Images" leaked into generic bodies.
"""

from __future__ import annotations

import pytest

from crawler.parsers.body_lines import is_furniture as _is_furniture
from crawler.parsers.generic import GenericParser

URL = "https://example.com/news/2023/04/02/harbour.html"
PROSE = "The harbour authority approved the expansion on Tuesday after months of public hearings, officials said. "
FURNITURE = [
    "Like this story? Share it with a friend!",
    "DON'T MISS",
    "Must read:",
    "Follow us on Twitter @HarbourNews",
    "Email Jane Doe at jdoe@example.com or follow her @janedoe. Follow us on Twitter @ExampleNews and on Facebook.",
    "Subscribe to our newsletter for the latest updates.",
    "Natalie Naccache | Bloomberg | Getty Images",
    "Jim Watson/AFP via Getty Images",
    "(AP Photo/Evan Vucci)",
    "EPA-EFE/JUSTIN LANE",
    "Photograph: Shutterstock",
    "VIDEO 3:45",
]
KEPT = [
    "WHAT HAPPENS NEXT",  # an all-caps subheading is article text
    "Follow the money, investigators said.",
    "Reuters reported that the port would close for two days.",
    "Michael Bloomberg",
    "Share prices rose 4% in Hong Kong on the news.",
    "Getty Images and Shutterstock both cut their prices this year, the report said.",
]


@pytest.mark.parametrize("line", FURNITURE)
def test_furniture_line_recognised(line: str) -> None:
    assert _is_furniture(line)


@pytest.mark.parametrize("line", KEPT)
def test_article_line_kept(line: str) -> None:
    assert not _is_furniture(line)


def test_furniture_leaves_the_generic_body() -> None:
    """On a page, the furniture lines are dropped and every prose line and subheading kept."""
    paragraphs = [PROSE * 2, FURNITURE[0], PROSE * 3, FURNITURE[1], "WHAT HAPPENS NEXT", PROSE * 2,
                  FURNITURE[6], KEPT[2], FURNITURE[3], PROSE * 2]
    page = (
        "<html><body><article><h1>Harbour expansion approved after hearings</h1>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</article></body></html>"
    )
    body = GenericParser(page, URL).parse().body_text or ""
    for line in FURNITURE:
        assert line not in body
    assert "WHAT HAPPENS NEXT" in body and KEPT[2] in body
    assert body.count(PROSE.strip()) == 9
