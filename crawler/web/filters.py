"""Template filters and the request-argument helpers the views share.

Times are shown in UTC, as everywhere in the crawler; shares as percentages rounded down
(``crawler.health.percent``), so 99.6% never reads as 100%.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Flask, abort, g, request

from crawler.health import percent


def when(value: datetime | None) -> str:
    """``2024-05-01 13:04 UTC``, or an en dash for no time."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "–"


def ago(value: datetime | None) -> str:
    """How long before the request's time: ``3 h ago``, ``12 d ago``."""
    if value is None:
        return "never"
    now = getattr(g, "now", None) or datetime.now(UTC)
    seconds = (now - value).total_seconds()
    if seconds < 0:
        return "in the future"
    for size, unit in ((86400 * 365, "y"), (86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{int(seconds // size)} {unit} ago"
    return "just now"


def share(value: float | None) -> str:
    """A 0..1 share as a percentage, or an en dash."""
    return "–" if value is None else percent(value)


def duration(seconds: float | None) -> str:
    """``42 s``, ``3.5 min``, ``2.1 h``; an en dash while running."""
    if seconds is None:
        return "–"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def href(url: str | None) -> str:
    """``url`` when it is http(s), else ``#``: a stored URL never becomes a ``javascript:`` link."""
    text = (url or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else "#"


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def to_json(value: Any) -> str:
    """JSON with ISO 8601 times and the text as written (no \\u escapes)."""
    return json.dumps(value, default=_default, ensure_ascii=False, indent=1)


def with_args(**changes: Any) -> str:
    """The current URL's query string with ``changes`` applied (None removes an argument)."""
    args = {k: v for k, v in request.args.items()}
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = str(value)
    return "?" + urlencode(args) if args else request.path


def register(app: Flask) -> None:
    """Make the filters and helpers available in every template."""
    app.add_template_filter(when)
    app.add_template_filter(ago)
    app.add_template_filter(share)
    app.add_template_filter(duration)
    app.add_template_filter(href)
    app.add_template_global(with_args)


# --- request arguments (a bad one is a 400 page naming it, never a traceback) ------------


def int_arg(name: str, default: int, low: int = 1, high: int = 1_000_000) -> int:
    """A whole-number query argument in ``low..high``; else 400."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        abort(400, f"{name}={raw!r} is not a whole number")
    if not low <= value <= high:
        abort(400, f"{name}={value} is out of range: use {low} to {high}")
    return value


def text_arg(name: str, max_length: int = 500) -> str | None:
    """A text query argument, stripped; None when empty; 400 when longer than ``max_length``."""
    raw = request.args.get(name, "").strip()
    if len(raw) > max_length:
        abort(400, f"{name} is longer than {max_length} characters")
    return raw or None


def date_arg(name: str, end_of_day: bool = False) -> datetime | None:
    """A ``YYYY-MM-DD`` argument as UTC midnight (``end_of_day``: the next midnight, an exclusive end); else 400."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        abort(400, f"{name}={raw!r} is not a date: use YYYY-MM-DD")
    moment = datetime.combine(day, time(), UTC)
    return moment + timedelta(days=1) if end_of_day else moment
