"""``crawler web``: a read-only web view of the store for the people who watch the sources.

``create_app(db_url)`` builds the Flask application: server-rendered pages (templates in
``templates/``, the one stylesheet in ``static/``, charts as inline SVG; no JavaScript), a
JSON API under ``/api/`` and Prometheus metrics at ``/metrics``.  The store is opened
read-only (``crawler.web.store``) and only GET/HEAD requests are served; every other
method is refused before any view runs.  With a token, every request must carry it
(HTTP Basic password, any user name, or ``Authorization: Bearer TOKEN``).
"""

from __future__ import annotations

import hmac
from base64 import b64decode
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, render_template, request
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException

from crawler import settings as defaults
from crawler.web import filters
from crawler.web.store import Store

READ_METHODS = frozenset({"GET", "HEAD"})


def create_app(db_url: str, token: str | None = None, config: dict[str, Any] | None = None) -> Flask:
    """The web application over the store at ``db_url``; ``token`` (if any) guards every request.

    ``config`` overrides the ``WEB_*`` and ``HEALTH_*`` settings (crawler/settings.py) by name.
    """
    app = Flask(__name__)
    for name in dir(defaults):
        if name.startswith(("WEB_", "HEALTH_")):
            app.config[name] = getattr(defaults, name)
    app.config.update(config or {})
    app.config["WEB_TOKEN"] = token or ""
    store = Store(db_url)
    app.extensions["crawler_store"] = store
    factory = sessionmaker(expire_on_commit=False)
    filters.register(app)

    @app.before_request
    def guard() -> Response | tuple[Any, int] | None:
        if request.method not in READ_METHODS:
            # Read-only by construction: no view is ever reached by a method that could mean a write.
            return error_response(405, "this view is read-only: only GET requests are answered")
        if app.config["WEB_TOKEN"] and not _authorized(app.config["WEB_TOKEN"]):
            response = error_response(401, "log in with the token set in CRAWLER_WEB_TOKEN (any user name)")
            response.headers["WWW-Authenticate"] = 'Basic realm="crawler web", charset="UTF-8"'
            return response
        if request.endpoint == "static":
            return None
        problem = store.problem()
        if problem is not None:
            if _wants_json():
                body = {"error": "store unavailable", "message": problem.message, "command": problem.command}
                return Response(filters.to_json(body), status=503, mimetype="application/json")
            return render_template("store_problem.html", problem=problem, url=store.shown_url), 503
        g.now = datetime.now(UTC)
        g.session = factory(bind=store.engine)
        return None

    @app.after_request
    def security_headers(response: Response) -> Response:
        # Nothing from another host, no script at all, no framing: the page is what the server drew.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    @app.teardown_request
    def close_session(_exc: BaseException | None) -> None:
        session: Session | None = g.pop("session", None)
        if session is not None:
            session.rollback()  # nothing to keep: the view only read
            session.close()

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        return error_response(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def server_error(exc: Exception) -> Response:
        app.logger.exception("request failed: %s %s", request.method, request.path)
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        return error_response(500, f"the page failed: {first[0] if first else type(exc).__name__}")

    from crawler.web.views import api, articles, metrics, runs, sources

    for module in (sources, runs, articles, api, metrics):
        app.register_blueprint(module.blueprint)
    return app


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/metrics"


def _authorized(token: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    given = ""
    if scheme.lower() == "bearer":
        given = value.strip()
    elif scheme.lower() == "basic":
        try:
            given = b64decode(value.strip()).decode("utf-8").partition(":")[2]
        except (ValueError, UnicodeDecodeError):
            given = ""
    return bool(given) and hmac.compare_digest(given.encode(), token.encode())


def error_response(status: int, message: str) -> Response:
    """An error as a page (or JSON under /api/), never a traceback."""
    if _wants_json():
        return Response(filters.to_json({"error": status, "message": message}), status=status,
                        mimetype="application/json")
    html = render_template("error.html", status=status, message=message)
    response = Response(html, status=status, mimetype="text/html")
    if status == 405:
        response.headers["Allow"] = "GET, HEAD"
    return response
