"""``python -m crawler.replica``: serve the replica site in the foreground."""

from __future__ import annotations

import argparse
import logging

from crawler.replica.model import LAYOUTS, ReplicaSite
from crawler.replica.server import ReplicaServer

EPILOG = """\
examples:
  python -m crawler.replica --port 8000
      serve on http://127.0.0.1:8000 (start a crawl at /, /feed/, /sitemap.xml or /category/news/)
  python -m crawler.replica --port 8000 --layout redesign
      serve the article pages in the redesigned markup the site parser does not know

while it runs, another shell can switch it:
  curl 'http://127.0.0.1:8000/__replica__/layout?name=redesign'
  curl 'http://127.0.0.1:8000/__replica__/delay?seconds=0.5'
  curl 'http://127.0.0.1:8000/__replica__/state'
"""


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, build the site and serve until Ctrl-C."""
    parser = argparse.ArgumentParser(
        prog="python -m crawler.replica",
        description="Serve a deterministic replica of The Syrian Observer on 127.0.0.1 for crawls and tests.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    parser.add_argument(
        "--port", type=int, default=8000, help="port to bind, 0 for any free port (default: %(default)s)"
    )
    parser.add_argument("--layout", choices=LAYOUTS, default="standard", help="article markup (default: %(default)s)")
    parser.add_argument("--articles", type=int, default=520, help="number of posts, at least 40 (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=20190821, help="generator seed (default: %(default)s)")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds to wait before each page (default: 0)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    site = ReplicaSite(articles=args.articles, seed=args.seed)
    server = ReplicaServer(site, host=args.host, port=args.port, layout=args.layout, delay=args.delay)
    server.start()
    print(f"Replica of The Syrian Observer at {server.base_url}/ ({len(site.articles)} posts, layout {server.layout})")
    print(f"  feed {server.url('/feed/')}  sitemap {server.url('/sitemap.xml')}")
    print(f"  seed article {server.url(site.seed_article.path)}")
    print("Ctrl-C to stop.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
