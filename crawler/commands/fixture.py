"""``crawler fixture``: save a page as a parser test case and draft its expected record."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from crawler.commands.errors import UsageError
from crawler.commands.extract import read_source
from crawler.sites import get_site

NAME = "fixture"
HELP = "save a page as a parser test case (page.html, meta.json) and draft its expected.json"
DESCRIPTION = """\
Save one article page under tests/fixtures/sites/SITE/CASE/ with meta.json and a DRAFT
expected.json made by the site's parser as it is today. Read the draft against the page
and correct it by hand: the test (tests/parsers/test_site_fixtures.py) then holds the parser
to it. Crawl facts, provenance, content_hash and body_html are left out of the draft."""
EPILOG = """\
examples:
  crawler fixture syrianobserver eid-notice https://syrianobserver.com/uncategorized/66129/eid-holiday-5.html
  crawler fixture syrianobserver redesign-2026 saved.html --url https://syrianobserver.com/news/1/x.html

exit status: 0 written, 1 the fetch failed or the page is empty or not HTML, 2 bad usage (unknown
site, bad case name, missing --url, an existing case without --force, no such file)."""

# Fields a stored case does not pin: crawl facts and values tested per site where they matter.
LEFT_OUT = ("fetched_at", "http_status", "etag", "last_modified", "provenance", "content_hash", "body_html")
CASE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """SITE CASE SOURCE, --url, --root, --force."""
    parser.add_argument("site", metavar="SITE", help="site key (see `crawler sites`)")
    parser.add_argument("case", metavar="CASE", help="case folder name, e.g. seed or redesign-2026")
    parser.add_argument("source", metavar="URL|FILE|-", help="the page: an http(s) URL, a saved HTML file, or -")
    parser.add_argument("--url", help="the page's address when SOURCE is a file or stdin (required then)")
    parser.add_argument("--root", default="tests/fixtures/sites", help="fixtures folder (default tests/fixtures/sites)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing case")


def run(args: argparse.Namespace) -> int:
    """Write the case folder and say what to check."""
    try:
        profile = get_site(args.site)
    except KeyError as exc:
        raise UsageError(exc.args[0]) from None
    if not CASE_NAME.match(args.case):
        raise UsageError(f"case name {args.case!r}: use lowercase letters, digits, - and _")
    if not args.source.startswith(("http://", "https://")) and not args.url:
        raise UsageError("pass --url with the page's address when SOURCE is a file or -")
    folder = Path(args.root) / profile.key / args.case
    if folder.exists() and not args.force:
        raise UsageError(f"{folder} exists; pass --force to overwrite it")
    # A SourceError says what was wrong with the page (exit 1, or 2 when SOURCE names no file).
    data, _content_type, url = read_source(args.source, args.url)
    from crawler.parsers.generic import GenericParser
    from crawler.parsers.text import decode_html

    # A profile without extraction rules has no parser class of its own: the generic extractor is its parser.
    record = (profile.parser_class() or GenericParser)(decode_html(data), url).parse()
    record.site = profile.key
    expected = {k: v for k, v in record.to_dict().items() if k not in LEFT_OUT}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "page.html").write_bytes(data)
    (folder / "meta.json").write_text(json.dumps({"site": profile.key, "url": url}, indent=2) + "\n", "utf-8")
    (folder / "expected.json").write_text(
        json.dumps(expected, indent=2, sort_keys=True, ensure_ascii=False) + "\n", "utf-8"
    )
    empty = sorted(k for k, v in expected.items() if v in (None, "", []))
    print(f"wrote {folder}/page.html, meta.json and a draft expected.json")
    if empty:
        print(f"the parser found nothing for: {', '.join(empty)} (fix the parser or confirm the page has none)")
    print("Now read expected.json against the page and correct it by hand before committing.")
    return 0
