"""Line-level filters of an extracted body: boilerplate, stamps, calls to action, credits, headline repeats.

The container chosen by :mod:`crawler.parsers.body` is serialized to ``(kind, text)``
paragraphs; these rules drop the lines that are page furniture in any article ("Advertisement",
"Read more: ...", date stamps, bare bylines, share calls, photo credits, trailing labels).
"""

from __future__ import annotations

import re

from crawler.parsers.arabic import is_furniture as is_arabic_furniture
from crawler.parsers.arabic import source_line

STUB_WORDS = 3
"""Trailing lines this short and unpunctuated are labels of removed boxes."""
STUB_CHARS = 40
"""... and at most this long."""
HEADER_LINE_CHARS = 60
"""Lines above a repeated headline shorter than this are header furniture (kicker, section label)."""
# Lines that are page furniture in any article ("Advertisement", "Read more: ...").
_BOILERPLATE_LINE = re.compile(
    r"^(?:advertisement|advertisements|advert|sponsored|ad|story continues below|continue reading(?: below)?|"
    r"(?:read|see) (?:more|also)\b.*|related(?: articles?| stories| coverage| content)?\b:?.*|"
    r"more (?:on|from) (?:this|the)\b.*|sign up\b.*|subscribe\b.*|follow us\b.*|share (?:this|on)\b.*|"
    r"click here\b.*|image:? .*|photo:? .*|getty images|\(?(?:photo|image|picture)s? (?:by|credit)\b.*|"
    r"copyright\b.*|©.*|all rights reserved\.?|"
    r"recommended|trending|most (?:read|popular|viewed)|you may also like\b.*|"
    r"we use cookies\b.*|this (?:site|website) uses cookies\b.*|"
    # Wire-service credit lines are not article text ("(Reporting by ...; Editing by ...)").
    r"\(?(?:additional )?(?:reporting|editing|writing|compiled|research) by\b.*|"
    r".{0,200}\b(?:contributed (?:to )?(?:this|reporting)|contributed to this (?:report|story|article))\b.*"
    r")$",
    re.IGNORECASE,
)
# The same lead-ins and labels in the other languages the crawler meets most (German, French,
# Spanish, Italian, Portuguese, Polish): "Lesen Sie auch: ...", "À lire aussi", "Notas relacionadas".
_RELATED_LINE = re.compile(
    r"^(?:lesen sie (?:auch|mehr|weiter)|(?:mehr|weiteres) zum thema|das (?:könnte|dürfte) (?:sie|dich) "
    r"(?:auch )?interessieren|das thema könnte (?:sie|dich) auch interessieren|auch interessant|"
    r"weitere (?:artikel|beiträge|themen|nachrichten|meldungen|informationen)|mehr themen|zum weiterlesen|"
    r"lust auf mehr|über (?:den|die) autor(?:in)?|keine kommentare|about the author|"
    r"(?:à )?lire aussi|voir aussi|sur le même sujet|"
    r"(?:lee|lea) también|(?:te|le) puede interesar|(?:notas|noticias|artículos) relacionad[oa]s|"
    r"leggi anche|leia (?:também|mais)|veja também|czytaj (?:też|także|również)|zobacz (?:też|także|również)"
    r")\b[^.!?]{0,80}[:?!]?$"
    # Widget labels, ad labels and credit or source lines: "Gefällt mir", "Anzeige - ...", "Quelle: dpa".
    r"|^(?:gefällt mir|wird geladen|bewerten|teilen(?: mit)?|drucken|rezept drucken|externer inhalt|kontakt|von|"
    r"neueste (?:artikel|beiträge|nachrichten)|"
    r"(?:war|ist) (?:der|dieser) (?:artikel|beitrag) (?:hilfreich|nützlich)|"
    r"möchten sie (?:den|diesen) (?:artikel|beitrag) teilen|was this (?:article|post|page) (?:helpful|useful))"
    r"\s*[:.…?!]*$"
    r"|^(?:anzeige|\*?werbung)(?:\s*[-–:|.].{0,150})?$"
    r"|^(?:quelle|quellen|foto|fotos|bild|bilder|crédits? photos?|credits?|source)\s*:.{0,120}$",
    re.IGNORECASE,
)
# A line that is only a date/time stamp, a byline or a reading time (page furniture).
_MONTHS = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
)
_STAMP_LINE = re.compile(
    r"^(?:(?:updated|published|posted|last updated|first published|modified)(?: on| at)?:?\s*)?"
    r"(?:[a-z]+day,?\s*)?(?:" + _MONTHS + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s*\d{0,4}|\d{1,2}\s+" + _MONTHS
    + r"\s*\d{0,4}|\d{1,4}[./-]\d{1,2}[./-]\d{1,4})"
    r"(?:,?\s*(?:at\s*)?\d{1,2}[:.h]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[a-z]{2,4})?)?\s*$"
    r"|^(?:updated|published|posted)(?: on| at)?:?\s*\d{1,2}[:.]\d{2}\s*[ap]?\.?m?\.?.*$"
    r"|^by\s+[\w.'’\- ]{2,60}$"
    r"|^\d+\s*(?:min|mins|minutes?)\s*(?:read|de leitura)$|^(?:reading time|tempo de leitura)\b.{0,20}$",
    re.IGNORECASE,
)
# The same stamps in German, French, Spanish, Portuguese, Italian ("segunda-feira, 22 de janeiro de
# 2018 às 0:13", "Veröffentlicht am 3. Mai 2021, 10:15 Uhr", "mercredi 5 juin 2019").
_MONTHS_INTL = (
    r"(?:januar|jänner|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember|"
    r"janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|"
    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|"
    r"janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro|"
    r"gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre)"
)
_WEEKDAYS_INTL = (
    r"(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|"
    r"samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo|segunda-feira|terça-feira|"
    r"quarta-feira|quinta-feira|sexta-feira|lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica)"
)
_STAMP_LINE_INTL = re.compile(
    r"^(?:(?:veröffentlicht|aktualisiert|publié|mis à jour|publicado|actualizado|atualizado|pubblicato|"
    r"aggiornato)(?: (?:am|le|el|em|il|on))?:?\s*)?(?:" + _WEEKDAYS_INTL + r",?\s*)?"
    r"\d{1,2}\.?\s*(?:de\s+)?" + _MONTHS_INTL + r"\.?\s*(?:de\s+)?\d{4}"
    r"(?:,?\s*(?:às|a las|à|um|alle|at|-)?\s*\d{1,2}[:.h]\d{2}(?:\s*(?:uhr|h|hs))?)?\s*$",
    re.IGNORECASE,
)
FURNITURE_LINE_CHARS = 160
"""Only lines up to this long are tested as share/follow calls, teaser labels or photo credits."""
# Calls to share, follow or subscribe, one sentence each ("Like this story? Share it with a friend!").
_CALL_TO_ACTION = re.compile(
    r"^(?:(?:did you )?(?:like|liked|enjoy|enjoyed|love|loved) (?:this|the|our) "
    r"(?:story|article|post|piece|read|video|content)\s*\?"
    r"|(?:please |don'?t forget to |be sure to |and )?(?:share|follow|subscribe|sign up|join|like|e-?mail|"
    r"contact|tweet|find|connect with|download|get)\b"
    r"(?=.*(?:\b(?:us|friends?|twitter|facebook|instagram|linkedin|youtube|tiktok|telegram|whatsapp|"
    r"newsletters?|inbox|podcasts?|app|social media|rss)\b|@\w)).*)$",
    re.IGNORECASE,
)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?؟])\s+")
# A standing editorial note closing the body (translation, verification, views disclaimers): the
# record's ``disclaimer``, not article text. Only looked for in the last two paragraphs.
_EDITORIAL_NOTE = re.compile(
    r"^(?:editor'?s note|disclaimer)\s*:"
    r"|^this (?:article|story|report|piece|text) (?:was|has been) (?:translated|edited|republished|adapted)\b"
    r"|\bha(?:s|ve) not (?:independently )?verified the (?:content|information|claims)\b"
    r"|\bviews (?:expressed|set out) (?:in|herein)\b.{0,80}\b(?:author|writer)s?\b"
    r"|\bdo(?:es)? not necessarily reflect\b",
    re.IGNORECASE,
)
EDITORIAL_NOTE_CHARS = 600
# Teaser labels between paragraphs ("DON'T MISS", "Must read:", "VIDEO 3:45").
_TEASER_LABEL = re.compile(
    r"^(?:(?:don'?t|do not) miss(?: this| out)?|must[- ](?:read|see|watch)|watch(?: now| live| more| this)?|"
    r"listen(?: now| to this(?: article| story)?)?|read (?:this|next|now)|editor'?s'? picks?|top stories|"
    r"latest (?:news|stories|videos?)|popular (?:now|stories)|more (?:stories|videos|news)|"
    r"in case you missed it|icymi)\s*[:!.]?$"
    r"|^(?:video|audio|watch|listen)\s*:?\s*(?:\d{1,2}:\d{2}(?::\d{2})?\s*)+$",
    re.IGNORECASE,
)
# Photo agencies and libraries named in credit lines ("Natalie Naccache | Bloomberg | Getty Images").
_PHOTO_AGENCY = re.compile(
    r"\b(?:getty\s*images|afp|reuters|ap\s*photos?|ap\s*images|epa(?:-efe)?|efe|shutterstock|istock(?:photo)?|"
    r"alamy|xinhua|anadolu|nurphoto|sopa\s+images|lightrocket|zuma(?:\s*(?:press|wire))?|sipa(?:\s*usa)?|"
    r"pa\s*(?:images|wire|media)|dpa|corbis|imagn|bloomberg|associated\s+press|afp/getty)\b",
    re.IGNORECASE,
)
# A credit is names joined by separators ("X/AFP via Getty Images", "(AP Photo/Evan Vucci)", "Photo: EPA").
_CREDIT_SEPARATOR = re.compile(r"[|/:]|\bvia\b|^\(.*\)$", re.IGNORECASE)
_CREDIT_LOWER_WORDS = frozenset(
    "via for and of de da del la le van von the by on in photo photos photograph file credit credits handout "
    "image images pool courtesy staff".split()
)
_LETTER_WORD = re.compile(r"[^\W\d_][\w'’.\-]*")
_SENTENCE_END = ("." , "!", "?", "\"", "”", "’", ":", ")", "…", "»", "。", "؟")
_WORD = re.compile(r"\w+")


