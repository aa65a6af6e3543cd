"""NearDuplicateIndex: MinHash LSH candidates confirmed by exact shingle Jaccard."""

from __future__ import annotations

import pytest

from crawler.dedupe import NearDuplicateIndex, jaccard, shingles
from crawler.replica import ReplicaSite


def test_shingles_and_jaccard() -> None:
    assert shingles("One two three four five six") == {"one two three four five", "two three four five six"}
    assert shingles("Short text") == {"short text"}
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)


def test_threshold_must_be_a_share() -> None:
    with pytest.raises(ValueError, match="must be in"):
        NearDuplicateIndex(threshold=1.5)


def test_no_false_positive_across_the_replica_and_a_light_edit_is_found() -> None:
    site = ReplicaSite(articles=520)
    index = NearDuplicateIndex(threshold=0.9)
    bodies = {a.path: "\n\n".join(a.paragraphs) for a in site.articles if a.paragraphs}
    for path, body in bodies.items():
        assert index.find(path, body) is None, f"{path} flagged as a near-duplicate"
        index.add(path, body)
    path, body = next(iter(bodies.items()))
    edited = body.replace(" the ", " a ", 1) + " This report was updated."
    match = index.find("/republished.html", edited)
    assert match is not None and match.url == path and 0.9 <= match.similarity < 1.0
    assert index.find(path, edited) is None  # the same URL is an update, not a duplicate


def test_every_lightly_edited_copy_is_found() -> None:
    site = ReplicaSite(articles=520)
    index = NearDuplicateIndex(threshold=0.9)
    bodies = {a.path: "\n\n".join(a.paragraphs) for a in site.articles if len(a.paragraphs) >= 4}
    for path, body in bodies.items():
        index.add(path, body)
    missed = []
    for path, body in list(bodies.items())[:100]:
        edited = body + " This report was republished with minor edits."
        match = index.find(f"{path}?copy", edited)
        if match is None or match.url != path:
            missed.append(path)
    assert missed == []


def test_an_updated_body_replaces_the_indexed_one() -> None:
    index = NearDuplicateIndex(threshold=0.9)
    old = " ".join(f"Old sentence {i} about the front line near Saraqib this week." for i in range(20))
    new = " ".join(f"New sentence {i} on talks between Ankara and Moscow over Idleb." for i in range(20))
    index.add("/a.html", old)
    index.add("/a.html", new)
    assert len(index) == 1
    assert index.find("/copy.html", old) is None
    match = index.find("/copy.html", new + " Republished.")
    assert match is not None and match.url == "/a.html"
