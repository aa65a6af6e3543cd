"""Related-content lead-ins, box and widget labels, credit lines in the crawler's languages leave the body.

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
    # widget and ad labels, credit and source lines
    "Gefällt mir",
    "Wird geladen …",
    "Bewerten:",
    "Anzeige - Heute mal ausgehen? Wie wäre es mit:",
    "*Werbung. Dieser Beitrag enthält Werbung für eine Marke.",
    "Quelle: Landesregierung",
    "Crédits photos : Agence X",
    # rating and share prompts, consent placeholders of embeds, bare field labels
    "War der Artikel nützlich?",
    "Was this article helpful?",
    "Möchten Sie den Artikel teilen?",
    "Externer Inhalt",
    "Kontakt:",
    "Neueste Artikel",
    # date stamps standing alone
    "segunda-feira, 22 de janeiro de 2018 às 0:13",
    "Veröffentlicht am 3. Mai 2021, 10:15 Uhr",
    "mercredi 5 juin 2019",
    "4 de mayo de 2022",
]
KEPT = [
    "Lesen Sie auch das Kleingedruckte, rät die Verbraucherzentrale. Denn dort stehen die Kosten.",
    "Weitere Informationen liefert der Bericht erst im Frühjahr, sagte die Ministerin am Dienstag.",
    "Notas de prensa",
    "Anzeigen gegen die Firma wurden schon im Mai erstattet, sagte der Sprecher der Polizei.",
    "Kontakt zur Verwaltung gibt es nur noch per E-Mail, teilte die Stadt mit.",
    "Am 3. Mai 2021 stimmte der Rat dem Plan zu, nach einer langen Debatte.",
    "Quellen zufolge soll der Vertrag noch in diesem Jahr unterschrieben werden, berichtet die Zeitung.",
]


@pytest.mark.parametrize("line", LABELS)
def test_related_label_line_dropped(line: str) -> None:
    out = filter_lines([("p", "A paragraph of the article."), ("p", line), ("p", "More text.")], None)
    assert out[0] == ("p", "A paragraph of the article.") and ("p", line) not in out


@pytest.mark.parametrize("line", KEPT)
def test_prose_opening_like_a_label_kept(line: str) -> None:
    assert ("p", line) in filter_lines([("p", "A paragraph."), ("p", line), ("p", "More text.")], None)


def test_teasers_after_a_closing_you_may_also_like_label_leave_the_body() -> None:
    """Pattern: the article, then a label ("Você pode gostar...", "You may also like") and other stories' leads."""
    article = [("p", f"Article paragraph {n}, with enough words to read as the text itself.") for n in range(4)]
    teasers = [("p", f"Teaser {n}: the opening lines of another story on the same site.") for n in range(6)]
    for label in ("Você pode gostar...", "You may also like", "Das könnte Sie auch interessieren:"):
        out = filter_lines([*article, ("h", label), *teasers], None)
        assert out == article, label


def test_a_related_label_at_the_very_top_does_not_cut_the_article() -> None:
    lines = [("h", "Related articles"), *[("p", f"Article paragraph {n}, a full sentence of text.") for n in range(5)]]
    assert filter_lines(lines, None) == lines[1:]
