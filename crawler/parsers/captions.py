"""The lead image's caption and credit on a generic page: JSON-LD ``ImageObject``, then ``<figure>`` markup.

The record has one field for both (``image_caption``): the caption, then the credit in
parentheses when the page gives one apart ("Rescuers search the rubble. (Photo: Jane Doe/AFP)").
A credit already written inside the caption text is left where it is.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from crawler.parsers.metadata import clean_text, jsonld_str

# Class/itemprop words of the credit part of a caption.
_CREDIT_CLASS = re.compile(r"credit|copyright|photographer|byline|source|author|attribution", re.IGNORECASE)
# A credit line opened by its label ("Photo: X", "Foto: X", "Image credit: X", "© X").
_CREDIT_LABEL = re.compile(
    r"^(?:(?:photo|image|picture|foto|bild|credit|crédit|photograph|quelle|source|fuente)s?"
    r"(?:\s+credit)?\s*[:©]\s*|©\s*|\(c\)\s*)",
    re.IGNORECASE,
)
# A credit trailing the caption text it is glued to ("... the rubble. Photo: Jane Doe/AFP").
_TRAILING_CREDIT = re.compile(
    r"\s*[|(]?\s*(?:(?:photo|image|foto|bild|credit|crédit)s?(?:\s+credit)?\s*:|©)\s*([^()|]{2,80})\)?\s*$",
    re.IGNORECASE,
)
MAX_CAPTION_CHARS = 600
_SPACES = re.compile(r"\s+")


def _text(el: etree._Element) -> str:
    return _SPACES.sub(" ", "".join(el.itertext())).strip()


def compose(caption: str | None, credit: str | None) -> str | None:
    """The ``image_caption`` value: caption, then ``(credit)`` unless the caption already holds it."""
    caption = clean_text(caption)
    printed_credit = clean_text(credit)
    if caption and len(caption) > MAX_CAPTION_CHARS:
        return None  # a text box, not a caption
    if not caption:
        return printed_credit  # a figure credited but not captioned: its credit line as printed
    credit = _CREDIT_LABEL.sub("", printed_credit).strip(" ()") if printed_credit else None
    if credit and credit.casefold() not in caption.casefold():
        return f"{caption} ({credit})"
    return caption


def from_jsonld(image: Any) -> str | None:
    """Caption and credit of a JSON-LD ``image`` value (an ``ImageObject`` or a list of them)."""
    items = image if isinstance(image, list) else [image]
    for item in items:
        if not isinstance(item, dict):
            continue
        caption = jsonld_str(item.get("caption")) or jsonld_str(item.get("description"))
        credit = (jsonld_str(item.get("creditText")) or jsonld_str(item.get("copyrightHolder"))
                  or jsonld_str(item.get("author")) or jsonld_str(item.get("creator")))
        value = compose(caption, credit) if caption else None
        if value:
            return value
    return None


def _split_credit(figcaption: etree._Element) -> tuple[str, str | None]:
    """``(caption, credit)`` of a ``<figcaption>``: a credit-classed child, else a labelled tail."""
    credit: str | None = None
    caption_parts: list[str] = []
    if figcaption.text:
        caption_parts.append(figcaption.text)
    for child in figcaption:
        if not isinstance(child.tag, str):
            continue
        marks = f"{child.get('class') or ''} {child.get('itemprop') or ''}"
        if credit is None and _CREDIT_CLASS.search(marks):
            credit = _text(child)
        else:
            caption_parts.append("".join(child.itertext()))
        if child.tail:
            caption_parts.append(child.tail)
    caption = _SPACES.sub(" ", "".join(caption_parts)).strip()
    if credit is None:
        found = _TRAILING_CREDIT.search(caption)
        if found and found.start() > 0:
            credit, caption = found.group(1).strip(), caption[: found.start()].strip()
    return caption, credit


def _image_keys(url: str | None) -> set[str]:
    """The file name of an image URL, to match a ``<figure>``'s ``<img>`` with the page's lead image."""
    if not url:
        return set()
    name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return {name.casefold()} if name else set()


def from_figures(root: etree._Element, lead_image: str | None = None) -> str | None:
    """Caption (and credit) of the figure showing the lead image, else of the first captioned figure."""
    body = root.find("body")
    if body is None:
        return None
    lead = _image_keys(lead_image)
    first: str | None = None
    for figure in body.iter("figure"):
        # Figures in navigation, asides and footers illustrate other pages.
        if any(a.tag in ("nav", "aside", "footer") for a in figure.iterancestors()):
            continue
        figcaption = next(figure.iter("figcaption"), None)
        if figcaption is None:
            continue
        value = compose(*_split_credit(figcaption))
        if not value:
            continue
        if lead:
            sources = {k for img in figure.iter("img") for k in _image_keys(img.get("src") or img.get("data-src"))}
            if sources & lead:
                return value
        if first is None:
            first = value
    return first
