"""Every registered site has stored pages whose parse matches the expected record.

A case is ``tests/fixtures/sites/<site_key>/<case>/`` holding ``page.html`` (the stored
bytes), ``meta.json`` (``{"url": ..., "site": <site_key>}``) and ``expected.json`` (the
expected record, keys sorted, datetimes ISO 8601).  The site's own parser is run alone
(no generic fallback) and compared on expected.json's keys only: crawl facts
(``fetched_at``, ``http_status``), ``provenance``, ``content_hash`` and ``body_html`` are
left out of the stored records and tested per site where they matter.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.items import ArticleRecord
from crawler.parsers.text import decode_html
from crawler.sites import SITES, get_site

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sites"
REQUIRED_FILES = ("page.html", "meta.json", "expected.json")
RECORD_FIELDS = set(ArticleRecord(url="").to_dict())


def _cases() -> list[object]:
    params: list[object] = []
    for key in sorted(SITES):
        site_dir = FIXTURES / key
        cases = sorted(p for p in site_dir.iterdir() if p.is_dir()) if site_dir.is_dir() else []
        if not cases:
            params.append(pytest.param(key, None, id=f"{key}/MISSING"))
        params += [pytest.param(key, case, id=f"{key}/{case.name}") for case in cases]
    return params


@pytest.mark.parametrize(("key", "case"), _cases())
def test_site_fixture(key: str, case: Path | None) -> None:
    """The site parser turns the stored page into the expected record."""
    if case is None:
        pytest.fail(f"site {key!r} is in crawler.sites.SITES but has no case under tests/fixtures/sites/{key}/")
    missing = [name for name in REQUIRED_FILES if not (case / name).is_file()]
    assert not missing, f"{case} lacks {', '.join(missing)}"
    meta = json.loads((case / "meta.json").read_text(encoding="utf-8"))
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    assert meta.get("site") == key, f"{case}/meta.json names site {meta.get('site')!r}, expected {key!r}"
    assert list(expected) == sorted(expected), f"{case}/expected.json: keys must be sorted"
    unknown = set(expected) - RECORD_FIELDS
    assert not unknown, f"{case}/expected.json has keys that are not ArticleRecord fields: {sorted(unknown)}"

    html = decode_html((case / "page.html").read_bytes())
    record = get_site(key).parser_class()(html, meta["url"]).parse().to_dict()

    assert {name: record[name] for name in expected} == expected


def test_fixture_folders_belong_to_registered_sites() -> None:
    """A fixture folder without a registered site is a typo or a leftover."""
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir()} if FIXTURES.is_dir() else set()
    assert folders <= set(SITES), f"fixture folders for unknown sites: {sorted(folders - set(SITES))}"