def is_editorial_note(text: str) -> bool:
    """A standing editorial note (translation, verification or views disclaimer), not article text."""
    return len(text) <= EDITORIAL_NOTE_CHARS and bool(_EDITORIAL_NOTE.search(text))


def filter_lines(paragraphs: list[tuple[str, str]], title: str | None) -> list[tuple[str, str]]:
    """Drop the repeated title and boilerplate lines; keep everything else in order."""
    title_key = _key(title) if title else None
    out: list[tuple[str, str]] = []
    tail_cut: int | None = None
    for kind, text in paragraphs:
        key = _key(text)
        if not key:
            continue
        if tail_cut is None and len(text) <= TAIL_LABEL_CHARS and _TAIL_LABEL.match(text):
            tail_cut = len(out)
        if kind == "h1" and out and key != title_key and any(k != "h" for k, _ in out):
            kind = "h"  # an <h1> after the text has begun is a section heading, not the headline
        if kind == "h1" or (title_key and key == title_key and not out):
            continue  # the headline is a field of its own, never a body paragraph
        if len(text) < 200 and (_BOILERPLATE_LINE.match(text) or _STAMP_LINE.match(text) or _RELATED_LINE.match(text)
                                or _STAMP_LINE_INTL.match(text)):
            continue
        if kind != "h" and is_furniture(text):
            continue
        if is_arabic_furniture(text):  # Arabic labels and calls, headings included ("مقالات ذات صلة")
            continue
        out.append((kind, text))
    out = _after_headline(out, title_key) if tail_cut is None else _cut_tail(out, tail_cut, title_key)
    # Trailing headings and stubs ("Comments", "Like this", "Tags") label removed boxes.
    # A closing source line ("المصدر: عنب بلدي") is short too, but it is a field: the caller takes it.
    while out and (out[-1][0] == "h" or _is_stub(out[-1][1])) and not source_line(out[-1][1]):
        out.pop()
    return out


