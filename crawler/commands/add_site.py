"""``crawler add-site URL``: discover a site from its home page and write a draft profile to review."""

from __future__ import annotations

import argparse
import os
import re
import sys
import tomllib
from pathlib import Path

from crawler.commands.check_site import positive_int
from crawler.sitecheck import SiteCheckError, format_report, run_sample

NAME = "add-site"
HELP = "discover a site from its home page and write a draft site profile (TOML) to review"
DESCRIPTION = """\
Run discovery on a home page (the `auto` spider on a small sample, nothing stored) and write a
draft site profile <KEY>.toml: its feeds, sitemaps, the article URL pattern generalised from the
article URLs found (digits -> \\d+, slugs -> [a-z0-9-]+), the paginated listings seen and their
pagination style. The check-site report of the sample is appended as comments, so you review
one file; then `crawler crawl KEY` crawls the site from the profile.

The file goes to --out DIR, else to the user profiles directory ($CRAWLER_SITE_PROFILES,
setting SITE_PROFILES_DIR). An existing file is never overwritten without --force."""
EPILOG = """\
examples:
  crawler add-site https://levantpost.example/
  crawler add-site https://www.example-news.com/ --key examplenews --out ~/news-profiles
  crawler add-site http://127.0.0.1:8001/ --key levantpost_replica --out /tmp/profiles --force

exit status: 0 when the profile was written, 1 when discovery found no article,
2 for a bad command line (not a URL, no output directory, file exists)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """URL, --key, --out, --force, --sample, --log-level."""
    parser.add_argument("url", metavar="URL", help="the site's home page")
    parser.add_argument("--key", help="the profile key ([a-z0-9_]+; default: from the host, e.g. levantpost)")
    parser.add_argument("--out", metavar="DIR", help="directory to write KEY.toml to (default $CRAWLER_SITE_PROFILES)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing KEY.toml")
    parser.add_argument("--sample", type=positive_int, default=10, metavar="N",
                        help="sample articles to check (default 10)")
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
        default=os.environ.get("CRAWLER_LOG_LEVEL", "ERROR").upper(),
        help="log level on stderr (default $CRAWLER_LOG_LEVEL, else ERROR)",
    )


def fail(message: str) -> int:
    """Print one error line; exit status 2."""
    print(f"crawler add-site: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Discover, draft, validate, write."""
    from crawler.discovery.draft import draft_profile, key_for_host
    from crawler.profiles import KEY_PATTERN, ProfileError, parse_profile, user_profiles_dir

    if "://" not in args.url:
        return fail(f"{args.url!r} is not a URL: give the site's home page, e.g. https://example.com/")
    key = args.key or key_for_host(args.url)
    if not re.fullmatch(KEY_PATTERN, key):
        return fail(f"--key {key!r}: a key is lower-case letters, digits and _ (e.g. levantpost)")
    out_dir = Path(args.out).expanduser() if args.out else user_profiles_dir()
    if out_dir is None:
        return fail("no profiles directory: pass --out DIR or set CRAWLER_SITE_PROFILES to a directory")
    if not out_dir.is_dir():
        return fail(f"--out {out_dir}: no such directory; create it first (mkdir -p {out_dir})")
    path = out_dir / f"{key}.toml"
    if path.exists() and not args.force:
        return fail(f"{path} exists; review or remove it, pass --force to overwrite, or choose another --key")
    try:
        result = run_sample(args.url, args.sample, log_level=args.log_level)
    except SiteCheckError as exc:
        return fail(str(exc))
    if result.discovery is None:
        return fail(f"{args.url} is already the site {result.site_key!r} with a profile; see `crawler sites`")
    report = format_report(result)
    text = draft_profile(result.discovery, key, notes="check-site report of the sample:\n\n" + report)
    try:
        parse_profile(tomllib.loads(text), path)
    except (ProfileError, tomllib.TOMLDecodeError) as exc:  # a bug here, not the user's: say so plainly
        lines = exc.lines if isinstance(exc, ProfileError) else [str(exc)]
        return fail(f"the draft does not validate ({'; '.join(lines)}); please report this")
    path.write_text(text, encoding="utf-8")
    print(report)
    print(f"\nwrote {path}: review it, then `crawler crawl {key}`")
    if not result.site_key.startswith("auto_"):
        # The host already has a profile: the user's file overrides it only under the same key.
        print(f"note: the profile {result.site_key!r} already covers this host (see `crawler sites`)")
    return 0 if result.records else 1
