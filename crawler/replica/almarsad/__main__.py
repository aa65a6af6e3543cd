"""``python -m crawler.replica.almarsad``: serve the Al-Marsad replica in the foreground."""

from __future__ import annotations

import argparse
import logging

from crawler.replica.almarsad.server import AlMarsadServer
from crawler.replica.almarsad.site import AlMarsadSite


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, build the site and serve until Ctrl-C."""
    parser = argparse.ArgumentParser(
        prog="python -m crawler.replica.almarsad",
        description="Serve a deterministic replica of Al-Marsad (an Arabic, right-to-left news site) on 127.0.0.1.",
        epilog="example: python -m crawler.replica.almarsad --port 8002, then crawler crawl almarsad "
        "-a base_url=http://127.0.0.1:8002",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8002, help="port, 0 for any free one (default: %(default)s)")
    parser.add_argument("--articles", type=int, default=64, help="number of articles, at least 24 (default: 64)")
    parser.add_argument("--seed", type=int, default=11, help="generator seed (default: %(default)s)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        site = AlMarsadSite(articles=args.articles, seed=args.seed)
    except ValueError as exc:
        parser.error(str(exc))
    server = AlMarsadServer(site, host=args.host, port=args.port)
    server.start()
    print(f"Al-Marsad replica at {server.base_url}/ ({len(site.articles)} articles); Ctrl-C to stop.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