TAIL_LABEL_CHARS = 60
TAIL_SHARE = 0.15
"""A "you may also like" label after this share of the body's text ends the article: the rest are teasers."""
# Labels of the teaser box closing an article, in the crawler's languages.
_TAIL_LABEL = re.compile(
    r"^(?:you (?:may|might) also (?:like|enjoy)|related (?:articles|stories|posts|content|reading)|"
    r"more (?:stories|articles) (?:from|on|like this)|recommended (?:for you|stories|articles|reading)|read next|"
    r"você (?:também )?pode (?:gostar|se interessar)|veja também|leia também|"
    r"das (?:könnte|dürfte) (?:sie|dich) (?:auch )?interessieren|mehr zum thema|weitere artikel|"
    r"(?:te|le) puede interesar|(?:notas|noticias|artículos) relacionad[oa]s|(?:à )?lire aussi|"
    r"sur le même sujet|potrebbe interessarti|czytaj (?:też|także|również))\b[\s.:!…]*$",
    re.IGNORECASE,
)


def _cut_tail(out: list[tuple[str, str]], cut: int, title_key: str | None) -> list[tuple[str, str]]:
    """Drop the teasers after a closing "you may also like" label, when the label comes late in the body."""
    before = sum(len(t) for _, t in out[:cut])
    if before >= TAIL_SHARE * sum(len(t) for _, t in out):
        out = out[:cut]
    return _after_headline(out, title_key)


