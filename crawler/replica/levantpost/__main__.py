"""``python -m crawler.replica.levantpost``: serve The Levant Post replica in the foreground."""

from __future__ import annotations

import argparse
import logging

from crawler.replica.levantpost.server import LevantPostServer
from crawler.replica.levantpost.site import LevantPostSite

EPILOG = """\
examples:
  python -m crawler.replica.levantpost --port 8001
      serve on http://127.0.0.1:8001 (start a crawl at /, /feeds/latest.atom, /sitemap_index.xml or /news)
  python -m crawler.replica.levantpost --port 0 --articles 300 --seed 11
      a bigger site on any free port
"""


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, build the site and serve until Ctrl-C."""
    parser = argparse.ArgumentParser(
        prog="python -m crawler.replica.levantpost",
        description="Serve a deterministic replica of The Levant Post (a non-WordPress news site) on 127.0.0.1.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    parser.add_argument(
        "--port", type=int, default=8001, help="port to bind, 0 for any free port (default: %(default)s)"
    )
    parser.add_argument(
        "--articles", type=int, default=120, help="number of articles, at least 30 (default: %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default: %(default)s)")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds to wait before each response (default: 0)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        site = LevantPostSite(articles=args.articles, seed=args.seed)
        server = LevantPostServer(site, host=args.host, port=args.port, delay=args.delay)
    except ValueError as exc:
        parser.error(str(exc))
    server.start()
    print(f"The Levant Post replica at {server.base_url}/ ({len(site.articles)} articles)")
    print(f"  feed {server.url('/feeds/latest.atom')}  sitemaps {server.url('/sitemap_index.xml')}")
    print(f"  newest article {server.url(site.articles[0].path)}")
    print("Ctrl-C to stop.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
