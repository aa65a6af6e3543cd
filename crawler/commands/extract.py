"""``crawler extract``: print the record of one page, for debugging a site's extraction."""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from crawler.commands.errors import EXIT_USAGE, CommandFailed, UsageError
from crawler.items import ArticleRecord

NAME = "extract"
HELP = "extract one page (URL, file or stdin) and print its record"
DESCRIPTION = """\
Extract the article record of one page and print it, with the rule that produced each
field (record.provenance).  The page comes from a file, from stdin (-) or from a live fetch
of an http(s) URL; a known site uses its own parser, any other the generic extractor.
The parser used is named on stderr (JSON) or in the first line (text): a site key or
"generic".  The site is chosen by the URL's host, so a page of a registered site served from
another host (a saved copy, a local replica at 127.0.0.1) needs --site KEY for its parser.
"""
EPILOG = """\
examples:
  crawler extract page.html --url https://example.com/news/story.html
  curl -s https://example.com/story | crawler extract - --url https://example.com/story --format text
  crawler extract https://example.com/news/story.html
  crawler extract page.html --generic            skip the site parser, show the generic result
  crawler extract http://127.0.0.1:8000/story.html --site syrianobserver
                                                 a replica of a registered site: use its parser

exit status: 0 ok, 1 the fetch failed or the page is empty or not HTML, 2 bad usage (no such
file, a scheme other than http(s), an unknown --site, a bad --timeout).
"""
FETCH_TIMEOUT = 20.0
MAX_BYTES = 50_000_000
USER_AGENT = "news-monitor-crawler/0.1 (+extract command)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """SOURCE, --url, --format, --generic, --site, --timeout."""
    parser.add_argument(
        "source", metavar="URL|FILE|-", help="an http(s) URL to fetch, a saved HTML file, or - for stdin"
    )
    parser.add_argument("--url", help="the page's address when SOURCE is a file or stdin (default: file:// path)")
    parser.add_argument("--format", choices=("json", "text"), default="json", help="output format (default json)")
    parser.add_argument(
        "--site", metavar="KEY",
        help="use this site key's parser (see `crawler sites`), e.g. for a page of a registered site "
             "served from another host such as a local replica; default: chosen by the URL's host",
    )
    parser.add_argument("--generic", action="store_true", help="use only the generic extractor")
    parser.add_argument("--timeout", type=_seconds, default=FETCH_TIMEOUT,
                        help="seconds for a live fetch, > 0 (default 20)")


def _seconds(value: str) -> float:
    """An argparse type: a finite number of seconds above zero."""
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise argparse.ArgumentTypeError(f"{value} is not a number of seconds above 0")
    return seconds


class SourceError(CommandFailed):
    """The page could not be fetched or is not a page (exit 1); the message says what, where and what to do."""


class SourceMissing(SourceError):
    """SOURCE names nothing that can be read: no such file, or a scheme that is not fetched (exit 2)."""

    exit_code = EXIT_USAGE


def _fetch(url: str, timeout: float) -> tuple[bytes, str | None]:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.5"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
            return response.read(MAX_BYTES), response.headers.get("Content-Type")
    except urllib.error.HTTPError as exc:
        raise SourceError(f"fetching {url} failed: HTTP {exc.code} {exc.reason}; check the address") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SourceError(
            f"fetching {url} failed: {reason}; check the address and network, or save the page and "
            "pass the file with --url"
        ) from None


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


def read_source(source: str, url: str | None, timeout: float = FETCH_TIMEOUT) -> tuple[bytes, str | None, str]:
    """(page bytes, content type, page URL) from a URL, a file or stdin (``-``)."""
    if source.startswith(("http://", "https://")):
        data, content_type = _fetch(source, timeout)
        return data, content_type, url or source
    if source == "-":
        return sys.stdin.buffer.read(MAX_BYTES), None, url or "stdin://page"
    if source.lower().startswith("file://"):
        source = url2pathname(urlsplit(source).path)  # a file:// URL is a local file
    elif _SCHEME.match(source):
        # Only http(s) is fetched; Path() would turn "ftp://x/y" into a confusing "ftp:/x/y".
        scheme = source.split(":", 1)[0]
        raise SourceMissing(
            f"{source}: {scheme}:// is not fetched, only http(s) URLs are; save the page and pass the file "
            f"(with --url {source})"
        )
    path = Path(source)
    if not path.is_file():
        raise SourceMissing(
            f"no such file: {path} (SOURCE is an http(s) URL, an HTML file or - for stdin)"
        )
    return path.read_bytes()[:MAX_BYTES], None, url or path.resolve().as_uri()


def extract(data: bytes, page_url: str, content_type: str | None = None, site: str | None = None,
            generic: bool = False) -> ArticleRecord:
    """Decode and extract one page; a SourceError when the bytes are not a web page."""
    from crawler.parsers import parse_article
    from crawler.parsers.encoding import decode_page, looks_like_html
    from crawler.parsers.generic import GenericParser
    from crawler.parsers.text import content_hash

    if not data.strip():
        raise SourceError(f"{page_url}: the page is empty; nothing to extract")
    if not looks_like_html(data):
        raise SourceError(f"{page_url}: not an HTML page (binary data, e.g. a PDF or an image); pass an HTML page")
    html = decode_page(data, content_type)
    if generic:
        record = GenericParser(html, page_url).parse()
        record.content_hash = content_hash(record.body_text)
        return record
    return parse_article(html, page_url, site=site)


def parser_used(page_url: str, site: str | None = None, generic: bool = False) -> str:
    """The key of the site parser that handles the page, or ``"generic"``."""
    if generic:
        return "generic"
    from crawler.sites import get_site, site_for_url

    profile = get_site(site) if site else site_for_url(page_url)
    return profile.key if profile else "generic"


def _parser_note(parser: str, page_url: str, site: str | None, generic: bool) -> str:
    """``parser``, with a hint when the generic parser ran only because the host is not registered."""
    if parser != "generic" or generic:
        return parser
    host = urlsplit(page_url).hostname
    if not host:  # a file or stdin without --url
        return "generic (no page URL to match a site; --url URL or --site KEY picks a site's parser)"
    return f"generic (no registered site for host {host}; --site KEY uses a site's parser)"


def format_text(record: ArticleRecord, parser: str | None = None) -> str:
    """A human-readable view: the parser, one line per field with its rule, then the body."""
    lines = [f"{'parser':<14} {parser}"] if parser else []
    for name, value in record.to_dict().items():
        if name in ("body_text", "body_html", "provenance") or value in (None, "", []):
            continue
        rule = record.provenance.get(name)
        shown = ", ".join(value) if isinstance(value, list) else value
        lines.append(f"{name:<14} {shown}" + (f"   [{rule}]" if rule else ""))
    body_rule = record.provenance.get("body_text", "-")
    lines.append(f"\n--- body_text [{body_rule}] ---")
    lines.append(record.body_text or "(no body found)")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Read, extract, print; a SourceError (exit 1, or 2 for a SOURCE naming nothing) on bad input."""
    from crawler.sites import get_site

    try:
        if args.site:
            get_site(args.site)  # a mistyped --site is refused before any fetch
        data, content_type, page_url = read_source(args.source, args.url, args.timeout)
        record = extract(data, page_url, content_type, site=args.site, generic=args.generic)
        parser = _parser_note(parser_used(page_url, args.site, args.generic), page_url, args.site, args.generic)
    except KeyError as exc:  # unknown --site
        raise UsageError(exc.args[0]) from None
    try:
        if args.format == "json":
            # The parser goes to stderr: the JSON on stdout stays the bare record scripts expect.
            print(f"crawler extract: parser: {parser}", file=sys.stderr)
            print(json.dumps(record.to_dict(), ensure_ascii=False, indent=2, sort_keys=True))
        else:
            print(format_text(record, parser))
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader stopped early (`| head`): not an error; silence the final flush.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
