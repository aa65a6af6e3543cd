"""``crawler web``: serve the read-only web view of the store (crawler/web/, docs/web.md)."""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys

from crawler import settings
from crawler.commands import add_db_argument
from crawler.commands.errors import EXIT_INTERRUPTED, CommandFailed, UsageError, int_range

NAME = "web"
HELP = "serve a read-only web view of the store: sources' health, runs, articles, changes; JSON API; metrics"
DESCRIPTION = """\
A web application over the store, for the people who watch the sources:

  /                 every site: last run and status, newest article, articles per day,
                    error rate, field coverage against its baseline, failing checks (sortable)
  /sites/KEY        the site's runs, a chart of coverage and new articles per run, its checks
  /runs/ID          a run's counts and every page-level event, filterable by kind
  /articles         full-text search with filters (site, source, tag, author, dates)
  /articles/ID      every field with its rule, tags, versions with a diff, copies
  /api/...          the same as JSON (docs/web.md);  /metrics  Prometheus metrics

It never writes: the database is opened read-only and only GET requests are answered.
It listens on 127.0.0.1 by default; to listen on another address set CRAWLER_WEB_TOKEN to
a secret first: every request must then carry it (the browser asks for it as the password
of any user name, or send `Authorization: Bearer TOKEN`)."""
EPILOG = f"""\
examples:
  crawler web                                   http://127.0.0.1:{settings.WEB_PORT}/ over $CRAWLER_DATABASE_URL
  crawler web --db sqlite:///demo.db --port 8000
  CRAWLER_WEB_TOKEN=$(openssl rand -hex 16) crawler web --host 0.0.0.0
  curl -s http://127.0.0.1:{settings.WEB_PORT}/api/sites | jq '.[] | select(.health == "failing") | .key'

exit status: 0 after a clean stop, 2 for a bad option or a non-loopback --host without
CRAWLER_WEB_TOKEN, 1 when the port cannot be bound, 130 interrupted (Ctrl-C: the usual way to stop)."""

MIN_TOKEN_CHARS = 12  # a guessable token on an open port would be no guard at all


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--db, --host, --port."""
    add_db_argument(parser)
    parser.add_argument(
        "--host", default=settings.WEB_HOST,
        help=f"address to listen on (default {settings.WEB_HOST}; any other needs CRAWLER_WEB_TOKEN)",
    )
    parser.add_argument(
        "--port", type=int_range(1, 65535), default=settings.WEB_PORT,
        help=f"port to listen on (default {settings.WEB_PORT})",
    )


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1); a name is not trusted to resolve so."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def checked_token(host: str) -> str:
    """The token from $CRAWLER_WEB_TOKEN, required (and long enough) unless ``host`` is loopback; else UsageError."""
    token = os.environ.get("CRAWLER_WEB_TOKEN", settings.WEB_TOKEN or "").strip()
    if not is_loopback(host) and not token:
        raise UsageError(
            f"--host {host} is reachable from other machines and the store would be open to them: "
            "set CRAWLER_WEB_TOKEN to a secret (e.g. `export CRAWLER_WEB_TOKEN=$(openssl rand -hex 16)`), "
            "or leave --host at 127.0.0.1"
        )
    if token and len(token) < MIN_TOKEN_CHARS:
        raise UsageError(f"CRAWLER_WEB_TOKEN is {len(token)} characters: use at least {MIN_TOKEN_CHARS}")
    return token


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    from werkzeug.serving import make_server

    from crawler.web import create_app
    from storage.db import database_url, display_url

    token = checked_token(args.host)
    url = database_url(args.db)
    app = create_app(url, token=token or None)
    try:
        server = make_server(args.host, args.port, app, threaded=True)
    except OSError as exc:
        raise CommandFailed(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}; choose another --port"
        ) from None
    problem = app.extensions["crawler_store"].problem()
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"crawler web: serving {display_url(url)} read-only on http://{shown_host}:{server.server_port}/"
          + (" (token required)" if token else ""), file=sys.stderr)
    if problem is not None:
        print(f"crawler web: {problem.message} (the pages say so until then: {problem.command})", file=sys.stderr)
    import signal

    interrupted: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        # werkzeug's serve_forever ends quietly on KeyboardInterrupt: remember the signal for the exit code.
        interrupted.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        interrupted.append(signal.SIGINT)
    finally:
        server.server_close()
        app.extensions["crawler_store"].dispose()
    return EXIT_INTERRUPTED if interrupted else 0
