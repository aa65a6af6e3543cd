"""An article's versions as the pages show them: each version's snapshot, and the diff of any two.

A version snapshots every compared field (``storage.history.snapshot``, revision 0005); a
version stored before that kept only title, summary and body, and its other fields are
"not recorded", never shown as empty.  The body gets a word diff with long unchanged
stretches cut short; every other field is shown old → new.
"""

from __future__ import annotations

import difflib
import re
from datetime import datetime
from typing import Any

from storage.history import NOT_SNAPSHOTTED, snapshot
from storage.models import ArticleVersion

NOT_RECORDED = "not recorded"
"""How a field shows when a version (stored before revision 0005) did not keep it."""
WORD_DIFF_FIELDS = ("body_text",)
"""The fields diffed word by word (long prose); the others read better as old → new."""
KEPT_CONTEXT = 120  # characters of unchanged text kept on each side of a change in a word diff

_WORDS = re.compile(r"\s+|[^\s]+")


def version_record(version: ArticleVersion) -> dict[str, Any]:
    """One version as a plain dict: its facts and every field it snapshots (None where not recorded)."""
    fields = snapshot(version)
    return {
        "version": version.version, "captured_at": version.captured_at, "run_id": version.run_id,
        "changed_fields": version.changed_fields, "content_hash": version.content_hash,
        **{name: (None if value is NOT_SNAPSHOTTED else value) for name, value in fields.items()},
        "not_recorded": [name for name, value in fields.items() if value is NOT_SNAPSHOTTED],
    }


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """``old`` -> ``new`` as (op, text) pieces, op ``same``, ``del`` or ``ins``: a diff a person reads word by word."""
    a, b = _WORDS.findall(old or ""), _WORDS.findall(new or "")
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("ins", "".join(b[j1:j2])))
    return pieces


def shorten_unchanged(pieces: list[tuple[str, str]], keep: int = KEPT_CONTEXT) -> list[tuple[str, str]]:
    """The pieces with each long unchanged stretch cut to ``keep`` characters beside a change (op ``gap``: cut text)."""
    result: list[tuple[str, str]] = []
    last = len(pieces) - 1
    for i, (op, text) in enumerate(pieces):
        head = keep if i > 0 else 0  # text kept after the change before it
        tail = keep if i < last else 0  # text kept before the change after it
        if op != "same" or len(text) <= head + tail + keep:
            result.append((op, text))
            continue
        if head:
            result.append(("same", text[:head]))
        result.append(("gap", text[head:len(text) - tail]))
        if tail:
            result.append(("same", text[len(text) - tail:]))
    return result


def shown(value: Any) -> str:
    """A snapshot value on one line: lists joined, times in UTC ISO form, nothing as empty."""
    if value is NOT_SNAPSHOTTED:
        return NOT_RECORDED
    if value is None or value == [] or value == "":
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def versions_diff(old: ArticleVersion, new: ArticleVersion) -> list[dict[str, Any]]:
    """Per snapshotted field, from ``old`` to ``new``: changed (None when either version did not record it),
    the values as shown, and for the body the word-diff pieces."""
    before, after = snapshot(old), snapshot(new)
    result = []
    for name in before:
        a, b = before[name], after[name]
        recorded = a is not NOT_SNAPSHOTTED and b is not NOT_SNAPSHOTTED
        # NULL and empty are one absence, as when the crawl compared them (storage.repository).
        changed = (a or None) != (b or None) if recorded else None
        pieces = None
        if recorded and changed and name in WORD_DIFF_FIELDS:
            pieces = shorten_unchanged(word_diff(a or "", b or ""))
        result.append({"field": name, "changed": changed, "old": shown(a), "new": shown(b), "pieces": pieces})
    return result
