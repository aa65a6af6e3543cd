"""Language of a page that does not declare it: its script, then its commonest function words.

Small and deterministic (no model): the script settles Arabic, Persian, Hebrew, Greek, Korean,
Japanese and Chinese; Latin and Cyrillic text is scored on the share of its words that are
each language's most frequent function words.  ``None`` when the text is too short or no
language stands out, since a wrong language would mislead the date parser.
"""

from __future__ import annotations

import re
from collections import Counter

MIN_WORDS = 20
"""Fewer words than this say too little to name a language."""
MIN_SHARE = 0.08
"""The winning language's function words must be at least this share of the words ..."""
MIN_LEAD = 1.5
"""... and this many times the runner-up's."""

_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    code: frozenset(words.split())
    for code, words in {
        "en": "the and of to in is that for it with was on as are be by this have from or at not which but",
        "de": "der die und den das ist nicht von mit sich des auf für dem ein eine im zu auch als wird bei sie",
        "fr": "le la les et des est une pour dans que qui pas du au sur par avec il ce sont aux ou plus",
        "es": "el la los las y que del en un una por con para es se al lo como más pero sus su fue",
        "it": "il di che la è per una sono gli della con del non le si nel alla anche dei questo",
        "pt": "o os de que não uma para com do da em no na por mais as dos das ao se foi",
        "nl": "de het een en van is dat op niet zijn voor met ook die aan te er maar om",
        "sv": "och att det som en på är av för med till den inte har de ett om var",
        "pl": "i w nie na się z do to że jest jak o po co ale od za przez dla",
        "tr": "ve bir bu da de için ile çok olan gibi daha ne ama olarak",
        "ru": "и в не на что с по как это из он к но от за для же то все так",
        "uk": "і в не на що з та як це до від за для але його є про",
        "id": "yang dan di ini itu dengan untuk dari dalam tidak akan pada juga ke",
    }.items()
}
_WORD = re.compile(r"[^\W\d_]+")
_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
)
_PERSIAN_LETTERS = re.compile(r"[پچژگ]")
SCRIPT_SHARE = 0.3
"""A script covering this share of the letters names the language."""


def detect_language(text: str | None) -> str | None:
    """ISO 639-1 code of ``text``'s language, or ``None`` when unsure."""
    if not text:
        return None
    sample = text[:20_000]
    letters = sum(1 for ch in sample if ch.isalpha())
    if not letters:
        return None
    for code, pattern in _SCRIPTS:
        if len(pattern.findall(sample)) >= SCRIPT_SHARE * letters:
            if code == "ar" and len(_PERSIAN_LETTERS.findall(sample)) > 0.01 * letters:
                return "fa"
            return code
    words = [w.casefold() for w in _WORD.findall(sample)]
    if len(words) < MIN_WORDS:
        return None
    counts = Counter(words)
    scores = sorted(
        ((sum(counts[w] for w in vocab) / len(words), code) for code, vocab in _FUNCTION_WORDS.items()),
        reverse=True,
    )
    (best, code), (second, _) = scores[0], scores[1]
    if best >= MIN_SHARE and best >= MIN_LEAD * second:
        return code
    return None