HEADLINE_WITHIN = 3
"""The repeated headline is looked for among this many first paragraphs."""


def _after_headline(paragraphs: list[tuple[str, str]], title_key: str | None) -> list[tuple[str, str]]:
    """Drop a headline repeated near the top with the short header lines above it (kicker, section label).

    Pages without an ``<h1>`` (old table layouts) put section, headline and stamps in the container.
    """
    if not title_key:
        return paragraphs
    for i, (_, text) in enumerate(paragraphs[:HEADLINE_WITHIN]):
        if _key(text) == title_key:
            if all(len(t) < HEADER_LINE_CHARS for _, t in paragraphs[:i]):
                return paragraphs[i + 1 :]
            break
    return paragraphs


def is_furniture(text: str) -> bool:
    """A short standalone line that is a share/follow call, a teaser label or a photo credit."""
    if len(text) > FURNITURE_LINE_CHARS:
        return False
    if _TEASER_LABEL.match(text) or _is_photo_credit(text):
        return True
    sentences = [s for s in _SENTENCE_SPLIT.split(text) if s.strip()]
    return bool(sentences) and all(_CALL_TO_ACTION.match(s) for s in sentences)


def _is_photo_credit(text: str) -> bool:
    """Names of people and agencies joined by separators, with no sentence in them."""
    text = text.strip()
    if text.endswith((".", "!", "?")) and not text.endswith(").") or not _PHOTO_AGENCY.search(text):
        return False
    if not _CREDIT_SEPARATOR.search(text):
        return False
    # Prose has lower-case words; a credit is proper names plus a few linking words.
    return all(w[:1].upper() == w[:1] or w.casefold() in _CREDIT_LOWER_WORDS for w in _LETTER_WORD.findall(text))


def _is_stub(text: str) -> bool:
    """A few words without sentence punctuation: a label or button text, not prose."""
    # A long run without spaces is a paragraph of Chinese or Japanese, not a label.
    return len(text.split()) <= STUB_WORDS and len(text) <= STUB_CHARS and not text.rstrip().endswith(_SENTENCE_END)


def _key(text: str | None) -> str:
    return " ".join(_WORD.findall((text or "").casefold()))
