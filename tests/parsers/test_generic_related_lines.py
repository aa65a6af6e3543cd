"""Related-content lead-ins and box labels in the crawler's other languages leave the body; prose stays.

Pattern: "Lesen Sie auch: ...", "Mehr zum Thema", "À lire aussi", "Notas relacionadas", "Czytaj też"
are the label lines of link boxes (the links are pruned, the label stayed).
"""

from __future__ import annotations

import pytest

from crawler.parsers.body_lines import filter_lines

LABELS = [
    "Lesen Sie auch die folgenden Beiträge:",
    "Mehr zum Thema",
    "Das könnte Sie auch interessieren:",
    "Weitere Informationen:",
    "Über den Autor",
    "À lire aussi",
    "Notas relacionadas",
    "Te puede interesar:",
    "Leia também",
    "Czytaj też:",
]
KEPT = [
    "Lesen Sie auch das Kleingedruckte, rät die Verbraucherzentrale. Denn dort stehen die Kosten.",
    "Weitere Informationen liefert der Bericht erst im Frühjahr, sagte die Ministerin am Dienstag.",
    "Notas de prensa",
]


@pytest.mark.parametrize("line", LABELS)
def test_related_label_line_dropped(line: str) -> None:
    assert filter_lines([("p", "A paragraph of the article."), ("p", line), ("p", "More text.")], None) == [
        ("p", "A paragraph of the article."), ("p", "More text.")]


@pytest.mark.parametrize("line", KEPT)
def test_prose_opening_like_a_label_kept(line: str) -> None:
    assert ("p", line) in filter_lines([("p", "A paragraph."), ("p", line), ("p", "More text.")], None)
